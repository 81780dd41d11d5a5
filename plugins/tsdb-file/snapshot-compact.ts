/**
 * The frozen cache, compacted for writing: one exact-size shared copy that both the snapshot worker
 * (encoding the segment) and readers (until the segment is installed) use.
 */
import { type BlockValues, type FieldType, TimeValueColumn } from '../../core/index.js';
import { Cache, type CacheSeries } from './cache.js';
import type { SnapshotData, SnapshotField } from './snapshot-segment.js';

/**
 * Copies a cache's content, sorted and deduplicated, into one SharedArrayBuffer of exact size (fields
 * of a series that share their times share one copy of them). Returns it as SnapshotData for the
 * segment writer and as `compact`, a read-only Cache over the same memory that replaces the frozen
 * cache for readers while the segment is written, so the frozen cache's own arrays (with their
 * growth slack) are freed right away. Posting `data` to the worker shares the memory, copies nothing.
 */
export function compactSnapshot(cache: Cache): { data: SnapshotData; compact: Cache } {
  type Col = { name: string; type: FieldType; times: BigInt64Array; values: BlockValues; holder: object };
  const series: Array<[CacheSeries, Col[]]> = [];
  let elements = 0;
  for (const key of [...cache.series.keys()].sort()) {
    const s = cache.series.get(key)!;
    const cols: Col[] = [];
    for (const name of [...s.fields.keys()].sort()) {
      const col = s.fields.get(name)!;
      const { times, values } = col.sortedView();
      if (times.length === 0) continue;
      const holder = col.timesHolder;
      // one copy of the times per holder and length (the same holder and length: the same times)
      if (!cols.some((c) => c.holder === holder && c.times.length === times.length)) elements += times.length;
      if (!Array.isArray(values)) elements += values.length;
      cols.push({ name, type: col.type, times, values, holder });
    }
    if (cols.length > 0) series.push([s, cols]);
  }
  const buffer = new SharedArrayBuffer(elements * 8);
  const data: SnapshotData = [];
  const compact = new Cache();
  compact.walGen = cache.walGen;
  compact.bytes = cache.bytes;
  let off = 0;
  for (const [s, cols] of series) {
    const fields: SnapshotField[] = [];
    const target = compact.addSeries(s.key, s.measurement, s.tags);
    target.times = undefined;
    const copies: Array<[holder: object, source: BigInt64Array, copy: BigInt64Array]> = [];
    for (const c of cols) {
      let t = copies.find(([h, src]) => h === c.holder && src.length === c.times.length)?.[2];
      if (t === undefined) {
        t = new BigInt64Array(buffer, off, c.times.length);
        t.set(c.times);
        off += t.byteLength;
        copies.push([c.holder, c.times, t]);
      }
      let v: BlockValues;
      if (Array.isArray(c.values)) v = c.values; // already a copy (sortedView)
      else if (c.values instanceof Float64Array) {
        v = new Float64Array(buffer, off, c.values.length);
        v.set(c.values);
        off += v.byteLength;
      } else {
        v = new BigInt64Array(buffer, off, c.values.length);
        (v as BigInt64Array).set(c.values as BigInt64Array);
        off += (v as BigInt64Array).byteLength;
      }
      fields.push([c.name, c.type, t, v]);
      target.fields.set(c.name, TimeValueColumn.fromSorted(c.type, t, v));
    }
    data.push([s.key, fields]);
  }
  return { data, compact };
}
