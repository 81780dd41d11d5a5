import {
  AbstractTSDBStore,
  DEFAULT_BLOCK_POINTS,
  type Logger,
  type Point,
  type ShardFieldTypes,
  type ShardReader,
  type TSDBStoreSupports,
} from '../../core/index.js';
import { MemoryShard } from './memory-shard.js';

/** Options of {@link MemoryTSDBStore}. */
export interface MemoryTSDBStoreOptions {
  /** Largest number of points in one scanned Block (default 1000). */
  readonly maxBlockPoints?: number;
  /** Logger (shard creation and deletion at debug level). */
  readonly logger?: Logger;
}

/**
 * A TSDBStore in memory: columnar per series and field, nothing persisted. The data lives as long as
 * the object: stop() then start() keeps it; a new instance starts empty.
 */
export class MemoryTSDBStore extends AbstractTSDBStore {
  readonly supports: TSDBStoreSupports = Object.freeze({ persistent: false, deletes: true, blockStats: false });
  readonly #shards = new Map<number, MemoryShard>();
  readonly #maxBlockPoints: number;
  readonly #logger: Logger | undefined;

  constructor(options: MemoryTSDBStoreOptions = {}) {
    super();
    const max = options.maxBlockPoints ?? DEFAULT_BLOCK_POINTS;
    if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('maxBlockPoints must be a positive integer');
    this.#maxBlockPoints = max;
    this.#logger = options.logger;
  }

  /** Approximate bytes held by the columns of one shard (0 when missing). */
  shardByteSize(shardId: number): number {
    return this.#shards.get(shardId)?.byteSize() ?? 0;
  }

  protected override async _createShard(db: string, rp: string, shardId: number): Promise<void> {
    this.#shards.set(shardId, new MemoryShard(db, rp, this.#maxBlockPoints));
    this.#logger?.debug({ shard: shardId, db, rp }, 'shard created');
  }

  protected override async _deleteShard(shardId: number): Promise<void> {
    this.#shards.get(shardId)?.clear();
    this.#shards.delete(shardId);
    this.#logger?.debug({ shard: shardId }, 'shard deleted');
  }

  protected override _shardIds(): number[] {
    return [...this.#shards.keys()].sort((a, b) => a - b);
  }

  protected override _shardInfo(shardId: number): { db: string; rp: string } | undefined {
    return this.#shards.get(shardId);
  }

  protected override _fieldTypes(shardId: number): ShardFieldTypes {
    return this.#shard(shardId).fieldTypes;
  }

  protected override async _write(shardId: number, points: readonly Point[]): Promise<void> {
    this.#shard(shardId).write(points);
  }

  protected override _reader(shardId: number): ShardReader {
    return this.#shard(shardId).reader();
  }

  protected override async _deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    this.#shard(shardId).deleteSeries(seriesKeys, tmin, tmax);
  }

  protected override async _deleteMeasurement(shardId: number, measurement: string): Promise<void> {
    this.#shard(shardId).deleteMeasurement(measurement);
  }

  #shard(shardId: number): MemoryShard {
    const shard = this.#shards.get(shardId);
    if (shard === undefined) throw new Error(`internal: shard ${shardId} vanished after the check`);
    return shard;
  }
}
