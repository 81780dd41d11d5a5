import type { MetaData, RetentionPolicyInfo, ShardGroupInfo, ShardInfo } from '../contracts/meta-store.js';
import { MAX_TIME } from '../model/point.js';
import { truncateGo } from './durations.js';
import { findDatabase, policyGroupByTimestamp, policyOf } from './meta-data.js';
import { databaseNotFound, metaError, policyNotFound, putDatabase, putPolicy, type HandlerOutcome } from './update-helpers.js';

function resolvePolicy(data: MetaData, dbName: string, rpName: string): RetentionPolicyInfo {
  const db = findDatabase(data, dbName);
  if (db === undefined) throw databaseNotFound(dbName);
  const rp = policyOf(db, rpName);
  if (rp === undefined) throw policyNotFound(rpName === '' ? db.defaultRetentionPolicy : rpName);
  return rp;
}

/** Orders groups as InfluxDB does: by end time, then start time. */
function compareGroups(a: ShardGroupInfo, b: ShardGroupInfo): number {
  if (a.endTime !== b.endTime) return a.endTime < b.endTime ? -1 : 1;
  return a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0;
}

/**
 * Creates the group of db/rp ('' = default) containing `t` (result: the group; the existing one when a
 * non-deleted group already contains `t`). Start = Go truncation of t by the shard group duration,
 * end = start + duration (capped at MaxNanoTime + 1). Shards = nodes / replicaN (replicaN clamped to
 * 1..nodes); owners round-robin over the nodes (ID order) starting at `data.index % nodes`, the index of
 * the last command applied before this one (InfluxDB 0.9/0.10's Data.CreateShardGroup).
 */
export function createShardGroup(data: MetaData, dbName: string, rpName: string, t: bigint): HandlerOutcome {
  if (data.nodes.length === 0) throw metaError('ERR_META_NODES_REQUIRED');
  const rp = resolvePolicy(data, dbName, rpName);
  const existing = policyGroupByTimestamp(rp, t);
  if (existing !== undefined) return { data, result: existing };

  const nodeCount = data.nodes.length;
  const replicaN = Math.min(Math.max(rp.replicaN, 1), nodeCount);
  const shardN = Math.floor(nodeCount / replicaN);
  let nodeIndex = data.index % nodeCount;
  let maxShardId = data.maxShardId;
  const shards: ShardInfo[] = [];
  for (let i = 0; i < shardN; i++) {
    const owners: number[] = [];
    for (let j = 0; j < replicaN; j++) {
      owners.push(data.nodes[nodeIndex % nodeCount]!.id);
      nodeIndex++;
    }
    shards.push({ id: ++maxShardId, owners });
  }
  const startTime = truncateGo(t, rp.shardGroupDurationNs);
  let endTime = startTime + rp.shardGroupDurationNs;
  if (endTime > MAX_TIME) endTime = MAX_TIME + 1n;
  const group: ShardGroupInfo = { id: data.maxShardGroupId + 1, startTime, endTime, shards };
  const shardGroups = [...rp.shardGroups, group].sort(compareGroups);
  const db = findDatabase(data, dbName)!;
  const next = putDatabase(data, putPolicy(db, rp.name, { ...rp, shardGroups }));
  return { data: { ...next, maxShardGroupId: group.id, maxShardId }, result: group };
}

/**
 * Soft-deletes a group: sets `deletedAt` (the proposer's clock, carried by the command); the group stays
 * as a tombstone and every lookup skips it. Deleting a deleted group keeps its first deletion time.
 */
export function deleteShardGroup(data: MetaData, dbName: string, rpName: string, id: number, nowNs: bigint): HandlerOutcome {
  const rp = resolvePolicy(data, dbName, rpName);
  const i = rp.shardGroups.findIndex((g) => g.id === id);
  if (i < 0) throw metaError('ERR_META_SHARD_GROUP_NOT_FOUND');
  if (rp.shardGroups[i]!.deletedAt !== undefined) return { data };
  const shardGroups = rp.shardGroups.map((g, j) => (j === i ? { ...g, deletedAt: nowNs } : g));
  const db = findDatabase(data, dbName)!;
  return { data: putDatabase(data, putPolicy(db, rp.name, { ...rp, shardGroups })) };
}

/**
 * DROP SHARD (InfluxDB 1.x's Data.DropShard): removes the shard from its group; dropping a group's last
 * shard soft-deletes the group. An unknown ID is not an error, so the command can be re-run.
 */
export function dropShard(data: MetaData, id: number, nowNs: bigint): HandlerOutcome {
  for (const db of data.databases)
    for (const rp of db.retentionPolicies)
      for (const g of rp.shardGroups) {
        if (!g.shards.some((s) => s.id === id)) continue;
        const shards = g.shards.filter((s) => s.id !== id);
        const group: ShardGroupInfo =
          shards.length === 0 && g.deletedAt === undefined ? { ...g, shards, deletedAt: nowNs } : { ...g, shards };
        const shardGroups = rp.shardGroups.map((x) => (x === g ? group : x));
        return { data: putDatabase(data, putPolicy(db, rp.name, { ...rp, shardGroups })) };
      }
  return { data };
}
