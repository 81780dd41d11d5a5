import type { MetaStore, RetentionPolicyInfo, ShardGroupInfo } from '../contracts/meta-store.js';
import type { TSDBStore, WriteShardResult } from '../contracts/tsdb-store.js';
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

/**
 * Sends one shard's points to a remote owner (the cluster port's ShardWriter). May resolve with the
 * points the owner dropped (field type conflicts), as the local store reports them.
 */
export interface RemoteShardWriter {
  writeShard(shardId: number, ownerId: number, points: readonly Point[]): Promise<WriteShardResult | void>;
}

/** Options of the PointsWriter. */
export interface PointsWriterOptions {
  /**
   * Per shard: how long to wait for the consistency level's acknowledgements (InfluxDB's
   * `write-timeout`); then the write fails with `timeout`. Default 10 s.
   */
  readonly writeTimeoutMs?: number;
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

/** Counters, named as InfluxDB's "write" statistics (writeOk/writePartial/writeTimeout per shard, writeError per failed owner). */
export interface PointsWriterStats {
  req: number;
  pointReq: number;
  pointReqLocal: number;
  pointReqRemote: number;
  writeOk: number;
  writePartial: number;
  writeTimeout: number;
  writeError: number;
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

  readonly #writeTimeoutMs: number;
  readonly stats: PointsWriterStats = {
    req: 0,
    pointReq: 0,
    pointReqLocal: 0,
    pointReqRemote: 0,
    writeOk: 0,
    writePartial: 0,
    writeTimeout: 0,
    writeError: 0,
  };

  constructor(meta: PointsWriterMeta, store: PointsWriterStore, logger: Logger, remote?: RemoteShardWriter, options: PointsWriterOptions = {}) {
    this.#meta = meta;
    this.#store = store;
    this.#log = logger;
    this.#remote = remote;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
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
    this.stats.req++;
    this.stats.pointReq += points.length;
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

  /**
   * Writes a shard's points to every owner in parallel and settles as soon as the consistency level's
   * acks are in (slower owners keep going), or when every owner has answered, or at the write timeout:
   * then `timeout` (even with some acks), else `partial write` when some owner acked, else
   * `write failed: <first error>`. Drops are the largest count any acked owner reported before settling.
   */
  #writeShard(db: string, rp: string, batch: ShardBatch, consistency: ConsistencyLevel): Promise<{ points: number; dropped: number; error?: string }> {
    const self = this.#meta.nodeId();
    const needed = requiredAcks(consistency, batch.owners.length);
    const owners = batch.owners;
    return new Promise((resolve, reject) => {
      let acks = 0;
      let answered = 0;
      let dropped = 0;
      let error: string | undefined;
      let settled = false;
      const failures: string[] = [];
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.stats.writeTimeout++;
        this.#log.warn({ shard: batch.shardId, acks, needed }, 'write timeout');
        reject(new TesseraError('ERR_CLUSTER_TIMEOUT', 'timeout'));
      }, this.#writeTimeoutMs);
      const check = (): void => {
        if (settled) return;
        if (acks >= needed) {
          settled = true;
          this.stats.writeOk++;
          clearTimeout(timer);
          resolve(error === undefined ? { points: batch.points.length, dropped } : { points: batch.points.length, dropped, error });
        } else if (answered === owners.length) {
          settled = true;
          clearTimeout(timer);
          if (acks > 0) {
            this.stats.writePartial++;
            reject(new TesseraError('ERR_CLUSTER_REMOTE', 'partial write'));
          } else reject(new TesseraError('ERR_CLUSTER_REMOTE', `write failed: ${failures[0] ?? 'no owner acknowledged'}`));
        }
      };
      if (owners.length === 0) {
        check(); // nothing to wait for: acked when the level needs none, else failed
        return;
      }
      for (const owner of owners) {
        this.#writeOwner(db, rp, batch, owner, self).then(
          (r) => {
            answered++;
            acks++;
            if (r && r.dropped > 0) {
              dropped = Math.max(dropped, r.dropped);
              if (error === undefined && r.error !== undefined) error = r.error;
            }
            check();
          },
          (err: unknown) => {
            answered++;
            this.stats.writeError++;
            this.#log.warn({ shard: batch.shardId, owner, err }, 'write to shard owner failed');
            failures.push(err instanceof Error ? err.message : String(err));
            check();
          },
        );
      }
    });
  }

  async #writeOwner(db: string, rp: string, batch: ShardBatch, owner: number, self: number): Promise<WriteShardResult | void> {
    if (owner === self) {
      this.stats.pointReqLocal += batch.points.length;
      if (!this.#store.shardInfo(batch.shardId)) await this.#ensureShard(db, rp, batch.shardId);
      return this.#store.writeToShard(batch.shardId, batch.points);
    }
    this.stats.pointReqRemote += batch.points.length;
    if (this.#remote) return this.#remote.writeShard(batch.shardId, owner, batch.points);
    throw new Error(`no route to node ${owner}: the cluster port is not available`);
  }
}
