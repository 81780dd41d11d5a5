/**
 * The read side of a shard: lists measurements, series and fields across the shard's sources and
 * scans a series field (merge.ts), honouring tombstones. Listings are cached until the shard's
 * `version` changes.
 */
import {
  type Block,
  compareUtf8,
  type FieldInfo,
  type FieldType,
  MAX_TIME,
  MIN_TIME,
  type SeriesInfo,
  SeriesIndex,
  type ShardFieldTypes,
  type ShardReader,
  type TimeValueColumn,
} from '../../core/index.js';
import type { BlockCache } from './block-cache.js';
import type { Cache } from './cache.js';
import { type OnCorrupt, type Piece, scanPieces } from './merge.js';
import type { FieldEntry } from './segment-format.js';
import type { SegmentReader } from './segment-reader.js';
import { measurementOf } from './series-key-parse.js';
import type { TimeRange, Tombstones } from './tombstones.js';

/** A frozen cache being written to a segment. */
export interface FrozenCache {
  readonly cache: Cache;
  readonly seq: number;
}

/** Priority of the active cache: above every sequence number. */
export const ACTIVE_PRIO = Number.MAX_SAFE_INTEGER;

/** What a view reads from; the shard passes itself. */
export interface ShardSources {
  readonly segments: readonly SegmentReader[];
  readonly frozen: readonly FrozenCache[];
  readonly active: Cache;
  readonly tombstones: Tombstones;
  readonly fieldTypes: ShardFieldTypes;
  readonly version: number;
  readonly maxBlockPoints: number;
  readonly onCorrupt: OnCorrupt;
  /** Decoded blocks kept for queries (store-wide), when enabled. */
  readonly blockCache?: BlockCache | undefined;
}

const NO_RANGES: readonly TimeRange[] = [];

function overlapping(ranges: readonly TimeRange[], lo: bigint, hi: bigint): readonly TimeRange[] {
  return ranges.length === 0 ? NO_RANGES : ranges.filter(([a, b]) => a <= hi && b >= lo);
}

/** Pieces of one series field in one segment overlapping [tmin, tmax]. */
export function segmentPieces(seg: SegmentReader, fe: FieldEntry, ranges: readonly TimeRange[], tmin: bigint, tmax: bigint, out: Piece[]): void {
  const blocks = fe.blocks;
  // blocks are ascending and disjoint: binary search the first that ends at or after tmin
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (blocks[mid]!.maxTime < tmin) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < blocks.length; i++) {
    const ref = blocks[i]!;
    if (ref.minTime > tmax) break;
    out.push({ minTime: ref.minTime, maxTime: ref.maxTime, prio: seg.seq, ranges: overlapping(ranges, ref.minTime, ref.maxTime), seg, ref });
  }
}

function columnPiece(col: TimeValueColumn, prio: number, ranges: readonly TimeRange[]): Piece | undefined {
  const minTime = col.minTime();
  const maxTime = col.maxTime();
  if (minTime === undefined || maxTime === undefined) return undefined;
  return { minTime, maxTime, prio, ranges: overlapping(ranges, minTime, maxTime), col };
}

/** A ShardReader over a shard's sources. */
export class ShardView implements ShardReader {
  #version = -1;
  #series = new Map<string, SeriesInfo[]>();
  #indexes = new Map<string, SeriesIndex>();
  #measurements: string[] | undefined;

  constructor(private readonly src: ShardSources) {}

  #checkVersion(): void {
    if (this.#version !== this.src.version) {
      this.#version = this.src.version;
      this.#series.clear();
      this.#indexes.clear();
      this.#measurements = undefined;
    }
  }

  measurements(): string[] {
    this.#checkVersion();
    if (this.#measurements === undefined) {
      const names = new Set<string>(this.src.active.byMeasurement.keys());
      for (const f of this.src.frozen) for (const m of f.cache.byMeasurement.keys()) names.add(m);
      for (const s of this.src.segments) for (const m of s.byMeasurement.keys()) names.add(m);
      this.#measurements = [...names].filter((m) => this.#seriesList(m).length > 0).sort(compareUtf8);
    }
    return [...this.#measurements];
  }

  series(measurement: string): SeriesInfo[] {
    return [...this.#seriesList(measurement)];
  }

  seriesIndex(measurement: string): SeriesIndex {
    this.#checkVersion();
    let idx = this.#indexes.get(measurement);
    if (idx === undefined) {
      idx = new SeriesIndex(this.#seriesList(measurement));
      this.#indexes.set(measurement, idx);
    }
    return idx;
  }

  #seriesList(measurement: string): readonly SeriesInfo[] {
    this.#checkVersion();
    let list = this.#series.get(measurement);
    if (list === undefined) {
      const { tombstones } = this.src;
      const found = new Map<string, SeriesInfo>();
      for (const s of this.src.active.byMeasurement.get(measurement)?.values() ?? []) {
        found.set(s.key, { key: s.key, measurement: s.measurement, tags: s.tags });
      }
      for (const f of this.src.frozen) {
        if (tombstones.measurementDeleted(measurement, f.seq)) continue;
        for (const s of f.cache.byMeasurement.get(measurement)?.values() ?? []) {
          if (found.has(s.key)) continue;
          if (this.#cacheSeriesPresent(s.key, measurement, f)) found.set(s.key, { key: s.key, measurement, tags: s.tags });
        }
      }
      for (const seg of this.src.segments) {
        if (tombstones.measurementDeleted(measurement, seg.seq)) continue;
        for (const s of seg.byMeasurement.get(measurement) ?? []) {
          if (found.has(s.key)) continue;
          if (this.#segmentSeriesPresent(s.key, measurement, seg)) found.set(s.key, { key: s.key, measurement, tags: s.tags });
        }
      }
      list = [...found.values()].sort((a, b) => compareUtf8(a.key, b.key));
      this.#series.set(measurement, list);
    }
    return list;
  }

  fields(measurement: string): FieldInfo[] {
    return this.#seriesList(measurement).length > 0 ? this.src.fieldTypes.fields(measurement) : [];
  }

  scan(seriesKey: string, field: string, tmin: bigint, tmax: bigint): Iterable<Block> {
    const measurement = measurementOf(seriesKey);
    const type = this.src.fieldTypes.typeOf(measurement, field);
    if (type === undefined) return [];
    const pieces = this.pieces(seriesKey, measurement, field, tmin, tmax, this.src.segments, true);
    if (pieces.length === 0) return [];
    return scanPieces(type, pieces, tmin, tmax, this.src.maxBlockPoints, this.src.onCorrupt, true, this.src.blockCache);
  }

  /** Pieces of a series field from `segments` (and the caches when `caches`), tombstones attached. */
  pieces(
    key: string,
    measurement: string,
    field: string,
    tmin: bigint,
    tmax: bigint,
    segments: readonly SegmentReader[],
    caches: boolean,
  ): Piece[] {
    const { tombstones } = this.src;
    const out: Piece[] = [];
    for (const seg of segments) {
      const fe = seg.series.get(key)?.fields.get(field);
      if (fe === undefined || tombstones.measurementDeleted(measurement, seg.seq)) continue;
      segmentPieces(seg, fe, tombstones.rangesFor(key, measurement, seg.seq), tmin, tmax, out);
    }
    if (!caches) return out;
    for (const f of this.src.frozen) {
      const col = f.cache.series.get(key)?.fields.get(field);
      if (col === undefined || tombstones.measurementDeleted(measurement, f.seq)) continue;
      const p = columnPiece(col, f.seq, tombstones.rangesFor(key, measurement, f.seq));
      if (p !== undefined) out.push(p);
    }
    const col = this.src.active.series.get(key)?.fields.get(field);
    if (col !== undefined) {
      const p = columnPiece(col, ACTIVE_PRIO, []);
      if (p !== undefined) out.push(p);
    }
    return out;
  }

  #anyPoint(type: FieldType, pieces: Piece[]): boolean {
    for (const b of scanPieces(type, pieces, MIN_TIME, MAX_TIME, this.src.maxBlockPoints, this.src.onCorrupt)) {
      if (b.count > 0) return true;
    }
    return false;
  }

  #cacheSeriesPresent(key: string, measurement: string, f: FrozenCache): boolean {
    if (!this.src.tombstones.touches(key)) return true;
    const ranges = this.src.tombstones.rangesFor(key, measurement, f.seq);
    if (ranges.length === 0) return true;
    for (const col of f.cache.series.get(key)?.fields.values() ?? []) {
      const p = columnPiece(col, f.seq, ranges);
      if (p !== undefined && this.#anyPoint(col.type, [p])) return true;
    }
    return false;
  }

  #segmentSeriesPresent(key: string, measurement: string, seg: SegmentReader): boolean {
    if (!this.src.tombstones.touches(key)) return true;
    const ranges = this.src.tombstones.rangesFor(key, measurement, seg.seq);
    if (ranges.length === 0) return true;
    for (const fe of seg.series.get(key)?.fields.values() ?? []) {
      const pieces: Piece[] = [];
      segmentPieces(seg, fe, ranges, MIN_TIME, MAX_TIME, pieces);
      if (this.#anyPoint(fe.type, pieces)) return true;
    }
    return false;
  }
}
