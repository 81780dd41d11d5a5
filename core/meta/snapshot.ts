import type {
  ContinuousQueryInfo,
  DatabaseInfo,
  MetaData,
  NodeInfo,
  Privilege,
  RetentionPolicyInfo,
  ShardGroupInfo,
  ShardInfo,
  UserInfo,
} from '../contracts/meta-store.js';
import { TesseraError } from '../errors.js';
import { PRIVILEGES } from './commands.js';
import { deepFreeze } from './meta-data.js';

const SNAPSHOT_VERSION = 1;

/** Encodes the whole state as UTF-8 JSON (bigints as decimal strings), with a format version. */
export function encodeSnapshot(data: MetaData): Uint8Array {
  const text = JSON.stringify({ v: SNAPSHOT_VERSION, data }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return Buffer.from(text, 'utf8');
}

/** Decodes and validates a snapshot into a deeply frozen MetaData; throws ERR_META_SNAPSHOT_CORRUPT. */
export function decodeSnapshot(bytes: Uint8Array): MetaData {
  let root: unknown;
  try {
    root = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new TesseraError('ERR_META_SNAPSHOT_CORRUPT', 'meta snapshot is corrupt: not JSON', { cause: err });
  }
  const r = obj(root, 'snapshot');
  if (r.v !== SNAPSHOT_VERSION) throw corrupt(`unsupported snapshot version ${String(r.v)}`);
  const d = obj(r.data, 'data');
  return deepFreeze({
    index: int(d.index, 'index'),
    term: int(d.term, 'term'),
    clusterId: str(d.clusterId, 'clusterId'),
    nodes: arr(d.nodes, 'nodes').map(node),
    databases: arr(d.databases, 'databases').map(database),
    users: arr(d.users, 'users').map(user),
    maxNodeId: int(d.maxNodeId, 'maxNodeId'),
    maxShardGroupId: int(d.maxShardGroupId, 'maxShardGroupId'),
    maxShardId: int(d.maxShardId, 'maxShardId'),
  });
}

function node(v: unknown): NodeInfo {
  const o = obj(v, 'node');
  const base = { id: int(o.id, 'node.id'), address: str(o.address, 'node.address') };
  return o.httpAddress === undefined ? base : { ...base, httpAddress: str(o.httpAddress, 'node.httpAddress') };
}

function database(v: unknown): DatabaseInfo {
  const o = obj(v, 'database');
  return {
    name: str(o.name, 'database.name'),
    defaultRetentionPolicy: str(o.defaultRetentionPolicy, 'database.defaultRetentionPolicy'),
    retentionPolicies: arr(o.retentionPolicies, 'retentionPolicies').map(policy),
    continuousQueries: arr(o.continuousQueries, 'continuousQueries').map(cq),
  };
}

function policy(v: unknown): RetentionPolicyInfo {
  const o = obj(v, 'retentionPolicy');
  return {
    name: str(o.name, 'rp.name'),
    replicaN: int(o.replicaN, 'rp.replicaN'),
    durationNs: big(o.durationNs, 'rp.durationNs'),
    shardGroupDurationNs: big(o.shardGroupDurationNs, 'rp.shardGroupDurationNs'),
    shardGroups: arr(o.shardGroups, 'shardGroups').map(group),
  };
}

function group(v: unknown): ShardGroupInfo {
  const o = obj(v, 'shardGroup');
  const base = {
    id: int(o.id, 'group.id'),
    startTime: big(o.startTime, 'group.startTime'),
    endTime: big(o.endTime, 'group.endTime'),
    shards: arr(o.shards, 'shards').map(shard),
  };
  return o.deletedAt === undefined ? base : { ...base, deletedAt: big(o.deletedAt, 'group.deletedAt') };
}

function shard(v: unknown): ShardInfo {
  const o = obj(v, 'shard');
  return { id: int(o.id, 'shard.id'), owners: arr(o.owners, 'shard.owners').map((x) => int(x, 'owner')) };
}

function cq(v: unknown): ContinuousQueryInfo {
  const o = obj(v, 'continuousQuery');
  return { name: str(o.name, 'cq.name'), query: str(o.query, 'cq.query') };
}

function user(v: unknown): UserInfo {
  const o = obj(v, 'user');
  const entries = Object.entries(obj(o.privileges, 'user.privileges'));
  for (const [, p] of entries) if (typeof p !== 'string' || !(PRIVILEGES as readonly string[]).includes(p)) throw corrupt('bad privilege');
  // fromEntries defines own properties, so a database named "__proto__" stays an ordinary key.
  const privileges = Object.fromEntries(entries) as Record<string, Privilege>;
  return { name: str(o.name, 'user.name'), hash: str(o.hash, 'user.hash'), admin: bool(o.admin, 'user.admin'), privileges };
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw corrupt(`${what} is not an object`);
  return v as Record<string, unknown>;
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw corrupt(`${what} is not an array`);
  return v;
}
function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw corrupt(`${what} is not a string`);
  return v;
}
function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupt(`${what} is not an integer`);
  return v;
}
function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw corrupt(`${what} is not a boolean`);
  return v;
}
function big(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^-?\d{1,20}$/.test(v)) throw corrupt(`${what} is not a decimal integer`);
  return BigInt(v);
}
function corrupt(detail: string): TesseraError {
  return new TesseraError('ERR_META_SNAPSHOT_CORRUPT', `meta snapshot is corrupt: ${detail}`);
}
