import {
  AbstractTSDBStore,
  type Block,
  type BlockValues,
  compareUtf8,
  type FieldType,
  type Point,
  type SeriesInfo,
  ShardFieldTypes,
  type ShardReader,
  type Tag,
  type TSDBStoreSupports,
} from 'tessera';

/** One stored value; the toy keeps an object per point (a real store would not). */
interface Entry {
  readonly time: bigint;
  readonly value: number | bigint | string | boolean;
}

interface ToySeries {
  readonly measurement: string;
  readonly tags: readonly Tag[];
  /** field name -> entries sorted by time, no duplicate times. */
  readonly fields: Map<string, Entry[]>;
}

interface ToyShard {
  readonly db: string;
  readonly rp: string;
  readonly types: ShardFieldTypes;
  readonly series: Map<string, ToySeries>;
}

/** Index of the first entry with time >= t. */
function lowerBound(entries: readonly Entry[], t: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function toBlockValues(type: FieldType, values: Entry['value'][]): BlockValues {
  if (type === 'float') return Float64Array.from(values as number[]);
  if (type === 'integer') return BigInt64Array.from(values as bigint[]);
  return values as string[] | boolean[];
}

/**
 * A deliberately simple TSDBStore: a Map of sorted arrays per shard, series and field. It extends
 * core's AbstractTSDBStore, so it writes only storage code: argument, lifecycle, shard and field-type
 * checks come from the base class.
 */
export class ToyTSDBStore extends AbstractTSDBStore {
  readonly supports: TSDBStoreSupports = { persistent: false, deletes: true, blockStats: false };
  readonly #shards = new Map<number, ToyShard>();

  protected override async _createShard(db: string, rp: string, shardId: number): Promise<void> {
    this.#shards.set(shardId, { db, rp, types: new ShardFieldTypes(), series: new Map() });
  }

  protected override async _deleteShard(shardId: number): Promise<void> {
    this.#shards.delete(shardId);
  }

  protected override _shardIds(): number[] {
    return [...this.#shards.keys()].sort((a, b) => a - b);
  }

  protected override _shardInfo(shardId: number): { db: string; rp: string } | undefined {
    return this.#shards.get(shardId);
  }

  protected override _fieldTypes(shardId: number): ShardFieldTypes {
    return this.#shards.get(shardId)!.types;
  }

  protected override async _write(shardId: number, points: readonly Point[]): Promise<void> {
    const shard = this.#shards.get(shardId)!;
    for (const p of points) {
      let s = shard.series.get(p.key);
      if (s === undefined) {
        s = { measurement: p.measurement, tags: p.tags, fields: new Map() };
        shard.series.set(p.key, s);
      }
      for (const [name, value] of p.fields) {
        let entries = s.fields.get(name);
        if (entries === undefined) {
          entries = [];
          s.fields.set(name, entries);
        }
        const at = lowerBound(entries, p.time);
        if (at < entries.length && entries[at]!.time === p.time) entries[at] = { time: p.time, value };
        else entries.splice(at, 0, { time: p.time, value });
      }
    }
  }

  protected override _reader(shardId: number): ShardReader {
    const shard = this.#shards.get(shardId)!;
    const seriesOf = (measurement: string): Array<[string, ToySeries]> =>
      [...shard.series].filter(([, s]) => s.measurement === measurement).sort((a, b) => compareUtf8(a[0], b[0]));
    return {
      measurements: () => [...new Set([...shard.series.values()].map((s) => s.measurement))].sort(compareUtf8),
      series: (measurement): SeriesInfo[] => seriesOf(measurement).map(([key, s]) => ({ key, measurement, tags: s.tags })),
      fields: (measurement) => (seriesOf(measurement).length === 0 ? [] : shard.types.fields(measurement)),
      scan: (seriesKey, field, tmin, tmax): Block[] => {
        const s = shard.series.get(seriesKey);
        const entries = s?.fields.get(field);
        const type = s === undefined ? undefined : shard.types.typeOf(s.measurement, field);
        if (entries === undefined || type === undefined) return [];
        const hit = entries.slice(lowerBound(entries, tmin), lowerBound(entries, tmax + 1n));
        if (hit.length === 0) return [];
        return [
          {
            count: hit.length,
            minTime: hit[0]!.time,
            maxTime: hit[hit.length - 1]!.time,
            decode: () => ({
              times: BigInt64Array.from(hit.map((e) => e.time)),
              values: toBlockValues(
                type,
                hit.map((e) => e.value),
              ),
            }),
          },
        ];
      },
    };
  }

  protected override async _deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    const shard = this.#shards.get(shardId)!;
    for (const key of seriesKeys) {
      const s = shard.series.get(key);
      if (s === undefined) continue;
      for (const [name, entries] of s.fields) {
        const kept = entries.filter((e) => e.time < tmin || e.time > tmax);
        if (kept.length === 0) s.fields.delete(name);
        else s.fields.set(name, kept);
      }
      if (s.fields.size === 0) shard.series.delete(key);
    }
  }

  protected override async _deleteMeasurement(shardId: number, measurement: string): Promise<void> {
    const shard = this.#shards.get(shardId)!;
    for (const [key, s] of shard.series) if (s.measurement === measurement) shard.series.delete(key);
  }
}
