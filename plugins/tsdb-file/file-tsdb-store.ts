/**
 * TSDBStore on disk (see README.md): one folder per shard under `dir`, each with its WAL, segments,
 * tombstones and field index. Argument, lifecycle and field-type checks live in AbstractTSDBStore.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  AbstractTSDBStore,
  type Logger,
  type Point,
  type ShardFieldTypes,
  type ShardReader,
  type TSDBStoreSupports,
  type WriteShardResult,
} from '../../core/index.js';
import { BlockCache } from './block-cache.js';
import { FileShard, type FileShardOptions } from './file-shard.js';
import { SnapshotPool } from './snapshot-pool.js';
import { syncDir } from './fs-util.js';

/** Options of a FileTSDBStore (the plugin builds them from `[tsdb-file]`). */
export interface FileTSDBStoreOptions {
  /** Folder holding the shards (created if missing). */
  readonly dir: string;
  readonly logger: Logger;
  readonly cacheMaxBytes?: number;
  readonly cacheSnapshotBytes?: number;
  readonly walFsync?: boolean;
  readonly maxBlockPoints?: number;
  readonly compaction?: boolean;
  readonly compactionThreshold?: number;
  readonly compactionMaxLevel?: number;
  /** Snapshot a shard's cache after this long without writes (default 10 min; 0 = never). */
  readonly coldSnapshotMs?: number;
  /** Encode and write snapshot segments in a worker thread (default true). */
  readonly snapshotWorker?: boolean;
  /** Budget of decoded blocks kept for queries, all shards together (default 32 MiB; 0 = none). */
  readonly blockCacheBytes?: number;
}

const SHARD_FILE = 'shard.json';

/** The tsdb-file store. */
export class FileTSDBStore extends AbstractTSDBStore {
  readonly supports: TSDBStoreSupports = { persistent: true, deletes: true, blockStats: true };
  readonly #dir: string;
  readonly #logger: Logger;
  #shardOptions: FileShardOptions;
  readonly #pool: SnapshotPool | undefined;
  #shards = new Map<number, FileShard>();
  #coldTimer: NodeJS.Timeout | undefined;
  /** Shards being created: concurrent createShard calls for one id share the first one's work. */
  readonly #creating = new Map<number, Promise<void>>();

  constructor(options: FileTSDBStoreOptions) {
    super();
    this.#dir = options.dir;
    this.#logger = options.logger;
    this.#pool = options.snapshotWorker === false ? undefined : new SnapshotPool(options.logger);
    this.#shardOptions = {
      snapshotPool: this.#pool,
      cacheMaxBytes: options.cacheMaxBytes ?? 1024 ** 3,
      cacheSnapshotBytes: options.cacheSnapshotBytes ?? 25 * 1024 ** 2,
      walFsync: options.walFsync ?? true,
      maxBlockPoints: options.maxBlockPoints ?? 1000,
      compaction: options.compaction ?? true,
      compactionThreshold: options.compactionThreshold ?? 4,
      compactionMaxLevel: options.compactionMaxLevel ?? 4,
      coldSnapshotMs: options.coldSnapshotMs ?? 600_000,
      logger: options.logger,
    };
    const cacheBytes = options.blockCacheBytes ?? 32 * 1024 ** 2;
    if (cacheBytes > 0) this.#shardOptions = { ...this.#shardOptions, blockCache: new BlockCache(cacheBytes) };
  }

  protected override async _start(): Promise<void> {
    await fsp.mkdir(this.#dir, { recursive: true });
    const shards = new Map<number, FileShard>();
    try {
      for (const name of await fsp.readdir(this.#dir)) {
        if (!/^\d+$/.test(name)) continue;
        const dir = join(this.#dir, name);
        const info = await fsp.readFile(join(dir, SHARD_FILE), 'utf8').catch(() => undefined);
        if (info === undefined) {
          // created but never registered (crash inside createShard): not a shard
          this.#logger.warn({ dir }, 'folder without shard.json ignored');
          continue;
        }
        let db: string;
        let rp: string;
        try {
          ({ db, rp } = JSON.parse(info) as { db: string; rp: string });
          if (typeof db !== 'string' || typeof rp !== 'string') throw new TypeError('db and rp must be strings');
        } catch (err) {
          this.#logger.error({ file: join(dir, SHARD_FILE), err: (err as Error).message }, 'damaged shard.json: shard not loaded');
          continue;
        }
        const id = Number(name);
        shards.set(id, await FileShard.open(id, db, rp, dir, this.#shardOptions));
      }
    } catch (err) {
      for (const s of shards.values()) await s.close().catch(() => undefined);
      throw err;
    }
    this.#shards = shards;
    const cold = this.#shardOptions.coldSnapshotMs;
    if (cold > 0) {
      this.#coldTimer = setInterval(() => {
        const now = Date.now();
        for (const s of this.#shards.values()) s.snapshotIfCold(now);
      }, Math.max(10, Math.min(cold / 4, 60_000)));
      this.#coldTimer.unref();
    }
  }

  protected override async _stop(): Promise<void> {
    if (this.#coldTimer !== undefined) clearInterval(this.#coldTimer);
    this.#coldTimer = undefined;
    const errors: unknown[] = [];
    for (const s of this.#shards.values()) await s.close().catch((err: unknown) => errors.push(err));
    this.#shards = new Map();
    await this.#pool?.close();
    if (errors.length > 0) throw new AggregateError(errors, 'tsdb-file: closing shards failed');
  }

  protected async _createShard(db: string, rp: string, shardId: number): Promise<void> {
    let pending = this.#creating.get(shardId);
    if (pending === undefined) {
      pending = this.#create(db, rp, shardId).finally(() => this.#creating.delete(shardId));
      this.#creating.set(shardId, pending);
    }
    await pending;
    const info = this._shardInfo(shardId);
    if (info !== undefined && (info.db !== db || info.rp !== rp)) {
      throw new TypeError(`shard ${shardId} already exists for ${info.db}.${info.rp}, not ${db}.${rp}`);
    }
  }

  async #create(db: string, rp: string, shardId: number): Promise<void> {
    const dir = join(this.#dir, String(shardId));
    await fsp.mkdir(dir, { recursive: true });
    const tmp = join(dir, `${SHARD_FILE}.tmp`);
    await fsp.writeFile(tmp, JSON.stringify({ db, rp }));
    await fsp.rename(tmp, join(dir, SHARD_FILE));
    await syncDir(dir);
    await syncDir(this.#dir);
    if (this.#shards.has(shardId)) return; // created concurrently
    this.#shards.set(shardId, await FileShard.open(shardId, db, rp, dir, this.#shardOptions));
  }

  protected async _deleteShard(shardId: number): Promise<void> {
    const shard = this.#shards.get(shardId);
    if (shard === undefined) return;
    this.#shards.delete(shardId);
    await shard.close();
    await fsp.rm(shard.dir, { recursive: true, force: true });
  }

  protected _shardIds(): number[] {
    return [...this.#shards.keys()].sort((a, b) => a - b);
  }

  protected _shardInfo(shardId: number): { db: string; rp: string } | undefined {
    const s = this.#shards.get(shardId);
    return s === undefined ? undefined : { db: s.db, rp: s.rp };
  }

  protected _fieldTypes(shardId: number): ShardFieldTypes {
    return this.#shards.get(shardId)!.fieldTypes;
  }

  /** Checks the cache limit first, so a refused write registers no field type, then writes. */
  override async writeToShard(shardId: number, points: readonly Point[]): Promise<WriteShardResult> {
    const shard = this.#shards.get(shardId);
    if (shard !== undefined && this.started && Array.isArray(points)) {
      let valid = true;
      for (const p of points) if (typeof p !== 'object' || p === null || !Array.isArray(p.fields)) valid = false;
      if (valid) shard.checkCacheRoom(points);
    }
    return super.writeToShard(shardId, points);
  }

  protected _write(shardId: number, points: readonly Point[]): Promise<void> {
    return this.#shards.get(shardId)!.write(points);
  }

  protected _reader(shardId: number): ShardReader {
    return this.#shards.get(shardId)!.reader();
  }

  protected _deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    return this.#shards.get(shardId)!.deleteSeries(seriesKeys, tmin, tmax);
  }

  protected _deleteMeasurement(shardId: number, measurement: string): Promise<void> {
    return this.#shards.get(shardId)!.deleteMeasurement(measurement);
  }

  /** Writes a shard's cache to a segment now. */
  async flush(shardId: number): Promise<void> {
    await this.#shard(shardId).snapshot();
  }

  /** Flushes and compacts a shard into one segment (tests, benchmarks, before a backup). */
  async compactFull(shardId: number): Promise<void> {
    await this.#shard(shardId).compactFull();
  }

  /** Total bytes of a shard's files. */
  async diskBytes(shardId: number): Promise<number> {
    return this.#shard(shardId).diskBytes();
  }

  /** The folder of a shard. */
  shardDir(shardId: number): string {
    return join(this.#dir, String(shardId));
  }

  /** Counters of a shard: segments, cache bytes, WAL appends and flushes (each flush = one fsync), tombstones pending. */
  stats(shardId: number): { segments: number; cacheBytes: number; walAppends: number; walFlushes: number; tombstones: boolean } {
    return this.#shard(shardId).stats();
  }

  /** The block cache's bytes, entries, hits and misses (undefined when `blockCacheBytes` is 0). */
  blockCacheStats(): ReturnType<BlockCache['stats']> | undefined {
    return this.#shardOptions.blockCache?.stats();
  }

  #shard(shardId: number): FileShard {
    const s = this.#shards.get(shardId);
    if (s === undefined || !this.started) {
      // go through the base class checks for the right error
      this.reader(shardId);
      throw new TypeError('unreachable');
    }
    return s;
  }
}
