/**
 * Writing a frozen cache to a level-1 segment, in a form that can cross a worker boundary: the cache
 * is first extracted into plain arrays (`extractSnapshot`), then encoded and written
 * (`writeSnapshotSegment`), either on the main thread or in the snapshot worker.
 */
import type { BlockValues, FieldType } from '../../core/index.js';
import type { Cache } from './cache.js';
import { computeStats, encodeBlock } from './codec/block.js';
import type { SegmentMeta } from './segment-format.js';
import { SegmentWriter } from './segment-writer.js';

/** One series field of a snapshot: sorted, deduplicated times and their values (exact-size copies). */
export type SnapshotField = [name: string, type: FieldType, times: BigInt64Array, values: BlockValues];

/** The content of a frozen cache, series keys sorted, fields sorted by name. */
export type SnapshotData = Array<[key: string, fields: SnapshotField[]]>;

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * Copies a cache's content out (the cache stays readable and unchanged). All numeric columns are
 * copied into one ArrayBuffer (returned for transfer to the worker without another copy).
 */
export function extractSnapshot(cache: Cache): { data: SnapshotData; buffer: ArrayBuffer } {
  const cols: Array<[key: string, name: string, type: FieldType, times: BigInt64Array, values: BlockValues]> = [];
  let elements = 0;
  for (const key of [...cache.series.keys()].sort()) {
    const s = cache.series.get(key)!;
    for (const name of [...s.fields.keys()].sort()) {
      const col = s.fields.get(name)!;
      for (const b of col.blocks(MIN, MAX, Number.MAX_SAFE_INTEGER)) {
        const { times, values } = b.decode();
        cols.push([key, name, col.type, times, values]);
        elements += times.length * (Array.isArray(values) ? 1 : 2);
      }
    }
  }
  const buffer = new ArrayBuffer(elements * 8);
  const data: SnapshotData = [];
  let off = 0;
  let current: [string, SnapshotField[]] | undefined;
  for (const [key, name, type, times, values] of cols) {
    const t = new BigInt64Array(buffer, off, times.length);
    t.set(times);
    off += times.byteLength;
    let v: BlockValues;
    if (Array.isArray(values)) v = values.slice();
    else if (values instanceof Float64Array) {
      v = new Float64Array(buffer, off, values.length);
      v.set(values);
      off += values.byteLength;
    } else {
      v = new BigInt64Array(buffer, off, values.length);
      (v as BigInt64Array).set(values as BigInt64Array);
      off += (values as BigInt64Array).byteLength;
    }
    if (current === undefined || current[0] !== key) {
      current = [key, []];
      data.push(current);
    }
    current[1].push([name, type, t, v]);
  }
  return { data, buffer };
}

/**
 * Encodes `data` into blocks of at most `maxBlockPoints` and writes the segment; returns its path, or
 * undefined when there was nothing to write. `pause` runs between series (yield, abort check).
 */
export async function writeSnapshotSegment(
  dir: string,
  meta: SegmentMeta,
  data: SnapshotData,
  maxBlockPoints: number,
  pause?: () => Promise<void>,
): Promise<string | undefined> {
  if (data.length === 0) return undefined;
  const writer = await SegmentWriter.create(dir, meta);
  try {
    for (const [key, fields] of data) {
      for (const [name, type, times, values] of fields) {
        const blocks = [];
        for (let a = 0; a < times.length; a += maxBlockPoints) {
          const n = Math.min(maxBlockPoints, times.length - a);
          blocks.push({
            bytes: encodeBlock(type, times, values, a, n),
            minTime: times[a]!,
            maxTime: times[a + n - 1]!,
            count: n,
            stats: computeStats(type, values, a, n),
          });
        }
        await writer.addField(key, name, type, blocks);
      }
      if (pause !== undefined) await pause();
    }
    if (writer.blockCount === 0) {
      await writer.abort();
      return undefined;
    }
    return await writer.finish(meta);
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
