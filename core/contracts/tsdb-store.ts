import type { Service } from '../lifecycle.js';
import type { FieldType, Point, Tag } from '../model/point.js';
import { createToken } from '../tokens.js';
import type { SeriesIndex } from '../tsdb/series-index.js';
import type { Mapper, MapRequest } from './mapper.js';

/** What a TSDBStore can do; read by callers and by the conformance suite (which skips visibly). */
export interface TSDBStoreSupports {
  /** Acknowledged writes survive a restart (and kill -9) of the process. */
  readonly persistent: boolean;
  /** deleteSeries / deleteMeasurement with time ranges. */
  readonly deletes: boolean;
  /** Blocks carry statistics (count/min/max/sum/first/last) usable without decoding. */
  readonly blockStats: boolean;
}

/** Outcome of a write to one shard: points dropped (field type conflicts...) and why. */
export interface WriteShardResult {
  /** Number of points not written. */
  readonly dropped: number;
  /** The first reason, worded as InfluxDB words it (e.g. `field type conflict: input field "v" on measurement "m" is type integer, already exists as type float`). */
  readonly error?: string;
}

export interface SeriesInfo {
  /** Canonical series key. */
  readonly key: string;
  readonly measurement: string;
  readonly tags: readonly Tag[];
}

export interface FieldInfo {
  readonly name: string;
  readonly type: FieldType;
}

/** Values of one block, typed by the field's type. */
export type BlockValues = Float64Array | BigInt64Array | readonly string[] | readonly boolean[];

/** Statistics of a block, when the store keeps them (supports.blockStats). Numeric types only. */
export interface BlockStats {
  readonly count: number;
  readonly min: number | bigint;
  readonly max: number | bigint;
  readonly sum: number | bigint;
  /** The value at the block's minTime (read without decoding by ascending cursors and first()). */
  readonly first: number | bigint;
  /** The value at the block's maxTime (read without decoding by DESC LIMIT and last()). */
  readonly last: number | bigint;
}

/**
 * A run of values of one series field, in ascending time order, all within the scan's range.
 * `decode()` may be lazy (file blocks); `stats` lets aggregates skip decoding.
 */
export interface Block {
  readonly count: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  readonly stats?: BlockStats;
  decode(): { readonly times: BigInt64Array; readonly values: BlockValues };
}

/** Read access to one shard, for mappers and SHOW statements. All results reflect acknowledged writes. */
export interface ShardReader {
  /** Measurement names, sorted. */
  measurements(): string[];
  /** Series of a measurement, sorted by key. */
  series(measurement: string): SeriesInfo[];
  /**
   * Fields of a measurement with their types, sorted by name; empty while the measurement has no series.
   * (The shard remembers an emptied measurement's types, as InfluxDB 1.x does, until deleteMeasurement.)
   */
  fields(measurement: string): FieldInfo[];
  /**
   * Blocks of one series field with times in [tmin, tmax] (inclusive), ascending, no duplicate
   * timestamps (the newest write wins). Empty when the series or field does not exist.
   */
  scan(seriesKey: string, field: string, tmin: bigint, tmax: bigint): Iterable<Block>;
  /**
   * Optional: the blocks `scan` would give, in descending time order (each block's own values stay
   * ascending), produced lazily so a reader that stops early (ORDER BY time DESC LIMIT n) reads only
   * the newest blocks. Without it, core reverses `scan`'s blocks, which reads them all.
   */
  scanDescending?(seriesKey: string, field: string, tmin: bigint, tmax: bigint): Iterable<Block>;
  /**
   * Optional: `series(measurement)` as a core SeriesIndex (tag keys, series by tag value), kept by the
   * reader until the measurement's series change, so queries need not re-derive them. Without it core
   * reads `series` and evaluates tag conditions on each series.
   */
  seriesIndex?(measurement: string): SeriesIndex;
}

/**
 * This node's shards. Public methods check their arguments (TypeError) and state: every method, and
 * every method of a reader, fails with ERR_SERVICE_NOT_STARTED before start() and after stop(). stop()
 * waits for writes in flight; stop() then start() of the same instance keeps its shards and data.
 * Writes are durable before they resolve when `supports.persistent`. Names and keys sort in UTF-8 byte
 * order. core/tsdb's AbstractTSDBStore implements the checks; the conformance suite is
 * `tsdbStoreSuite` in core/testing.
 */
export interface TSDBStore extends Service {
  readonly supports: TSDBStoreSupports;
  /** Idempotent. */
  createShard(db: string, rp: string, shardId: number): Promise<void>;
  /** Removes the shard and its data; a missing shard is not an error. */
  deleteShard(shardId: number): Promise<void>;
  /** IDs of the shards this store holds, ascending. */
  shardIds(): number[];
  /** The (db, rp) a shard belongs to, or undefined. */
  shardInfo(shardId: number): { db: string; rp: string } | undefined;
  /**
   * Writes points to a shard (which must exist: ERR_TSDB_SHARD_NOT_FOUND otherwise). A point whose
   * field conflicts with the type already stored in this shard is dropped and counted, the others are
   * written. Within one call the first type seen for a field wins.
   */
  writeToShard(shardId: number, points: readonly Point[]): Promise<WriteShardResult>;
  /** Read access to a shard (ERR_TSDB_SHARD_NOT_FOUND when missing). */
  reader(shardId: number): ShardReader;
  /**
   * Optional: a mapper over one shard that pushes down more than core's local mapper (which runs over
   * `reader`). When absent, core's local mapper is used.
   */
  createMapper?(shardId: number, request: MapRequest, chunkSize: number): Mapper;
  /**
   * Deletes the given series' points with time in [tmin, tmax]; unknown keys are ignored; a series left
   * empty disappears from `series()`, a measurement left without series from `measurements()`.
   */
  deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void>;
  /** Deletes a measurement with all its series, data and field types; a missing one is not an error. */
  deleteMeasurement(shardId: number, measurement: string): Promise<void>;
}

export const TSDBStore = createToken<TSDBStore>('tessera.core.TSDBStore');
