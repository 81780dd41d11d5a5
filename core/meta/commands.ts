import { TesseraError } from '../errors.js';
import type { Privilege, RetentionPolicySpec, RetentionPolicyUpdate } from '../contracts/meta-store.js';

/** A retention policy spec inside a command; durations are decimal ns strings. */
export interface RetentionPolicySpecJson {
  readonly name: string;
  readonly durationNs?: string;
  readonly replicaN?: number;
  /** '0' or absent = computed from the duration. */
  readonly shardGroupDurationNs?: string;
}

/** A retention policy update inside a command; absent fields are left unchanged. */
export interface RetentionPolicyUpdateJson {
  readonly name?: string;
  readonly durationNs?: string;
  readonly replicaN?: number;
  readonly shardGroupDurationNs?: string;
}

/**
 * One meta command: a plain JSON value (bigints as decimal strings). Whatever needs a clock or randomness
 * carries it (`nowNs`, `clusterId`), so applying a command is deterministic.
 */
export type MetaCommand =
  | { readonly type: 'addNode'; readonly address: string; readonly httpAddress?: string; readonly clusterId?: string }
  | { readonly type: 'updateNode'; readonly id: number; readonly address: string; readonly httpAddress?: string }
  | { readonly type: 'removeNode'; readonly id: number; readonly force: boolean }
  | { readonly type: 'createDatabase'; readonly name: string; readonly rp?: RetentionPolicySpecJson }
  | { readonly type: 'dropDatabase'; readonly name: string }
  | { readonly type: 'createRetentionPolicy'; readonly db: string; readonly rp: RetentionPolicySpecJson; readonly makeDefault: boolean }
  | {
      readonly type: 'alterRetentionPolicy';
      readonly db: string;
      readonly name: string;
      readonly update: RetentionPolicyUpdateJson;
      readonly makeDefault: boolean;
    }
  | { readonly type: 'dropRetentionPolicy'; readonly db: string; readonly name: string }
  | { readonly type: 'setDefaultRetentionPolicy'; readonly db: string; readonly name: string }
  | { readonly type: 'createShardGroup'; readonly db: string; readonly rp: string; readonly timestampNs: string }
  | { readonly type: 'deleteShardGroup'; readonly db: string; readonly rp: string; readonly id: number; readonly nowNs: string }
  | { readonly type: 'dropShard'; readonly id: number; readonly nowNs: string }
  | { readonly type: 'createContinuousQuery'; readonly db: string; readonly name: string; readonly query: string }
  | { readonly type: 'dropContinuousQuery'; readonly db: string; readonly name: string }
  | { readonly type: 'createUser'; readonly name: string; readonly hash: string; readonly admin: boolean }
  | { readonly type: 'dropUser'; readonly name: string }
  | { readonly type: 'setUserPassword'; readonly name: string; readonly hash: string }
  | { readonly type: 'setAdminPrivilege'; readonly name: string; readonly admin: boolean }
  | { readonly type: 'setPrivilege'; readonly name: string; readonly db: string; readonly privilege: Privilege };

/** The `type` tags of every meta command. */
export type MetaCommandType = MetaCommand['type'];

type FieldKind = 'string' | 'int' | 'bool' | 'ns' | 'spec' | 'update' | 'privilege';
type FieldRule = readonly [kind: FieldKind, optional?: 'optional'];

// The schema of every command: decodeCommand checks each record read back from disk or the network.
const SCHEMA: Readonly<Record<MetaCommandType, Readonly<Record<string, FieldRule>>>> = {
  addNode: { address: ['string'], httpAddress: ['string', 'optional'], clusterId: ['ns', 'optional'] },
  updateNode: { id: ['int'], address: ['string'], httpAddress: ['string', 'optional'] },
  removeNode: { id: ['int'], force: ['bool'] },
  createDatabase: { name: ['string'], rp: ['spec', 'optional'] },
  dropDatabase: { name: ['string'] },
  createRetentionPolicy: { db: ['string'], rp: ['spec'], makeDefault: ['bool'] },
  alterRetentionPolicy: { db: ['string'], name: ['string'], update: ['update'], makeDefault: ['bool'] },
  dropRetentionPolicy: { db: ['string'], name: ['string'] },
  setDefaultRetentionPolicy: { db: ['string'], name: ['string'] },
  createShardGroup: { db: ['string'], rp: ['string'], timestampNs: ['ns'] },
  deleteShardGroup: { db: ['string'], rp: ['string'], id: ['int'], nowNs: ['ns'] },
  dropShard: { id: ['int'], nowNs: ['ns'] },
  createContinuousQuery: { db: ['string'], name: ['string'], query: ['string'] },
  dropContinuousQuery: { db: ['string'], name: ['string'] },
  createUser: { name: ['string'], hash: ['string'], admin: ['bool'] },
  dropUser: { name: ['string'] },
  setUserPassword: { name: ['string'], hash: ['string'] },
  setAdminPrivilege: { name: ['string'], admin: ['bool'] },
  setPrivilege: { name: ['string'], db: ['string'], privilege: ['privilege'] },
};

/** Every privilege a user can hold on a database. */
export const PRIVILEGES: readonly Privilege[] = ['READ', 'WRITE', 'ALL', 'NO PRIVILEGES'];
const POLICY_FIELDS = { durationNs: ['ns', 'optional'], replicaN: ['int', 'optional'], shardGroupDurationNs: ['ns', 'optional'] } as const;
const SPEC_RULES: Readonly<Record<string, FieldRule>> = { name: ['string'], ...POLICY_FIELDS };
const UPDATE_RULES: Readonly<Record<string, FieldRule>> = { name: ['string', 'optional'], ...POLICY_FIELDS };
const NS_RE = /^-?(0|[1-9]\d{0,18})$/;

/** Encodes a command as UTF-8 JSON (what the meta log and Raft carry). */
export function encodeCommand(cmd: MetaCommand): Uint8Array {
  return Buffer.from(JSON.stringify(cmd), 'utf8');
}

/** Decodes and validates a command; throws ERR_META_COMMAND_INVALID on anything malformed. */
export function decodeCommand(bytes: Uint8Array): MetaCommand {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new TesseraError('ERR_META_COMMAND_INVALID', 'invalid meta command: not JSON', { cause: err });
  }
  validateCommand(value);
  return value;
}

/** Throws ERR_META_COMMAND_INVALID unless `value` is a well-formed MetaCommand. */
export function validateCommand(value: unknown): asserts value is MetaCommand {
  if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(SCHEMA, value.type)) {
    throw invalid('unknown command type');
  }
  checkFields(value, SCHEMA[value.type as MetaCommandType], value.type, true);
}

function checkFields(obj: Record<string, unknown>, rules: Readonly<Record<string, FieldRule>>, where: string, top = false): void {
  for (const key of Object.keys(obj)) {
    if (!(top && key === 'type') && !Object.hasOwn(rules, key)) throw invalid(`${where}: unknown field ${key}`);
  }
  for (const [key, [kind, optional]] of Object.entries(rules)) {
    const v = obj[key];
    if (v === undefined) {
      if (optional) continue;
      throw invalid(`${where}: missing ${key}`);
    }
    if (!checkKind(v, kind)) throw invalid(`${where}: bad ${key}`);
  }
}

function checkKind(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'ns':
      return typeof v === 'string' && NS_RE.test(v);
    case 'privilege':
      return typeof v === 'string' && (PRIVILEGES as readonly string[]).includes(v);
    case 'spec':
      if (!isRecord(v)) return false;
      checkFields(v, SPEC_RULES, 'rp');
      return true;
    case 'update':
      if (!isRecord(v)) return false;
      checkFields(v, UPDATE_RULES, 'update');
      return true;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(detail: string): TesseraError {
  return new TesseraError('ERR_META_COMMAND_INVALID', `invalid meta command: ${detail}`);
}

/** A contract RetentionPolicySpec as it travels in a command (bigints as decimal strings). */
export function specToJson(spec: RetentionPolicySpec): RetentionPolicySpecJson {
  return {
    name: spec.name,
    ...(spec.durationNs === undefined ? {} : { durationNs: spec.durationNs.toString() }),
    ...(spec.replicaN === undefined ? {} : { replicaN: spec.replicaN }),
    ...(spec.shardGroupDurationNs === undefined ? {} : { shardGroupDurationNs: spec.shardGroupDurationNs.toString() }),
  };
}

/** A contract RetentionPolicyUpdate as it travels in a command. */
export function updateToJson(u: RetentionPolicyUpdate): RetentionPolicyUpdateJson {
  return {
    ...(u.name === undefined ? {} : { name: u.name }),
    ...(u.durationNs === undefined ? {} : { durationNs: u.durationNs.toString() }),
    ...(u.replicaN === undefined ? {} : { replicaN: u.replicaN }),
    ...(u.shardGroupDurationNs === undefined ? {} : { shardGroupDurationNs: u.shardGroupDurationNs.toString() }),
  };
}
