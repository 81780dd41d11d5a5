/**
 * Writing a frozen cache to a level-1 segment, in a form that can cross a worker boundary: the cache
 * is first copied into shared arrays (`compactSnapshot`, snapshot-compact.ts), then encoded and
 * written (`writeSnapshotSegment`), either on the main thread or in the snapshot worker.
 */
import type { BlockValues, FieldType } from '../../core/index.js';
import { computeStats, encodeBlock } from './codec/block.js';
import type { SegmentMeta } from './segment-format.js';
import { SegmentWriter } from './segment-writer.js';

/** One series field of a snapshot: sorted, deduplicated times and their values (exact-size, read-only). */
export type SnapshotField = [name: string, type: FieldType, times: BigInt64Array, values: BlockValues];

/** The content of a frozen cache, series keys sorted, fields sorted by name. */
export type SnapshotData = Array<[key: string, fields: SnapshotField[]]>;

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
