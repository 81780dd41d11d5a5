import type { Block, BlockStats, FieldInfo, SeriesInfo, ShardReader } from '../../contracts/tsdb-store.js';
import { fieldTypeOf, type FieldType, type FieldValue, type Tag } from '../../model/point.js';
import { seriesKey } from '../../model/series-key.js';

interface MemSeries {
  info: SeriesInfo;
  fields: Map<string, { times: bigint[]; values: FieldValue[] }>;
}

/**
 * A small in-memory ShardReader built from rows, used to run an outer query over a subquery's
 * results with the same local mapper. Rows must be added in ascending time per series.
 */
export class MemoryShardReader implements ShardReader {
  private readonly byMeasurement = new Map<string, Map<string, MemSeries>>();
  private readonly fieldTypes = new Map<string, Map<string, FieldType>>();

  /**
   * `blockPoints`: points per scanned block; `stats`: attach BlockStats to numeric blocks;
   * `keepDuplicates`: rows at the same time stay separate (a subquery's stream), instead of the
   * last one winning (storage semantics).
   */
  constructor(private readonly options: { blockPoints?: number; stats?: boolean; keepDuplicates?: boolean } = {}) {}

  /** Adds one row of a series: its tags, time and field values (nulls skipped). */
  add(measurement: string, tags: readonly Tag[], time: bigint, fields: ReadonlyArray<readonly [string, FieldValue | null]>): void {
    const sorted = [...tags].filter(([, v]) => v !== '').sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const key = seriesKey(measurement, sorted);
    let ms = this.byMeasurement.get(measurement);
    if (ms === undefined) {
      ms = new Map();
      this.byMeasurement.set(measurement, ms);
      this.fieldTypes.set(measurement, new Map());
    }
    let s = ms.get(key);
    if (s === undefined) {
      s = { info: { key, measurement, tags: sorted }, fields: new Map() };
      ms.set(key, s);
    }
    const ft = this.fieldTypes.get(measurement) as Map<string, FieldType>;
    for (const [name, v] of fields) {
      if (v === null) continue;
      if (!ft.has(name)) ft.set(name, fieldTypeOf(v));
      let col = s.fields.get(name);
      if (col === undefined) {
        col = { times: [], values: [] };
        s.fields.set(name, col);
      }
      const n = col.times.length;
      if (n > 0 && col.times[n - 1] === time && this.options.keepDuplicates !== true) col.values[n - 1] = v;
      else {
        col.times.push(time);
        col.values.push(v);
      }
    }
  }

  measurements(): string[] {
    return [...this.byMeasurement.keys()].sort();
  }

  series(measurement: string): SeriesInfo[] {
    const ms = this.byMeasurement.get(measurement);
    if (ms === undefined) return [];
    return [...ms.values()].map((s) => s.info).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  fields(measurement: string): FieldInfo[] {
    const ft = this.fieldTypes.get(measurement);
    if (ft === undefined) return [];
    return [...ft.entries()].map(([name, type]) => ({ name, type })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  *scan(key: string, field: string, tmin: bigint, tmax: bigint): Iterable<Block> {
    const m = key.split(',')[0] ?? '';
    for (const ms of this.byMeasurement.values()) {
      const s = ms.get(key);
      if (s === undefined) continue;
      const col = s.fields.get(field);
      if (col === undefined) return;
      const idx: number[] = [];
      col.times.forEach((t, i) => {
        if (t >= tmin && t <= tmax) idx.push(i);
      });
      if (idx.length === 0) return;
      const ft = this.fieldTypes.get(s.info.measurement)?.get(field);
      const size = Math.max(1, this.options.blockPoints ?? idx.length);
      for (let from = 0; from < idx.length; from += size) {
        const part = idx.slice(from, from + size);
        const times = BigInt64Array.from(part.map((i) => col.times[i] as bigint));
        const raw = part.map((i) => col.values[i] as FieldValue);
        const values =
          ft === 'float'
            ? Float64Array.from(raw.map((v) => Number(v)))
            : ft === 'integer'
              ? BigInt64Array.from(raw.map((v) => BigInt(v as bigint)))
              : (raw as string[] | boolean[]);
        const numeric = ft === 'float' || ft === 'integer';
        yield {
          count: times.length,
          minTime: times[0] as bigint,
          maxTime: times[times.length - 1] as bigint,
          ...(this.options.stats === true && numeric ? { stats: statsOf(raw as Array<number | bigint>) } : {}),
          decode: () => ({ times, values }),
        };
      }
      void m;
      return;
    }
  }
}

function statsOf(vals: ReadonlyArray<number | bigint>): BlockStats {
  let min = vals[0] as number | bigint;
  let max = min;
  let sum: number | bigint = typeof min === 'bigint' ? 0n : 0;
  for (const v of vals) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum = typeof v === 'bigint' ? BigInt.asIntN(64, (sum as bigint) + v) : (sum as number) + v;
  }
  return { count: vals.length, min, max, sum, first: vals[0] as number | bigint, last: vals[vals.length - 1] as number | bigint };
}
