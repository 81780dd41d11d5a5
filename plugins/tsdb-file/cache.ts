/**
 * The in-memory cache of one shard: recent writes, per series and field, in TimeValueColumns. Writes
 * go to the active cache; at snapshot the active cache is frozen and written to a segment while a new
 * one takes writes. `bytes` is an estimate used for `cache-max-memory-size` and snapshot triggers.
 */
import { fieldTypeOf, type Point, SharedTimes, type Tag, TimeValueColumn } from '../../core/index.js';

/** One series in the cache. */
export interface CacheSeries {
  readonly key: string;
  readonly measurement: string;
  readonly tags: readonly Tag[];
  readonly fields: Map<string, TimeValueColumn>;
  /**
   * The times of its points, shared by the field columns written at every point (usually all of
   * them); undefined once no column follows it any more.
   */
  times: SharedTimes | undefined;
  /** The columns of the last point's fields, by position (points usually repeat their field order). */
  readonly lastNames: string[];
  readonly lastColumns: TimeValueColumn[];
}

/** Bytes counted for one value (time + value) and for a new series (key, maps). */
const VALUE_BYTES = 16;
const SERIES_BYTES = 200;
/** Initial capacity of a column (grown by copying). */
const COLUMN_CAPACITY = 16;

/** Estimated cache bytes of a batch of points (what `cache-max-memory-size` is checked against). */
export function estimateBytes(points: readonly Point[]): number {
  let n = 0;
  for (let i = 0; i < points.length; i++) {
    const fields = points[i]!.fields;
    n += fields.length * VALUE_BYTES;
    for (let f = 0; f < fields.length; f++) {
      const v = fields[f]![1];
      if (typeof v === 'string') n += v.length * 2;
    }
  }
  return n;
}

/** The cache of one shard (active or frozen). */
export class Cache {
  readonly series = new Map<string, CacheSeries>();
  readonly byMeasurement = new Map<string, Map<string, CacheSeries>>();
  /** Estimated bytes held. */
  bytes = 0;
  /** Highest WAL generation whose records this cache holds. */
  walGen = 0;

  /** Appends points (field types already validated). */
  write(points: readonly Point[]): void {
    let last: CacheSeries | undefined;
    let bytes = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      let s = last !== undefined && last.key === p.key ? last : this.series.get(p.key);
      if (s === undefined) {
        s = this.addSeries(p.key, p.measurement, p.tags);
        bytes += SERIES_BYTES + p.key.length * 2;
      }
      last = s;
      let times = s.times;
      if (times !== undefined) {
        if (times.attached === 0 && times.length > 0) s.times = times = undefined;
        else times.append(p.time);
      }
      const fields = p.fields;
      const lastNames = s.lastNames;
      const lastColumns = s.lastColumns;
      for (let f = 0; f < fields.length; f++) {
        const [name, value] = fields[f]!;
        let col: TimeValueColumn | undefined;
        if (lastNames[f] === name) col = lastColumns[f]!;
        else {
          col = s.fields.get(name);
          if (col === undefined) {
            col = new TimeValueColumn(fieldTypeOf(value), COLUMN_CAPACITY, times);
            s.fields.set(name, col);
          }
          lastNames[f] = name;
          lastColumns[f] = col;
        }
        col.append(p.time, value);
        bytes += typeof value === 'string' ? VALUE_BYTES + value.length * 2 : VALUE_BYTES;
      }
    }
    this.bytes += bytes;
  }

  /** Adds an empty series entry (idempotent). */
  addSeries(key: string, measurement: string, tags: readonly Tag[]): CacheSeries {
    const existing = this.series.get(key);
    if (existing !== undefined) return existing;
    const s: CacheSeries = { key, measurement, tags, fields: new Map(), times: new SharedTimes(COLUMN_CAPACITY), lastNames: [], lastColumns: [] };
    this.series.set(key, s);
    let m = this.byMeasurement.get(measurement);
    if (m === undefined) {
      m = new Map();
      this.byMeasurement.set(measurement, m);
    }
    m.set(key, s);
    return s;
  }

  /** Deletes points of the given series in [tmin, tmax]; emptied series are removed. */
  deleteSeries(keys: readonly string[], tmin: bigint, tmax: bigint): void {
    for (const key of keys) {
      const s = this.series.get(key);
      if (s === undefined) continue;
      // columns may be dropped below: forget the by-position shortcut
      s.lastNames.length = 0;
      s.lastColumns.length = 0;
      for (const [name, col] of s.fields) {
        col.deleteRange(tmin, tmax);
        if (col.length === 0) s.fields.delete(name);
      }
      if (s.fields.size === 0) this.removeSeries(s);
    }
  }

  /** Deletes every series of a measurement. */
  deleteMeasurement(measurement: string): void {
    const m = this.byMeasurement.get(measurement);
    if (m === undefined) return;
    for (const s of [...m.values()]) this.removeSeries(s);
  }

  private removeSeries(s: CacheSeries): void {
    this.series.delete(s.key);
    // An empty cache holds nothing: without this reset, deletes left `bytes` over the snapshot threshold
    // with no series to snapshot, and the snapshot trigger re-fired forever.
    if (this.series.size === 0) this.bytes = 0;
    const m = this.byMeasurement.get(s.measurement);
    if (m !== undefined) {
      m.delete(s.key);
      if (m.size === 0) this.byMeasurement.delete(s.measurement);
    }
  }
}
