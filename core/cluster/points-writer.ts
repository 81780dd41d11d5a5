import type { MetaStore, RetentionPolicyInfo, ShardGroupInfo } from '../contracts/meta-store.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import type { Logger } from '../logger.js';
import { shardIndexFor } from '../model/hash.js';
import type { WriteDrop } from '../model/line-protocol-errors.js';
import type { Point } from '../model/point.js';
import { type ConsistencyLevel, requiredAcks } from './consistency.js';

/** What the PointsWriter needs from the MetaStore. */
export type PointsWriterMeta = Pick<MetaStore, 'nodeId' | 'database' | 'retentionPolicy' | 'createShardGroupIfNotExists'>;
/** What the PointsWriter needs from the TSDBStore. */
export type PointsWriterStore = Pick<TSDBStore, 'shardInfo' | 'createShard' | 'writeToShard'>;

/** Sends one shard's points to a remote owner (the cluster port's ShardWriter). */
export interface RemoteShardWriter {
  writeShard(shardId: number, ownerId: number, points: readonly Point[]): Promise<void>;
}

/** Outcome of a write: points written, and the points dropped with InfluxDB's reason. */
export interface WritePointsResult {
  readonly written: number;
  /**
   * Dropped points: the first shard that dropped any (field type conflicts) with its count, as InfluxDB
   * reports it; `points beyond retention policy` only when no shard dropped anything.
   */
  readonly drop?: WriteDrop;
}

/** A point routed to its shard. */
interface ShardBatch {
  readonly group: ShardGroupInfo;
  readonly shardId: number;
  readonly owners: readonly number[];
  readonly points: Point[];
}

/**
 * Maps points to shards and writes them to every owner (the seed's PointsWriter):
 * shard group = the group containing the point's time (created in meta on a miss), shard = fnv1a64(series
 * key) mod shards in the group; local owners through the TSDBStore, remote ones through the ShardWriter.
 */
export class PointsWriter {
  readonly #meta: PointsWriterMeta;
  readonly #store: PointsWriterStore;
  readonly #remote: RemoteShardWriter | undefined;
  readonly #log: Logger;
  /** createShard calls in flight, so concurrent writes to a new shard create it once. */
  readonly #creating = new Map<number, Promise<void>>();

  constructor(meta: PointsWriterMeta, store: PointsWriterStore, logger: Logger, remote?: RemoteShardWriter) {
    this.#meta = meta;
    this.#store = store;
    this.#log = logger;
    this.#remote = remote;
  }

  /**
   * Writes points to (db, rp); rp '' = the default policy. Throws ERR_META_DATABASE_NOT_FOUND /
   * ERR_META_RP_NOT_FOUND, or ERR_CLUSTER_REMOTE ("write failed: ...") when a shard cannot reach the
   * consistency level. Points older than the policy's retention are dropped and reported.
   */
  async writePoints(
    db: string,
    rp: string,
    consistency: ConsistencyLevel,
    points: readonly Point[],
    nowNs: bigint,
  ): Promise<WritePointsResult> {
    if (!this.#meta.database(db)) {
      throw new TesseraError('ERR_META_DATABASE_NOT_FOUND', `database not found: "${db}"`);
    }
    const policy = this.#meta.retentionPolicy(db, rp);
    if (!policy) {
      throw new TesseraError('ERR_META_RP_NOT_FOUND', `retention policy not found: ${rp}`);
    }
    const { batches, beyondRetention } = await this.#mapShards(db, policy, points, nowNs);
    const results = await Promise.all(batches.map((b) => this.#writeShard(db, policy.name, b, consistency)));
    let written = 0;
    let drop: WriteDrop | undefined;
    for (const r of results) {
      written += r.points - r.dropped;
      if (!drop && r.dropped > 0) drop = { reason: r.error ?? 'dropped', dropped: r.dropped };
    }
    if (!drop && beyondRetention > 0) drop = { reason: 'points beyond retention policy', dropped: beyondRetention };
    return drop ? { written, drop } : { written };
  }

  async #mapShards(db: string, policy: RetentionPolicyInfo, points: readonly Point[], nowNs: bigint) {
    const minTime = policy.durationNs > 0n ? nowNs - policy.durationNs : undefined;
    const batches = new Map<number, ShardBatch>();
    let beyondRetention = 0;
    let group: ShardGroupInfo | undefined;
    for (const p of points) {
      if (minTime !== undefined && p.time < minTime) {
        beyondRetention++;
        continue;
      }
      if (!group || p.time < group.startTime || p.time >= group.endTime) {
        group = await this.#meta.createShardGroupIfNotExists(db, policy.name, p.time);
      }
      const shard = group.shards[shardIndexFor(p.key, group.shards.length)];
      if (!shard) throw new TesseraError('ERR_META_SHARD_GROUP_NOT_FOUND', `shard group ${group.id} has no shards`);
      let batch = batches.get(shard.id);
      if (!batch) {
        batch = { group, shardId: shard.id, owners: shard.owners, points: [] };
        batches.set(shard.id, batch);
      }
      batch.points.push(p);
    }
    return { batches: [...batches.values()], beyondRetention };
  }

  #ensureShard(db: string, rp: string, shardId: number): Promise<void> {
    let p = this.#creating.get(shardId);
    if (!p) {
      p = this.#store.createShard(db, rp, shardId).finally(() => this.#creating.delete(shardId));
      this.#creating.set(shardId, p);
    }
    return p;
  }

  async #writeShard(db: string, rp: string, batch: ShardBatch, consistency: ConsistencyLevel) {
    const self = this.#meta.nodeId();
    const needed = requiredAcks(consistency, batch.owners.length);
    let acks = 0;
    let dropped = 0;
    let error: string | undefined;
    const failures: string[] = [];
    await Promise.all(
      batch.owners.map(async (owner) => {
        try {
          if (owner === self) {
            if (!this.#store.shardInfo(batch.shardId)) await this.#ensureShard(db, rp, batch.shardId);
            const r = await this.#store.writeToShard(batch.shardId, batch.points);
            dropped = Math.max(dropped, r.dropped);
            if (r.error && !error) error = r.error;
          } else if (this.#remote) {
            await this.#remote.writeShard(batch.shardId, owner, batch.points);
          } else {
            throw new Error(`no route to node ${owner}: the cluster port is not available`);
          }
          acks++;
        } catch (err) {
          this.#log.warn({ shard: batch.shardId, owner, err }, 'write to shard owner failed');
          failures.push((err as Error).message);
        }
      }),
    );
    if (acks < needed) {
      if (acks > 0) throw new TesseraError('ERR_CLUSTER_REMOTE', 'partial write');
      throw new TesseraError('ERR_CLUSTER_REMOTE', `write failed: ${failures[0] ?? 'no owner acknowledged'}`);
    }
    return { points: batch.points.length, dropped, error };
  }
}
