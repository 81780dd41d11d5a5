import type {
  DatabaseInfo,
  MetaData,
  NodeInfo,
  RetentionPolicyInfo,
  ShardGroupInfo,
  ShardInfo,
  UserInfo,
} from '../contracts/meta-store.js';

/** The state before any command: no nodes, databases or users; index 0. */
export function emptyMetaData(): MetaData {
  return deepFreeze({
    index: 0,
    term: 0,
    clusterId: '',
    nodes: [],
    databases: [],
    users: [],
    maxNodeId: 0,
    maxShardGroupId: 0,
    maxShardId: 0,
  });
}

/** The database named `name`, or undefined. */
export function findDatabase(data: MetaData, name: string): DatabaseInfo | undefined {
  return data.databases.find((d) => d.name === name);
}

/**
 * The policy `rp` of `db` ('' = the database's default policy); undefined when the database or policy is
 * missing. The default may name a dropped policy (InfluxDB 1.x keeps the name): then this is undefined.
 */
export function findRetentionPolicy(data: MetaData, db: string, rp: string): RetentionPolicyInfo | undefined {
  const d = findDatabase(data, db);
  return d === undefined ? undefined : policyOf(d, rp);
}

/** The policy `rp` of a database ('' = its default). */
export function policyOf(db: DatabaseInfo, rp: string): RetentionPolicyInfo | undefined {
  const name = rp === '' ? db.defaultRetentionPolicy : rp;
  if (name === '') return undefined;
  return db.retentionPolicies.find((p) => p.name === name);
}

/** The node with ID `id`, or undefined. */
export function findNode(data: MetaData, id: number): NodeInfo | undefined {
  return data.nodes.find((n) => n.id === id);
}

/** The user named `name`, or undefined. */
export function findUser(data: MetaData, name: string): UserInfo | undefined {
  return data.users.find((u) => u.name === name);
}

/** True when the group contains `t`: start <= t < end. */
export function groupContains(g: ShardGroupInfo, t: bigint): boolean {
  return g.startTime <= t && g.endTime > t;
}

/** True when the group overlaps [tmin, tmax] (both inclusive): start <= tmax && end > tmin. */
export function groupOverlaps(g: ShardGroupInfo, tmin: bigint, tmax: bigint): boolean {
  return g.startTime <= tmax && g.endTime > tmin;
}

/** The non-deleted group of a policy containing `t`, or undefined. */
export function policyGroupByTimestamp(rp: RetentionPolicyInfo, t: bigint): ShardGroupInfo | undefined {
  // Groups are sorted by end time, and writes mostly hit the newest ones: scan from the end and stop at
  // the first group ending at or before t. Return the first match in stored order (as InfluxDB does)
  // should groups overlap after a change of shard duration.
  let found: ShardGroupInfo | undefined;
  const groups = rp.shardGroups;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (g.endTime <= t) break;
    if (g.deletedAt === undefined && g.startTime <= t) found = g;
  }
  return found;
}

/** The non-deleted group of db/rp ('' = default) containing `t`, or undefined. */
export function shardGroupByTimestamp(data: MetaData, db: string, rp: string, t: bigint): ShardGroupInfo | undefined {
  const p = findRetentionPolicy(data, db, rp);
  return p === undefined ? undefined : policyGroupByTimestamp(p, t);
}

/** Non-deleted groups of db/rp ('' = default) overlapping [tmin, tmax], in stored (time) order. */
export function shardGroupsByTimeRange(data: MetaData, db: string, rp: string, tmin: bigint, tmax: bigint): ShardGroupInfo[] {
  const p = findRetentionPolicy(data, db, rp);
  if (p === undefined) return [];
  return p.shardGroups.filter((g) => g.deletedAt === undefined && groupOverlaps(g, tmin, tmax));
}

/**
 * Every shard ID of a database (or of one of its policies when `rp` is given and not ''), deleted groups
 * included, ascending. The TSDB side uses it to delete a dropped database's or policy's shards: call it
 * on the data from before the drop.
 */
export function shardIdsOf(data: MetaData, db: string, rp?: string): number[] {
  const d = findDatabase(data, db);
  if (d === undefined) return [];
  const ids: number[] = [];
  for (const p of d.retentionPolicies) {
    if (rp !== undefined && rp !== '' && p.name !== rp) continue;
    for (const g of p.shardGroups) for (const s of g.shards) ids.push(s.id);
  }
  return ids.sort((a, b) => a - b);
}

/** Where a shard lives: its database, policy, group and shard info. */
export interface ShardLocation {
  readonly database: string;
  readonly retentionPolicy: string;
  readonly group: ShardGroupInfo;
  readonly shard: ShardInfo;
}

/**
 * The database, policy and group of a live shard (InfluxDB's ShardOwner): what a node needs to create a
 * shard it is asked to write. Undefined when the shard is unknown or its group is deleted.
 */
export function findShardLocation(data: MetaData, shardId: number): ShardLocation | undefined {
  for (const d of data.databases)
    for (const p of d.retentionPolicies)
      for (const g of p.shardGroups) {
        if (g.deletedAt !== undefined) continue;
        const shard = g.shards.find((s) => s.id === shardId);
        if (shard !== undefined) return { database: d.name, retentionPolicy: p.name, group: g, shard };
      }
  return undefined;
}

/** Every shard ID that is still reachable (a non-deleted group of an existing policy), ascending. */
export function liveShardIds(data: MetaData): number[] {
  const ids: number[] = [];
  for (const d of data.databases)
    for (const p of d.retentionPolicies)
      for (const g of p.shardGroups) if (g.deletedAt === undefined) for (const s of g.shards) ids.push(s.id);
  return ids.sort((a, b) => a - b);
}

/** Non-deleted groups of a policy whose data is past retention: duration != 0 and end + duration < now. */
export function expiredShardGroups(rp: RetentionPolicyInfo, nowNs: bigint): ShardGroupInfo[] {
  if (rp.durationNs === 0n) return [];
  return rp.shardGroups.filter((g) => g.deletedAt === undefined && g.endTime + rp.durationNs < nowNs);
}

/**
 * Freezes a value and everything reachable from it, stopping at objects that are already frozen (the
 * unchanged parts of an immutable update are shared and were frozen before).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
