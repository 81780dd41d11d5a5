import type { MetaData, ShardGroupInfo } from '../contracts/meta-store.js';
import { policyGroupByTimestamp } from './meta-data.js';

/** A group of a database's policy. */
export interface GroupRef {
  readonly database: string;
  readonly retentionPolicy: string;
  readonly group: ShardGroupInfo;
}

/** A group to create: the time it must contain. */
export interface GroupToCreate {
  readonly database: string;
  readonly retentionPolicy: string;
  readonly timestampNs: bigint;
}

/**
 * Groups whose data is past retention at `nowNs` (InfluxDB's retention service, leader side): non-deleted
 * groups of policies with a finite duration where end + duration < now. Delete them with deleteShardGroup.
 */
export function expiredGroups(data: MetaData, nowNs: bigint): GroupRef[] {
  const out: GroupRef[] = [];
  for (const d of data.databases)
    for (const p of d.retentionPolicies) {
      if (p.durationNs === 0n) continue;
      for (const g of p.shardGroups)
        if (g.deletedAt === undefined && g.endTime + p.durationNs < nowNs) out.push({ database: d.name, retentionPolicy: p.name, group: g });
    }
  return out;
}

/** Soft-deleted groups (tombstones): their shards may be removed from every node's TSDB store. */
export function deletedGroups(data: MetaData): GroupRef[] {
  const out: GroupRef[] = [];
  for (const d of data.databases)
    for (const p of d.retentionPolicies)
      for (const g of p.shardGroups) if (g.deletedAt !== undefined) out.push({ database: d.name, retentionPolicy: p.name, group: g });
  return out;
}

/**
 * The groups the precreation service should create (InfluxDB's PrecreateShardGroups): for each policy,
 * when its last group in time is not deleted and ends strictly between `fromNs` and `toNs`, the group
 * containing end + 1ns, unless it exists. Groups wholly in the past are never precreated.
 */
export function groupsToPrecreate(data: MetaData, fromNs: bigint, toNs: bigint): GroupToCreate[] {
  const out: GroupToCreate[] = [];
  for (const d of data.databases)
    for (const p of d.retentionPolicies) {
      const last = p.shardGroups.at(-1);
      if (last === undefined || last.deletedAt !== undefined) continue;
      if (!(last.endTime < toNs && last.endTime > fromNs)) continue;
      const next = last.endTime + 1n;
      if (policyGroupByTimestamp(p, next) !== undefined) continue;
      out.push({ database: d.name, retentionPolicy: p.name, timestampNs: next });
    }
  return out;
}
