import type { SeriesInfo } from '../contracts/tsdb-store.js';

const NONE: readonly number[] = [];

/**
 * A measurement's series (sorted by key, as `ShardReader.series` lists them) with what queries ask of
 * them again and again: the measurement's tag keys, and the series holding a tag value. Both are
 * computed on first use and kept, so a reader that caches its index until the shard's series change
 * answers `WHERE host = 'a'` over many series with one map lookup instead of a pass over them all.
 * Immutable once built: a new series means a new index.
 */
export class SeriesIndex {
  readonly series: readonly SeriesInfo[];
  #tagKeys: string[] | undefined;
  readonly #byTag = new Map<string, Map<string, number[]>>();

  constructor(series: readonly SeriesInfo[]) {
    this.series = series;
  }

  /** Tag keys of the measurement's series, sorted (JavaScript string order, as InfluxDB sorts them). */
  tagKeys(): readonly string[] {
    if (this.#tagKeys === undefined) {
      const keys = new Set<string>();
      for (const s of this.series) for (const [k] of s.tags) keys.add(k);
      this.#tagKeys = [...keys].sort();
    }
    return this.#tagKeys;
  }

  /**
   * Positions in `series` (ascending) of the series whose tag `key` equals `value`. A series without
   * the tag is listed under the empty value, as InfluxQL compares a missing tag as ''.
   */
  withTag(key: string, value: string): readonly number[] {
    let byValue = this.#byTag.get(key);
    if (byValue === undefined) {
      byValue = new Map();
      for (let i = 0; i < this.series.length; i++) {
        let v = '';
        for (const [k, tv] of (this.series[i] as SeriesInfo).tags) {
          if (k === key) {
            v = tv;
            break;
          }
        }
        let list = byValue.get(v);
        if (list === undefined) byValue.set(v, (list = []));
        list.push(i);
      }
      this.#byTag.set(key, byValue);
    }
    return byValue.get(value) ?? NONE;
  }
}
