import type { Mapper, MapRequest } from '../contracts/mapper.js';
import type { MetaStore, ShardInfo } from '../contracts/meta-store.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import { createLocalMapper } from '../query/select/local-mapper.js';
import { MemoryShardReader } from '../query/select/memory-reader.js';

/**
 * Opens the mapper of one shard for a query. Local shards (owned by this node and held by the store)
 * use the store's own mapper when it has one, else core's local mapper over its reader.
 *
 * Seam for the cluster port: a shard not held here needs a RemoteMapper (map-shard request over
 * mux byte 2, chunks streamed back, failover to the next owner). Until that exists, such a shard is
 * an ERR_CLUSTER_REMOTE error, never silently skipped.
 */
export class ShardMapper {
  constructor(
    private readonly tsdb: Pick<TSDBStore, 'shardInfo' | 'reader' | 'createMapper'>,
    private readonly meta: Pick<MetaStore, 'nodeId'>,
  ) {}

  /** A mapper for `request` over `shard` (not yet opened). */
  async createMapper(shard: ShardInfo, request: MapRequest, chunkSize: number): Promise<Mapper> {
    if (this.tsdb.shardInfo(shard.id) !== undefined) {
      if (this.tsdb.createMapper !== undefined) return this.tsdb.createMapper(shard.id, request, chunkSize);
      return createLocalMapper(this.tsdb.reader(shard.id), request, chunkSize);
    }
    // Owned here but never written: an empty shard.
    if (shard.owners.includes(this.meta.nodeId())) return createLocalMapper(new MemoryShardReader(), request, chunkSize);
    return this.createRemoteMapper(shard, request, chunkSize);
  }

  /** The remote path (cluster port); not built yet. */
  protected async createRemoteMapper(shard: ShardInfo, _request: MapRequest, _chunkSize: number): Promise<Mapper> {
    const self = this.meta.nodeId();
    throw new TesseraError(
      'ERR_CLUSTER_REMOTE',
      `shard ${shard.id} is not held by node ${self} (owners ${shard.owners.join(',')}); remote mappers are not implemented yet`,
    );
  }
}
