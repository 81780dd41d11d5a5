/**
 * Scanning one series field across sources (segments, frozen caches, the active cache): pieces that do
 * not overlap in time pass through as they are (file blocks stay lazy and keep their stats); pieces
 * that overlap are decoded, trimmed to the range, stripped of tombstoned times and merged, the source
 * with the higher priority winning at equal times.
 */
import { type Block, type BlockStats, type BlockValues, type FieldType, TesseraError, type TimeValueColumn } from '../../core/index.js';
import { lowerBound, upperBound } from '../../core/index.js';
import { blockIntact, computeStats, decodeBlock, decodeBlockUntil } from './codec/block.js';
import type { BlockCache } from './block-cache.js';
import type { BlockRef } from './segment-format.js';
import type { SegmentReader } from './segment-reader.js';
import type { TimeRange } from './tombstones.js';

/** One contiguous run of a series field in one source. */
export interface Piece {
  readonly minTime: bigint;
  readonly maxTime: bigint;
  /** Higher wins at equal times. */
  readonly prio: number;
  /** Tombstoned ranges that apply to this piece (may be empty). */
  readonly ranges: readonly TimeRange[];
  readonly seg?: SegmentReader;
  readonly ref?: BlockRef;
  readonly col?: TimeValueColumn;
}

/** Decoded times and values. */
export interface Run {
  readonly times: BigInt64Array;
  readonly values: BlockValues;
}

/** Called when a block fails its CRC or cannot be decoded; the block is skipped. */
export type OnCorrupt = (seg: SegmentReader, ref: BlockRef, err: unknown) => void;

function sliceValues(values: BlockValues, a: number, b: number): BlockValues {
  return Array.isArray(values) ? values.slice(a, b) : (values as Float64Array).subarray(a, b);
}

function allocLike(type: FieldType, n: number): BlockValues {
  if (type === 'float') return new Float64Array(n);
  if (type === 'integer') return new BigInt64Array(n);
  return new Array(n);
}

/** A block read after its segment closed (a query running for long): a clear error, not lost points. */
function closedSegment(seg: SegmentReader): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', `segment ${seg.name} was closed while the query ran (replaced by a compaction, or its shard closed); run the query again`);
}

/** The points of a piece up to `tmax` (a file block is decoded only as far as needed). */
function readPiece(p: Piece, tmax: bigint, onCorrupt: OnCorrupt, cache?: BlockCache): Run | undefined {
  if (p.col !== undefined) {
    const it = p.col.blocks(p.minTime, p.maxTime, Number.MAX_SAFE_INTEGER);
    for (const b of it) return b.decode();
    return undefined;
  }
  const seg = p.seg!;
  const ref = p.ref!;
  if (seg.closed) throw closedSegment(seg);
  try {
    if (cache === undefined) {
      const d = decodeBlockUntil(seg.readBlock(ref), tmax);
      return { times: d.times, values: d.values };
    }
    // With a cache, the whole block is decoded and kept: a later scan further into it hits.
    let run = cache.get(seg, ref);
    if (run === undefined) {
      run = decodeBlock(seg.readBlock(ref));
      cache.put(seg, ref, run);
    }
    return run;
  } catch (err) {
    onCorrupt(seg, ref, err);
    return undefined;
  }
}

function inRanges(t: bigint, ranges: readonly TimeRange[]): boolean {
  for (const [a, b] of ranges) if (t >= a && t <= b) return true;
  return false;
}

/** Keeps the entries of `run` in [tmin, tmax] and outside `ranges`. */
export function filterRun(type: FieldType, run: Run, tmin: bigint, tmax: bigint, ranges: readonly TimeRange[]): Run {
  const n = run.times.length;
  const lo = lowerBound(run.times, n, tmin);
  const hi = upperBound(run.times, n, tmax);
  if (ranges.length === 0) {
    if (lo === 0 && hi === n) return run;
    return { times: run.times.subarray(lo, hi), values: sliceValues(run.values, lo, hi) };
  }
  const times = new BigInt64Array(hi - lo);
  const values = allocLike(type, hi - lo) as Float64Array;
  const src = run.values as Float64Array;
  let o = 0;
  for (let i = lo; i < hi; i++) {
    const t = run.times[i]!;
    if (inRanges(t, ranges)) continue;
    times[o] = t;
    values[o] = src[i]!;
    o++;
  }
  return { times: times.subarray(0, o), values: sliceValues(values, 0, o) };
}

/** Merges runs ordered by ascending priority; at equal times the later run wins. */
export function mergeRuns(type: FieldType, runs: readonly Run[]): Run {
  const nonEmpty = runs.filter((r) => r.times.length > 0);
  if (nonEmpty.length === 0) return { times: new BigInt64Array(0), values: allocLike(type, 0) };
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  let total = 0;
  for (const r of nonEmpty) total += r.times.length;
  const runOf = new Uint32Array(total);
  const idxOf = new Uint32Array(total);
  const order = new Uint32Array(total);
  let k = 0;
  for (let r = 0; r < nonEmpty.length; r++) {
    const n = nonEmpty[r]!.times.length;
    for (let i = 0; i < n; i++) {
      runOf[k] = r;
      idxOf[k] = i;
      order[k] = k;
      k++;
    }
  }
  order.sort((a, b) => {
    const ta = nonEmpty[runOf[a]!]!.times[idxOf[a]!]!;
    const tb = nonEmpty[runOf[b]!]!.times[idxOf[b]!]!;
    return ta < tb ? -1 : ta > tb ? 1 : runOf[a]! - runOf[b]!;
  });
  const times = new BigInt64Array(total);
  const values = allocLike(type, total) as Float64Array;
  let o = 0;
  for (let j = 0; j < total; j++) {
    const e = order[j]!;
    const run = nonEmpty[runOf[e]!]!;
    const t = run.times[idxOf[e]!]!;
    if (o > 0 && times[o - 1] === t) o--; // later (higher priority) replaces
    times[o] = t;
    values[o] = (run.values as Float64Array)[idxOf[e]!]!;
    o++;
  }
  return { times: times.subarray(0, o), values: sliceValues(values, 0, o) };
}

function* chunks(type: FieldType, run: Run, maxPoints: number): Generator<Block> {
  const n = run.times.length;
  for (let a = 0; a < n; a += maxPoints) {
    const b = Math.min(n, a + maxPoints);
    const times = run.times.subarray(a, b);
    const values = sliceValues(run.values, a, b);
    const stats = computeStats(type, values, 0, b - a);
    const block: Block = { count: b - a, minTime: times[0]!, maxTime: times[b - a - 1]!, decode: () => ({ times, values }) };
    yield stats === undefined ? block : { ...block, stats };
  }
}

/** A block yielded straight from a segment: its encoded bytes (CRC checked) come along. */
export interface FileBlock extends Block {
  readonly bytes: Buffer;
}

/** True when `b` came straight from a segment (see {@link FileBlock}). */
export function isFileBlock(b: Block): b is FileBlock {
  return (b as FileBlock).bytes !== undefined;
}

/** A lazily decoded file block (CRC already checked on `bytes`). */
export function lazyFileBlock(ref: BlockRef, bytes: Buffer): FileBlock {
  let decoded: Run | undefined;
  const block: FileBlock = {
    count: ref.count,
    minTime: ref.minTime,
    maxTime: ref.maxTime,
    bytes,
    decode: () => {
      decoded ??= decodeBlock(bytes);
      return decoded;
    },
  };
  return ref.stats === undefined ? block : { ...block, stats: ref.stats };
}

/**
 * A file block read only when decoded: a scan answered from the index's statistics never touches the
 * file. A block that fails its CRC is reported to `onCorrupt` and decodes as empty, while answers taken
 * from its index statistics (CRC-checked with the index) still count it. A block whose segment was
 * closed meanwhile (replaced by compaction more than 30 s ago: a very long query) fails the query with
 * a clear error instead of silently losing the points. (A class: one shape for every block, no closure
 * per block.)
 */
class DeferredFileBlock implements Block {
  readonly count: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  readonly stats: BlockStats | undefined;
  #decoded: Run | undefined;

  constructor(
    private readonly type: FieldType,
    private readonly seg: SegmentReader,
    private readonly ref: BlockRef,
    private readonly onCorrupt: OnCorrupt,
    private readonly cache: BlockCache | undefined,
  ) {
    this.count = ref.count;
    this.minTime = ref.minTime;
    this.maxTime = ref.maxTime;
    this.stats = ref.stats;
  }

  decode(): Run {
    if (this.#decoded === undefined) {
      if (this.seg.closed) throw closedSegment(this.seg);
      try {
        const hit = this.cache?.get(this.seg, this.ref);
        if (hit !== undefined) this.#decoded = hit;
        else {
          this.#decoded = decodeBlock(this.seg.readBlock(this.ref));
          this.cache?.put(this.seg, this.ref, this.#decoded);
        }
      } catch (err) {
        this.onCorrupt(this.seg, this.ref, err);
        this.#decoded = { times: new BigInt64Array(0), values: allocLike(this.type, 0) };
      }
    }
    return this.#decoded;
  }
}

/**
 * Blocks of one series field in [tmin, tmax] from `pieces`, ascending, without duplicate times.
 * Untouched file blocks are yielded as {@link FileBlock}s (bytes read and CRC-checked, so compaction
 * can copy them), or with `deferred` (queries) as blocks read from the file only when decoded.
 */
export function* scanPieces(
  type: FieldType,
  pieces: Piece[],
  tmin: bigint,
  tmax: bigint,
  maxPoints: number,
  onCorrupt: OnCorrupt,
  deferred = false,
  cache?: BlockCache,
): Generator<Block> {
  const list = pieces.filter((p) => p.maxTime >= tmin && p.minTime <= tmax);
  list.sort((a, b) => (a.minTime < b.minTime ? -1 : a.minTime > b.minTime ? 1 : a.prio - b.prio));
  let i = 0;
  while (i < list.length) {
    let j = i + 1;
    let end = list[i]!.maxTime;
    while (j < list.length && list[j]!.minTime <= end) {
      if (list[j]!.maxTime > end) end = list[j]!.maxTime;
      j++;
    }
    const cluster = list.slice(i, j);
    i = j;
    if (cluster.length === 1) {
      const p = cluster[0]!;
      const touched = p.ranges.some(([a, b]) => a <= p.maxTime && b >= p.minTime);
      if (!touched && p.col !== undefined) {
        yield* p.col.blocks(tmin, tmax, maxPoints);
        continue;
      }
      if (!touched && p.minTime >= tmin && p.maxTime <= tmax && p.ref !== undefined) {
        if (deferred) {
          yield new DeferredFileBlock(type, p.seg!, p.ref, onCorrupt, cache);
          continue;
        }
        let bytes: Buffer;
        try {
          bytes = p.seg!.readBlock(p.ref);
          if (!blockIntact(bytes)) throw new RangeError('block checksum mismatch');
        } catch (err) {
          onCorrupt(p.seg!, p.ref, err);
          continue;
        }
        yield lazyFileBlock(p.ref, bytes);
        continue;
      }
    }
    if (cluster.length <= 2) {
      // small clusters (the common overwrite case): decode both, merge at once
      cluster.sort((a, b) => a.prio - b.prio);
      const runs: Run[] = [];
      for (const p of cluster) {
        const run = readPiece(p, tmax, onCorrupt, cache);
        if (run !== undefined) runs.push(filterRun(type, run, tmin, tmax, p.ranges));
      }
      yield* chunks(type, mergeRuns(type, runs), maxPoints);
    } else {
      yield* sweepCluster(type, cluster, tmin, tmax, maxPoints, onCorrupt, cache);
    }
  }
}

interface Cursor {
  readonly run: Run;
  readonly prio: number;
  pos: number;
}

/**
 * Merges a cluster of overlapping pieces by sweeping time: a piece is decoded only when the sweep
 * reaches its minTime, and dropped once consumed, so memory holds the pieces overlapping the current
 * time (not the whole cluster) plus one output block.
 */
function* sweepCluster(
  type: FieldType,
  cluster: Piece[],
  tmin: bigint,
  tmax: bigint,
  maxPoints: number,
  onCorrupt: OnCorrupt,
  cache: BlockCache | undefined,
): Generator<Block> {
  // cluster is sorted by minTime
  let next = 0;
  let open: Cursor[] = [];
  let outTimes = new BigInt64Array(maxPoints);
  let outValues = allocLike(type, maxPoints) as Float64Array;
  let o = 0;
  const openPiece = (): void => {
    const p = cluster[next++]!;
    const raw = readPiece(p, tmax, onCorrupt, cache);
    if (raw === undefined) return;
    const run = filterRun(type, raw, tmin, tmax, p.ranges);
    if (run.times.length > 0) open.push({ run, prio: p.prio, pos: 0 });
  };
  for (;;) {
    if (open.length === 0) {
      if (next >= cluster.length) break;
      openPiece();
      continue;
    }
    let t = open[0]!.run.times[open[0]!.pos]!;
    for (let k = 1; k < open.length; k++) {
      const h = open[k]!.run.times[open[k]!.pos]!;
      if (h < t) t = h;
    }
    if (next < cluster.length && cluster[next]!.minTime <= t) {
      openPiece(); // it may hold t or something earlier
      continue;
    }
    let best: Cursor | undefined;
    let bestPos = 0;
    let exhausted = false;
    for (const c of open) {
      if (c.run.times[c.pos] !== t) continue;
      if (best === undefined || c.prio > best.prio) {
        best = c;
        bestPos = c.pos;
      }
      c.pos++;
      if (c.pos >= c.run.times.length) exhausted = true;
    }
    outTimes[o] = t;
    outValues[o] = (best!.run.values as Float64Array)[bestPos]!;
    o++;
    if (exhausted) open = open.filter((c) => c.pos < c.run.times.length);
    if (o === maxPoints) {
      yield* chunks(type, { times: outTimes, values: outValues }, maxPoints);
      outTimes = new BigInt64Array(maxPoints);
      outValues = allocLike(type, maxPoints) as Float64Array;
      o = 0;
    }
  }
  if (o > 0) yield* chunks(type, { times: outTimes.subarray(0, o), values: sliceValues(outValues, 0, o) }, maxPoints);
}
