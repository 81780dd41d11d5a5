/**
 * One shard on disk: `<dir>/wal/*.wal`, `<dir>/*.seg`, `<dir>/tombstones.log`, `<dir>/fields.json`.
 * Writes go to the WAL (group commit) and the active cache; a full cache is frozen and written to a
 * level-1 segment in the background; segments are compacted in the background (compactor.ts).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  type FieldType,
  type Logger,
  type Point,
  ShardFieldTypes,
  type ShardReader,
  TesseraError,
} from '../../core/index.js';
import { Cache, estimateBytes } from './cache.js';
import type { OnCorrupt } from './merge.js';
import { isSegmentFileName, type SegmentMeta } from './segment-format.js';
import { SegmentReader } from './segment-reader.js';
import type { BlockCache } from './block-cache.js';
import type { SnapshotPool } from './snapshot-pool.js';
import { compactSnapshot } from './snapshot-compact.js';
import { writeSnapshotSegment } from './snapshot-segment.js';
import { type FrozenCache, type ShardSources, ShardView } from './shard-view.js';
import { Tombstones } from './tombstones.js';
import { dirBytes, syncDir, yieldToLoop } from './fs-util.js';
import { listWalGens, replayWalFile, Wal, walFileName } from './wal.js';
import { decodeEntry, encodeDeleteMeasurement, encodeDeleteSeries, encodeWrite } from './wal-codec.js';

/** Tuning of a shard (from the plugin config). */
export interface FileShardOptions {
  readonly cacheMaxBytes: number;
  readonly cacheSnapshotBytes: number;
  readonly walFsync: boolean;
  readonly maxBlockPoints: number;
  readonly compaction: boolean;
  /** Segments of one level merged together. */
  readonly compactionThreshold: number;
  /** Highest level reached by background compaction. */
  readonly compactionMaxLevel: number;
  /** A cache that received no write for this long is snapshotted (0 = never). */
  readonly coldSnapshotMs: number;
  /** Writes snapshot segments in a worker thread; in-thread when absent. */
  readonly snapshotPool?: SnapshotPool;
  /** Decoded blocks kept for queries, shared by the store's shards. */
  readonly blockCache?: BlockCache;
  readonly logger: Logger;
}

/** Thrown inside background work when the shard closes; never escapes. */
class Closed extends Error {}

const FIELDS_FILE = 'fields.json';

/** A shard of the file store. */
export class FileShard implements ShardSources {
  readonly fieldTypes = new ShardFieldTypes();
  active = new Cache();
  frozen: FrozenCache[] = [];
  segments: SegmentReader[] = [];
  tombstones!: Tombstones;
  version = 0;
  nextSeq = 1;
  readonly maxBlockPoints: number;
  readonly logger: Logger;
  readonly onCorrupt: OnCorrupt;
  readonly blockCache: BlockCache | undefined;
  #wal!: Wal;
  #view: ShardView;
  #snapshotting: Promise<void> | undefined;
  #compacting: Promise<void> | undefined;
  #closed = false;
  #lastWrite = Date.now();
  #retryAfter = 0;
  /** The field index as last written to fields.json (a save with no change is skipped). */
  #savedFieldTypes: string | undefined;
  readonly #retired = new Set<SegmentReader>();
  readonly #reported = new Set<string>();

  private constructor(
    readonly id: number,
    readonly db: string,
    readonly rp: string,
    readonly dir: string,
    readonly options: FileShardOptions,
  ) {
    this.maxBlockPoints = options.maxBlockPoints;
    this.blockCache = options.blockCache;
    this.logger = options.logger.child({ shard: id });
    this.onCorrupt = (seg, ref, err) => this.#reportCorrupt(seg.path, ref.offset, ref.length, (err as Error).message);
    this.#view = new ShardView(this);
  }

  #reportCorrupt(file: string, offset: number, length: number, err: string): void {
    const id = `${file}:${offset}`;
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    this.logger.error({ file, offset, length, err }, 'damaged block skipped');
  }

  /** Opens (or creates) the shard in `dir`: loads segments and tombstones, replays the WAL. */
  static async open(id: number, db: string, rp: string, dir: string, options: FileShardOptions): Promise<FileShard> {
    const shard = new FileShard(id, db, rp, dir, options);
    await shard.#load();
    return shard;
  }

  async #load(): Promise<void> {
    const walDir = join(this.dir, 'wal');
    await fsp.mkdir(walDir, { recursive: true });
    const names = await fsp.readdir(this.dir);
    const segs: SegmentReader[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        await fsp.rm(path, { force: true });
        continue;
      }
      if (!isSegmentFileName(name)) continue;
      try {
        segs.push(SegmentReader.open(path));
      } catch (err) {
        const details = (err as TesseraError).details as { offset?: number } | undefined;
        this.logger.error({ file: path, offset: details?.offset, err: (err as Error).message }, 'damaged segment set aside');
        await fsp.rename(path, `${path}.corrupt`).catch(() => undefined);
      }
    }
    // A crash between installing a compacted segment and deleting its inputs leaves both: drop inputs.
    const live = segs.filter((s) => !segs.some((o) => o !== s && o.level > s.level && o.minSeq <= s.seq && s.seq <= o.seq));
    for (const s of segs) {
      if (live.includes(s)) continue;
      s.close();
      await fsp.rm(s.path, { force: true });
    }
    this.segments = live.sort((a, b) => a.seq - b.seq || a.level - b.level);
    this.tombstones = await Tombstones.load(this.dir, this.options.walFsync, this.logger);
    let maxSeq = this.tombstones.maxSeq();
    let flushedGen = 0;
    for (const s of this.segments) {
      maxSeq = Math.max(maxSeq, s.seq);
      flushedGen = Math.max(flushedGen, s.walGen);
    }
    this.nextSeq = maxSeq + 1;
    const fieldsJson = await fsp.readFile(join(this.dir, FIELDS_FILE), 'utf8').catch(() => undefined);
    if (fieldsJson !== undefined) {
      try {
        const parsed = JSON.parse(fieldsJson) as Record<string, Record<string, FieldType>>;
        for (const [m, fields] of Object.entries(parsed)) for (const [f, t] of Object.entries(fields)) this.fieldTypes.restore(m, f, t);
        this.#savedFieldTypes = fieldsJson;
      } catch (err) {
        this.logger.error({ file: join(this.dir, FIELDS_FILE), err: (err as Error).message }, 'damaged field index ignored');
      }
    }
    // Types of data in segments (fields.json may lag behind a segment written just before a crash).
    for (const seg of this.segments) {
      for (const [m, list] of seg.byMeasurement) {
        if (this.tombstones.measurementDeleted(m, seg.seq)) continue;
        for (const s of list) for (const [f, fe] of s.fields) if (this.fieldTypes.typeOf(m, f) === undefined) this.fieldTypes.restore(m, f, fe.type);
      }
    }
    let lastGen = flushedGen;
    for (const gen of await listWalGens(walDir)) {
      const path = join(walDir, walFileName(gen));
      lastGen = Math.max(lastGen, gen);
      if (gen <= flushedGen) {
        await fsp.rm(path, { force: true });
        continue;
      }
      await replayWalFile(path, this.logger, (buf, start, end) => this.#apply(decodeEntry(buf, start, end)));
    }
    this.#wal = new Wal(walDir, lastGen + 1, this.options.walFsync, this.logger);
  }

  #apply(e: ReturnType<typeof decodeEntry>): void {
    if (e.kind === 'write') {
      for (const p of e.points) for (const [name, value] of p.fields) {
        if (this.fieldTypes.typeOf(p.measurement, name) === undefined) {
          this.fieldTypes.restore(p.measurement, name, typeof value === 'number' ? 'float' : typeof value === 'bigint' ? 'integer' : typeof value === 'string' ? 'string' : 'boolean');
        }
      }
      this.active.write(e.points);
    } else if (e.kind === 'deleteSeries') {
      this.active.deleteSeries(e.keys, e.tmin, e.tmax);
    } else {
      this.active.deleteMeasurement(e.measurement);
      this.fieldTypes.deleteMeasurement(e.measurement);
    }
    this.version++;
  }

  /** Read access (live: later writes are visible to later calls). */
  reader(): ShardReader {
    return this.#view;
  }

  /** Bytes held by the caches (active + frozen). */
  cacheBytes(): number {
    let n = this.active.bytes;
    for (const f of this.frozen) n += f.cache.bytes;
    return n;
  }

  /**
   * Throws ERR_TSDB_CACHE_FULL (InfluxDB's wording) when `points` would grow the caches past
   * `cache-max-memory-size`. The store calls it before field types are admitted.
   */
  checkCacheRoom(points: readonly Point[]): void {
    const max = this.options.cacheMaxBytes;
    if (max <= 0) return;
    const total = this.cacheBytes() + estimateBytes(points);
    if (total > max) throw new TesseraError('ERR_TSDB_CACHE_FULL', `cache-max-memory-size exceeded: (${total}/${max})`);
  }

  /** Writes validated points (room checked by {@link checkCacheRoom}); resolves once durable in the WAL. */
  // Not `async`: a suspended async function keeps its arguments alive, so every batch's points would
  // survive until its WAL write is durable (more GC, higher RSS). The returned promise is the WAL's.
  write(points: readonly Point[]): Promise<void> {
    try {
      this.#assertOpen();
      this.#lastWrite = Date.now();
      const durable = this.#wal.append(encodeWrite(points));
      const seriesBefore = this.active.series.size;
      this.active.write(points);
      if (this.active.series.size !== seriesBefore) this.version++;
      if (this.active.bytes >= this.options.cacheSnapshotBytes) this.#startSnapshot();
      return durable;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Deletes points of series in [tmin, tmax]; durable when it resolves. */
  async deleteSeries(keys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    this.#assertOpen();
    const seq = this.nextSeq++;
    const durable = this.#wal.append(encodeDeleteSeries(keys, tmin, tmax));
    this.active.deleteSeries(keys, tmin, tmax);
    const persisted = this.tombstones.addSeries(seq, keys, tmin, tmax);
    this.version++;
    await Promise.all([durable, persisted]);
  }

  /** Deletes a measurement; durable when it resolves. The caller forgets its field types. */
  async deleteMeasurement(measurement: string): Promise<void> {
    this.#assertOpen();
    const seq = this.nextSeq++;
    const durable = this.#wal.append(encodeDeleteMeasurement(measurement));
    this.active.deleteMeasurement(measurement);
    const persisted = this.tombstones.addMeasurement(seq, measurement);
    this.version++;
    await Promise.all([durable, persisted]);
  }

  /** Writes the active cache to a segment now (waits for a snapshot already running first). */
  async snapshot(): Promise<void> {
    this.#assertOpen();
    while (this.#snapshotting !== undefined) await this.#snapshotting;
    this.#startSnapshot(true);
    while (this.#snapshotting !== undefined) await this.#snapshotting;
  }

  /** Snapshots the cache in the background when it has been cold for `coldSnapshotMs` (called by a timer). */
  snapshotIfCold(now: number): void {
    const cold = this.options.coldSnapshotMs;
    if (cold > 0 && !this.#closed && this.active.series.size > 0 && now - this.#lastWrite >= cold) this.#startSnapshot();
  }

  #startSnapshot(force = false): void {
    if (this.#snapshotting !== undefined || this.#closed) return;
    // After a failure (disk full...), writes do not retry more than once a second.
    if (!force && Date.now() < this.#retryAfter) return;
    this.#snapshotting = this.#doSnapshot()
      .catch((err: unknown) => {
        if (err instanceof Closed || this.#closed) return;
        this.#retryAfter = Date.now() + 1000;
        this.logger.error({ err }, 'snapshot failed');
      })
      .finally(() => {
        this.#snapshotting = undefined;
        // Next snapshot from a new macrotask, and only when there is something to write: a trigger that
        // cannot make progress must never become a microtask loop that starves timers and I/O.
        if (!this.#closed && this.active.series.size > 0 && this.active.bytes >= this.options.cacheSnapshotBytes) {
          setImmediate(() => this.#startSnapshot());
        }
      });
  }

  async #doSnapshot(): Promise<void> {
    const cache = this.active;
    if (cache.series.size > 0) {
      this.active = new Cache();
      cache.walGen = this.#wal.rotate();
      this.frozen = [...this.frozen, { cache, seq: this.nextSeq++ }];
      this.version++;
    }
    // Oldest first: a frozen cache left by a failed snapshot is retried before newer ones, and a WAL
    // generation is released only once every frozen cache up to it is in a segment.
    while (this.frozen.length > 0) {
      const frozen = this.frozen[0]!;
      await this.#wal.drain();
      await this.#writeFrozen(frozen);
      // by seq: the entry was replaced by its compact copy
      this.frozen = this.frozen.filter((f) => f.seq !== frozen.seq);
      this.version++;
      await this.#saveFieldTypes();
      await this.#wal.removeUpTo(frozen.cache.walGen);
    }
    await this.#pruneTombstones();
    this.#maybeCompact();
  }

  /** Writes a frozen cache to a level-1 segment and installs it (nothing when the cache holds no point). */
  async #writeFrozen(frozen: FrozenCache): Promise<void> {
    const meta: SegmentMeta = { seq: frozen.seq, minSeq: frozen.seq, level: 1, walGen: frozen.cache.walGen };
    const { data, compact } = compactSnapshot(frozen.cache);
    // Readers use the compact copy from now on; the frozen cache's arrays can be freed.
    const replacement: FrozenCache = { cache: compact, seq: frozen.seq };
    this.frozen = this.frozen.map((f) => (f.seq === frozen.seq ? replacement : f));
    this.version++;
    const pool = this.options.snapshotPool;
    const path =
      pool !== undefined
        ? await pool.write(this.dir, meta, data, this.maxBlockPoints)
        : await writeSnapshotSegment(this.dir, meta, data, this.maxBlockPoints, async () => {
            await yieldToLoop();
            if (this.#closed) throw new Closed();
          });
    // Finished: install even when closing, so the WAL it replaces is released consistently.
    if (path !== undefined) await this.#install([SegmentReader.open(path)], []);
  }

  /** Replaces `removed` segments by `added` ones (sorted by seq) and retires the removed files. */
  async #install(added: SegmentReader[], removed: readonly SegmentReader[]): Promise<void> {
    this.segments = [...this.segments.filter((s) => !removed.includes(s)), ...added].sort((a, b) => a.seq - b.seq || a.level - b.level);
    this.version++;
    for (const s of removed) {
      this.#retired.add(s);
      this.blockCache?.dropSegment(s);
      // Scans already running may still read the old file: unlink now, close the descriptor later.
      const t = setTimeout(() => {
        if (!this.#retired.delete(s)) return;
        s.close();
        this.blockCache?.dropSegment(s);
      }, 30_000);
      t.unref();
    }
    for (const s of removed) await fsp.rm(s.path, { force: true });
    if (removed.length > 0 && this.options.walFsync) await syncDir(this.dir);
  }

  async #pruneTombstones(): Promise<void> {
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.segments) min = Math.min(min, s.seq);
    for (const f of this.frozen) min = Math.min(min, f.seq);
    if (min === Number.POSITIVE_INFINITY) min = this.nextSeq;
    await this.tombstones.prune(min);
  }

  async #saveFieldTypes(): Promise<void> {
    const out: Record<string, Record<string, FieldType>> = {};
    for (const [m, f, t] of this.fieldTypes.entries()) (out[m] ??= {})[f] = t;
    const json = JSON.stringify(out);
    // Unchanged since the last durable save (the usual case under steady load): two fsyncs saved.
    if (json === this.#savedFieldTypes) return;
    const path = join(this.dir, FIELDS_FILE);
    await fsp.writeFile(`${path}.tmp`, json);
    const fh = await fsp.open(`${path}.tmp`, 'r+');
    await fh.sync();
    await fh.close();
    await fsp.rename(`${path}.tmp`, path);
    if (this.options.walFsync) await syncDir(this.dir);
    this.#savedFieldTypes = json;
  }

  #maybeCompact(): void {
    if (!this.options.compaction || this.#compacting !== undefined || this.#closed) return;
    const plan = this.#plan();
    if (plan === undefined) return;
    this.#compacting = this.#compact(plan)
      .catch((err: unknown) => {
        if (!(err instanceof Closed) && !this.#closed) this.logger.error({ err }, 'compaction failed');
      })
      .finally(() => {
        this.#compacting = undefined;
        this.#maybeCompact();
      });
  }

  /** The lowest level with `threshold` adjacent segments (in seq order), or undefined. */
  #plan(): SegmentReader[] | undefined {
    const t = this.options.compactionThreshold;
    for (let level = 1; level < this.options.compactionMaxLevel; level++) {
      let run: SegmentReader[] = [];
      for (const s of this.segments) {
        if (s.level === level) {
          run.push(s);
          if (run.length === t) return run;
        } else run = [];
      }
    }
    return undefined;
  }

  /**
   * Snapshots the cache and compacts every segment into one (waits for background work first).
   * Used by tests and benchmarks; the background compactor does this level by level.
   */
  async compactFull(): Promise<void> {
    await this.snapshot();
    while (this.#compacting !== undefined) await this.#compacting;
    if (this.segments.length > 1 || (this.segments.length === 1 && !this.tombstones.empty)) {
      const p = this.#compact([...this.segments]);
      this.#compacting = p.catch(() => undefined).finally(() => (this.#compacting = undefined));
      await p;
    }
    await this.#pruneTombstones();
  }

  async #compact(inputs: SegmentReader[]): Promise<void> {
    let path: string | undefined;
    const pool = this.options.snapshotPool;
    const job = pool?.compact(this.dir, inputs.map((s) => s.path), this.tombstones.toList(), this.maxBlockPoints, (r) =>
      this.#reportCorrupt(r.file, r.offset, r.length, r.err),
    );
    if (job?.inWorker === true) {
      path = await job.done;
    } else {
      const { compactSegments } = await import('./compactor.js');
      path = await compactSegments(this, this.#view, inputs, () => this.#closed);
    }
    // Installed even when closing: the output covers its inputs (at open, covered inputs are dropped).
    await this.#install(path === undefined ? [] : [SegmentReader.open(path)], inputs);
    await this.#pruneTombstones();
  }

  /** Counters for tests and metrics. */
  stats(): { segments: number; cacheBytes: number; walAppends: number; walFlushes: number; tombstones: boolean } {
    return {
      segments: this.segments.length,
      cacheBytes: this.cacheBytes(),
      walAppends: this.#wal.stats.appends,
      walFlushes: this.#wal.stats.flushes,
      tombstones: !this.tombstones.empty,
    };
  }

  /** Bytes of every file of the shard. */
  async diskBytes(): Promise<number> {
    return dirBytes(this.dir);
  }

  /** Stops background work, makes pending WAL appends durable, closes files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#snapshotting?.catch(() => undefined);
    await this.#compacting?.catch(() => undefined);
    await this.#wal.close();
    for (const s of [...this.segments, ...this.#retired]) {
      s.close();
      this.blockCache?.dropSegment(s);
    }
    this.#retired.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new TesseraError('ERR_SERVICE_NOT_STARTED', `shard ${this.id} is closed`);
  }
}
