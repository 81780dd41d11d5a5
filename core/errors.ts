/**
 * The one catalog of Tessera's error codes. Codes are stable (`ERR_<AREA>_<CONDITION>`); messages may
 * change. Programmer mistakes are plain TypeErrors, not coded errors.
 *
 * Each area keeps its codes in its own block below, so parallel work rarely touches the same lines.
 */
export const ErrorCodes = {
  // kernel, plugins, config
  ERR_CONFIG_INVALID: 'invalid configuration',
  ERR_PLUGIN_NOT_FOUND: 'plugin not found',
  ERR_PLUGIN_INVALID: 'plugin is not a valid Tessera plugin',
  ERR_PLUGIN_CORE_RANGE: 'plugin does not support this core version',
  ERR_PLUGIN_SLOT_CONFLICT: 'two plugins provide the same exclusive slot',
  ERR_PLUGIN_SLOT_EMPTY: 'no plugin provides a required slot',
  ERR_PLUGIN_MISSING_REQUIREMENT: 'a plugin requires a token nobody provides',
  ERR_KERNEL_START_TIMEOUT: 'a service did not start in time',
  ERR_KERNEL_START_FAILED: 'a service failed to start',
  ERR_KERNEL_STOP_FAILED: 'one or more services failed to stop',
  ERR_SERVICE_NOT_STARTED: 'service is not started',
  ERR_SERVICE_STOPPED: 'service is stopped',

  // model (line protocol, points)
  ERR_LINE_PROTOCOL: 'unable to parse line protocol',

  // meta
  ERR_META_DATABASE_NOT_FOUND: 'database not found',
  ERR_META_DATABASE_EXISTS: 'database already exists',
  ERR_META_DATABASE_NAME_REQUIRED: 'database name required',
  ERR_META_RP_NOT_FOUND: 'retention policy not found',
  ERR_META_RP_EXISTS: 'retention policy already exists',
  ERR_META_RP_CONFLICT: 'retention policy conflicts with an existing policy',
  ERR_META_RP_DURATION_TOO_LOW: 'retention policy duration must be at least 1h0m0s',
  ERR_META_RP_DURATION_SHARD: 'retention policy duration must be greater than the shard duration',
  ERR_META_REPLICATION_FACTOR: 'replication factor must be greater than 0',
  ERR_META_RP_NAME_REQUIRED: 'retention policy name required',
  ERR_META_SHARD_GROUP_NOT_FOUND: 'shard group not found',
  ERR_META_NODES_REQUIRED: 'at least one node required',
  ERR_META_NODE_NOT_FOUND: 'node not found',
  ERR_META_NODE_EXISTS: 'node already exists',
  ERR_META_CQ_EXISTS: 'continuous query already exists',
  ERR_META_CQ_NOT_FOUND: 'continuous query not found',
  ERR_META_USER_EXISTS: 'user already exists',
  ERR_META_USER_NOT_FOUND: 'user not found',
  ERR_META_LOG_CORRUPT: 'meta log record is corrupt',
  ERR_META_NOT_LEADER: 'node is not the leader',
  ERR_META_PROPOSAL_DROPPED: 'proposal dropped',
  ERR_META_INVALID_NAME: 'invalid name',
  ERR_META_RP_NAME_EXISTS: 'retention policy name already exists',
  ERR_META_SHARD_NOT_REPLICATED: 'shard not replicated',
  ERR_META_NODE_ID_INVALID: 'node id must be greater than 0',
  ERR_META_LAST_NODE: 'unable to drop the final node in a cluster',
  ERR_META_USERNAME_REQUIRED: 'username required',
  ERR_META_COMMAND_INVALID: 'invalid meta command',
  ERR_META_SNAPSHOT_CORRUPT: 'meta snapshot is corrupt',
  ERR_META_LEADERSHIP_LOST: 'leadership lost before the command committed; its outcome is unknown',
  ERR_META_CONF_CHANGE_REFUSED: 'membership change refused',
  ERR_META_JOIN_FAILED: 'unable to join the meta cluster',
  ERR_META_RPC_FAILED: 'meta request to the leader failed',

  // tsdb
  ERR_TSDB_SHARD_NOT_FOUND: 'shard not found',
  ERR_TSDB_FIELD_TYPE_CONFLICT: 'field type conflict',
  ERR_TSDB_CACHE_FULL: 'cache-max-memory-size exceeded',
  ERR_TSDB_CORRUPT: 'storage file is corrupt',

  // transport, pool, cluster port
  ERR_TRANSPORT_DIAL_TIMEOUT: 'dial timed out',
  ERR_TRANSPORT_DIAL_FAILED: 'dial failed',
  ERR_TRANSPORT_CLOSED: 'connection closed',
  ERR_TRANSPORT_LISTEN_FAILED: 'listen failed',
  ERR_POOL_TIMEOUT: 'timed out waiting for free connection',
  ERR_POOL_CLOSED: 'pool is closed',
  ERR_POOL_UNKNOWN_NODE: 'no address known for node',
  ERR_CLUSTER_FRAME_INVALID: 'invalid frame',
  ERR_CLUSTER_REMOTE: 'remote error',
  ERR_CLUSTER_TIMEOUT: 'cluster request timed out',
  ERR_CLUSTER_VERSION_MISMATCH: 'peer speaks another cluster schema version',
  ERR_CLUSTER_AUTH_FAILED: 'cluster authentication failed',

  // query
  ERR_QUERY_PARSE: 'error parsing query',
  ERR_QUERY_EXECUTION: 'query execution failed',
  ERR_QUERY_UNAUTHORIZED: 'error authorizing query',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** A catchable Tessera error with a stable `code`. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  /** Optional structured detail (config problems, offsets of corrupt records...). */
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: unknown }) {
    super(message ?? ErrorCodes[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}

/** True when `err` is a TesseraError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): err is TesseraError {
  return err instanceof Error && (err as TesseraError).code === code;
}
