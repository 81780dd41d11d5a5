import {
  type Block,
  compareUtf8,
  type FieldInfo,
  fieldTypeOf,
  type Point,
  type SeriesInfo,
  SeriesIndex,
  ShardFieldTypes,
  type ShardReader,
  type Tag,
  TimeValueColumn,
} from '../../core/index.js';

/** One series of a shard: its identity and one column per field. */
interface MemorySeries {
  readonly key: string;
  readonly measurement: string;
  readonly tags: readonly Tag[];
  readonly fields: Map<string, TimeValueColumn>;
}

function byKey(a: SeriesInfo, b: SeriesInfo): number {
  return compareUtf8(a.key, b.key);
}

/**
 * The data of one shard in memory: an index measurement -> series, and per series and field a
 * {@link TimeValueColumn}. Sorted listings are cached and dropped on change.
 */
export class MemoryShard {
  readonly db: string;
  readonly rp: string;
  readonly fieldTypes = new ShardFieldTypes();
  readonly #series = new Map<string, MemorySeries>();
  readonly #byMeasurement = new Map<string, Map<string, MemorySeries>>();
  #sortedMeasurements: string[] | undefined;
  readonly #sortedSeries = new Map<string, SeriesInfo[]>();
  readonly #indexes = new Map<string, SeriesIndex>();
  readonly #maxBlockPoints: number;

  constructor(db: string, rp: string, maxBlockPoints: number) {
    this.db = db;
    this.rp = rp;
    this.#maxBlockPoints = maxBlockPoints;
  }

  /** Appends points whose field types were validated; consecutive points of one series share a lookup. */
  write(points: readonly Point[]): void {
    let last: MemorySeries | undefined;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      let s = last !== undefined && last.key === p.key ? last : this.#series.get(p.key);
      if (s === undefined) s = this.#addSeries(p);
      last = s;
      const time = p.time;
      const fields = p.fields;
      for (let f = 0; f < fields.length; f++) {
        const [name, value] = fields[f]!;
        let col = s.fields.get(name);
        if (col === undefined) {
          col = new TimeValueColumn(fieldTypeOf(value));
          s.fields.set(name, col);
        }
        col.append(time, value);
      }
    }
  }

  /** Deletes the points of the given series with time in [tmin, tmax]; empty series and measurements disappear. */
  deleteSeries(keys: readonly string[], tmin: bigint, tmax: bigint): void {
    for (const key of keys) {
      const s = this.#series.get(key);
      if (s === undefined) continue;
      for (const [name, col] of s.fields) {
        const min = col.minTime();
        const max = col.maxTime();
        // Whole column covered: drop it without copying what remains.
        if (min === undefined || max === undefined || (tmin <= min && max <= tmax)) s.fields.delete(name);
        else if (col.deleteRange(tmin, tmax) > 0 && col.length === 0) s.fields.delete(name);
      }
      if (s.fields.size === 0) this.#removeSeries(s);
    }
  }

  /** Deletes a measurement's series (its field types are forgotten by the caller). */
  deleteMeasurement(measurement: string): void {
    const series = this.#byMeasurement.get(measurement);
    if (series === undefined) return;
    for (const s of [...series.values()]) this.#removeSeries(s);
  }

  /** Releases everything (shard deleted). */
  clear(): void {
    this.#series.clear();
    this.#byMeasurement.clear();
    this.#sortedSeries.clear();
    this.#indexes.clear();
    this.#sortedMeasurements = undefined;
  }

  /** Approximate bytes held by columns (not counting index overhead). */
  byteSize(): number {
    let n = 0;
    for (const s of this.#series.values()) for (const col of s.fields.values()) n += col.byteSize();
    return n;
  }

  /** A reader over this shard's live data (later writes are visible to later calls). */
  reader(): ShardReader {
    return {
      measurements: () => this.#measurements(),
      series: (measurement) => this.#seriesOf(measurement),
      fields: (measurement) => this.#fieldsOf(measurement),
      scan: (seriesKey, field, tmin, tmax) => this.#scan(seriesKey, field, tmin, tmax),
      seriesIndex: (measurement) => this.#indexOf(measurement),
      scanDescending: (seriesKey, field, tmin, tmax) => {
        const col = this.#series.get(seriesKey)?.fields.get(field);
        return col === undefined ? [] : col.blocksDescending(tmin, tmax, this.#maxBlockPoints);
      },
    };
  }

  #measurements(): string[] {
    this.#sortedMeasurements ??= [...this.#byMeasurement.keys()].sort(compareUtf8);
    return [...this.#sortedMeasurements];
  }

  #seriesOf(measurement: string): SeriesInfo[] {
    let sorted = this.#sortedSeries.get(measurement);
    if (sorted === undefined) {
      const series = this.#byMeasurement.get(measurement);
      if (series === undefined) return [];
      sorted = [...series.values()].map((s) => ({ key: s.key, measurement: s.measurement, tags: s.tags })).sort(byKey);
      this.#sortedSeries.set(measurement, sorted);
    }
    return [...sorted];
  }

  #indexOf(measurement: string): SeriesIndex {
    let idx = this.#indexes.get(measurement);
    if (idx === undefined) {
      idx = new SeriesIndex(this.#seriesOf(measurement));
      this.#indexes.set(measurement, idx);
    }
    return idx;
  }

  #fieldsOf(measurement: string): FieldInfo[] {
    // InfluxDB lists a measurement's fields only while the measurement has series.
    return this.#byMeasurement.has(measurement) ? this.fieldTypes.fields(measurement) : [];
  }

  #scan(seriesKey: string, field: string, tmin: bigint, tmax: bigint): Iterable<Block> {
    const col = this.#series.get(seriesKey)?.fields.get(field);
    return col === undefined ? [] : col.blocks(tmin, tmax, this.#maxBlockPoints);
  }

  #addSeries(p: Point): MemorySeries {
    const s: MemorySeries = { key: p.key, measurement: p.measurement, tags: p.tags, fields: new Map() };
    this.#series.set(p.key, s);
    let m = this.#byMeasurement.get(p.measurement);
    if (m === undefined) {
      m = new Map();
      this.#byMeasurement.set(p.measurement, m);
      this.#sortedMeasurements = undefined;
    }
    m.set(p.key, s);
    this.#sortedSeries.delete(p.measurement);
    this.#indexes.delete(p.measurement);
    return s;
  }

  #removeSeries(s: MemorySeries): void {
    this.#series.delete(s.key);
    const m = this.#byMeasurement.get(s.measurement);
    if (m !== undefined) {
      m.delete(s.key);
      if (m.size === 0) {
        this.#byMeasurement.delete(s.measurement);
        this.#sortedMeasurements = undefined;
      }
    }
    this.#sortedSeries.delete(s.measurement);
    this.#indexes.delete(s.measurement);
  }
}
