import type { ConnPool } from '../contracts/conn-pool.js';
import type { Mapper, MapRequest } from '../contracts/mapper.js';
import type { MetaStore, ShardInfo } from '../contracts/meta-store.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { findShardLocation } from '../meta/meta-data.js';
import { createLocalMapper } from '../query/select/local-mapper.js';
import { MemoryShardReader } from '../query/select/memory-reader.js';
import { RemoteMapper } from './remote-mapper.js';

/** What the ShardMapper needs from the TSDBStore. */
export type ShardMapperStore = Pick<TSDBStore, 'shardInfo' | 'reader' | 'createMapper'>;
/** What the ShardMapper needs from the MetaStore (`data` only to map a shard owned here but not created yet). */
export type ShardMapperMeta = Pick<MetaStore, 'nodeId'> & Partial<Pick<MetaStore, 'data'>>;

/** The remote path: pooled cluster connections and the deadline for each chunk of a remote map. */
export interface ShardMapperRemote {
  readonly pool: Pick<ConnPool, 'get'>;
  /** Deadline for each response of a remote map stream (the first one included). */
  readonly chunkTimeoutMs: number;
  readonly maxFrameBytes?: number;
  readonly logger?: Logger;
  /** How long an owner that failed to answer is tried after the others (default 10 s). */
  readonly downCooldownMs?: number;
}

/**
 * Opens the mapper of one shard for a query. A shard held by this node's store maps locally (the store's
 * own mapper when it has one, else core's local mapper over its reader); a shard owned here but never
 * written maps as empty; any other shard maps remotely over the cluster port (map-shard request, chunks
 * streamed back) on one of its owners, failing over to the next owner while none has answered yet.
 * Owners are tried in rotation (replicas share the load), except that an owner that recently failed to
 * answer (dial, deadline, closed connection) is tried last for `downCooldownMs`.
 * Without `remote`, a shard not held here is an ERR_CLUSTER_REMOTE error, never silently skipped.
 */
export class ShardMapper {
  readonly #tsdb: ShardMapperStore;
  readonly #meta: ShardMapperMeta;
  readonly #remote: ShardMapperRemote | undefined;
  readonly #log: Logger;
  /** Rotates the first owner tried, so replicas share the remote map load. */
  #turn = 0;
  /** Owners that recently failed to answer, until when (ms epoch): tried last. */
  readonly #downUntil = new Map<number, number>();

  constructor(tsdb: ShardMapperStore, meta: ShardMapperMeta, remote?: ShardMapperRemote) {
    this.#tsdb = tsdb;
    this.#meta = meta;
    this.#remote = remote;
    this.#log = remote?.logger ?? silentLogger();
  }

  /** A mapper for `request` over `shard` (not yet opened). */
  async createMapper(shard: ShardInfo, request: MapRequest, chunkSize: number): Promise<Mapper> {
    if (this.#tsdb.shardInfo(shard.id) !== undefined) return this.#held(shard.id, request, chunkSize);
    const self = this.#meta.nodeId();
    // Owned here but never written: an empty shard.
    if (shard.owners.includes(self)) return createLocalMapper(new MemoryShardReader(), request, chunkSize);
    const owners = shard.owners.filter((o) => o !== self);
    if (!this.#remote || owners.length === 0) {
      throw new TesseraError(
        'ERR_CLUSTER_REMOTE',
        `shard ${shard.id} is not held by node ${self} (owners ${shard.owners.join(',') || 'none'}) and no remote owner can be asked`,
      );
    }
    const start = this.#turn++ % owners.length;
    const rotated = [...owners.slice(start), ...owners.slice(0, start)];
    const now = Date.now();
    const down = (o: number): boolean => (this.#downUntil.get(o) ?? 0) > now;
    const order = [...rotated.filter((o) => !down(o)), ...rotated.filter(down)];
    const cooldown = this.#remote.downCooldownMs ?? 10_000;
    return new RemoteMapper({
      onOwner: (owner, ok) => {
        if (ok) this.#downUntil.delete(owner);
        else this.#downUntil.set(owner, Date.now() + cooldown);
      },
      pool: this.#remote.pool,
      shardId: shard.id,
      owners: order,
      request,
      chunkSize,
      chunkTimeoutMs: this.#remote.chunkTimeoutMs,
      ...(this.#remote.maxFrameBytes === undefined ? {} : { maxFrameBytes: this.#remote.maxFrameBytes }),
      logger: this.#log,
    });
  }

  /**
   * The mapper of this node's copy of a shard (what the cluster service runs for a map-shard request):
   * the held shard, or an empty one when meta says this node owns it but it was never written here.
   * ERR_TSDB_SHARD_NOT_FOUND otherwise.
   */
  localMapper(shardId: number, request: MapRequest, chunkSize: number): Mapper {
    if (this.#tsdb.shardInfo(shardId) !== undefined) return this.#held(shardId, request, chunkSize);
    const self = this.#meta.nodeId();
    const loc = this.#meta.data ? findShardLocation(this.#meta.data(), shardId) : undefined;
    if (loc?.shard.owners.includes(self)) return createLocalMapper(new MemoryShardReader(), request, chunkSize);
    throw new TesseraError('ERR_TSDB_SHARD_NOT_FOUND', `shard ${shardId} not found on node ${self}`);
  }

  #held(shardId: number, request: MapRequest, chunkSize: number): Mapper {
    if (this.#tsdb.createMapper !== undefined) return this.#tsdb.createMapper(shardId, request, chunkSize);
    return createLocalMapper(this.#tsdb.reader(shardId), request, chunkSize);
  }
}
