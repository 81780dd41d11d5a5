import type { MetaData } from '../contracts/meta-store.js';
import { TesseraError } from '../errors.js';
import { addNode, removeNode, updateNode } from './apply-nodes.js';
import {
  alterRetentionPolicy,
  createContinuousQuery,
  createDatabase,
  createRetentionPolicy,
  dropContinuousQuery,
  dropDatabase,
  dropRetentionPolicy,
  setDefaultRetentionPolicy,
} from './apply-schema.js';
import { createShardGroup, deleteShardGroup, dropShard } from './apply-shards.js';
import { createUser, dropUser, setAdminPrivilege, setPrivilege, setUserPassword } from './apply-users.js';
import type { MetaCommand } from './commands.js';
import { deepFreeze } from './meta-data.js';
import type { HandlerOutcome } from './update-helpers.js';

/** The outcome of applying one command: the new state and the command's result, or its error. */
export interface ApplyOutcome {
  /** The new state; on error the previous state with only `index` (and `term`) advanced. Deeply frozen. */
  readonly data: MetaData;
  /** addNode/updateNode: NodeInfo; createDatabase: DatabaseInfo; create/alterRetentionPolicy: RetentionPolicyInfo; createShardGroup: ShardGroupInfo. */
  readonly result?: unknown;
  /** A rejected command (ERR_META_* code, message worded as InfluxDB words it). */
  readonly error?: TesseraError;
}

/**
 * Applies one command to the state: pure and deterministic (no clock, I/O or randomness: what a command
 * needs comes in the command). `data` is never modified; the result's `index` is `index` (the log/raft
 * index of this command, which must be greater than `data.index`), whether the command succeeds or not.
 */
export function applyCommand(data: MetaData, cmd: MetaCommand, index: number, term: number = data.term): ApplyOutcome {
  if (!Number.isSafeInteger(index) || index <= data.index) {
    throw new TypeError(`applyCommand: index ${index} must be an integer greater than ${data.index}`);
  }
  let outcome: HandlerOutcome;
  try {
    outcome = dispatch(data, cmd);
  } catch (err) {
    if (!(err instanceof TesseraError)) throw err;
    return { data: deepFreeze({ ...data, index, term }), error: err };
  }
  const next = deepFreeze({ ...outcome.data, index, term });
  return outcome.result === undefined ? { data: next } : { data: next, result: deepFreeze(outcome.result) };
}

function dispatch(data: MetaData, cmd: MetaCommand): HandlerOutcome {
  switch (cmd.type) {
    case 'addNode':
      return addNode(data, cmd.address, cmd.httpAddress, cmd.clusterId);
    case 'updateNode':
      return updateNode(data, cmd.id, cmd.address, cmd.httpAddress);
    case 'removeNode':
      return removeNode(data, cmd.id, cmd.force);
    case 'createDatabase':
      return createDatabase(data, cmd.name, cmd.rp);
    case 'dropDatabase':
      return dropDatabase(data, cmd.name);
    case 'createRetentionPolicy':
      return createRetentionPolicy(data, cmd.db, cmd.rp, cmd.makeDefault);
    case 'alterRetentionPolicy':
      return alterRetentionPolicy(data, cmd.db, cmd.name, cmd.update, cmd.makeDefault);
    case 'dropRetentionPolicy':
      return dropRetentionPolicy(data, cmd.db, cmd.name);
    case 'setDefaultRetentionPolicy':
      return setDefaultRetentionPolicy(data, cmd.db, cmd.name);
    case 'createShardGroup':
      return createShardGroup(data, cmd.db, cmd.rp, BigInt(cmd.timestampNs));
    case 'deleteShardGroup':
      return deleteShardGroup(data, cmd.db, cmd.rp, cmd.id, BigInt(cmd.nowNs));
    case 'dropShard':
      return dropShard(data, cmd.id, BigInt(cmd.nowNs));
    case 'createContinuousQuery':
      return createContinuousQuery(data, cmd.db, cmd.name, cmd.query);
    case 'dropContinuousQuery':
      return dropContinuousQuery(data, cmd.db, cmd.name);
    case 'createUser':
      return createUser(data, cmd.name, cmd.hash, cmd.admin);
    case 'dropUser':
      return dropUser(data, cmd.name);
    case 'setUserPassword':
      return setUserPassword(data, cmd.name, cmd.hash);
    case 'setAdminPrivilege':
      return setAdminPrivilege(data, cmd.name, cmd.admin);
    case 'setPrivilege':
      return setPrivilege(data, cmd.name, cmd.db, cmd.privilege);
  }
}
