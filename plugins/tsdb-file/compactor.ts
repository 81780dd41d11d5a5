/**
 * Merges adjacent segments (in seq order) into one: per series field, the inputs' blocks are scanned
 * with tombstones applied and newer data winning (merge.ts); full blocks that come through untouched
 * are copied as they are, the rest is decoded, concatenated and re-encoded into full blocks, except
 * that a short run before a copied full block (a snapshot's tail) stays a short block of its own:
 * merging it would shift every later block and re-encode the whole series field (measured on the
 * DevOps ingest: about 10% of the server's CPU per point, for +0.2% bytes per value). Works one series field at a time
 * (memory bounded by the largest series field), yielding to the event loop between series; normally
 * runs in the store's worker thread.
 */
import { type BlockStats, type BlockValues, type FieldType, MAX_TIME, MIN_TIME } from '../../core/index.js';
import { computeStats, encodeBlock } from './codec/block.js';
import { isFileBlock, type Run, scanPieces } from './merge.js';
import type { SegmentMeta } from './segment-format.js';
import type { SegmentReader } from './segment-reader.js';
import { SegmentWriter } from './segment-writer.js';
import type { ShardSources, ShardView } from './shard-view.js';

interface OutBlock {
  bytes: Uint8Array;
  minTime: bigint;
  maxTime: bigint;
  count: number;
  stats?: BlockStats;
}

function concatRuns(type: FieldType, runs: readonly Run[], total: number): Run {
  const times = new BigInt64Array(total);
  let values: BlockValues;
  let o = 0;
  if (type === 'float' || type === 'integer') {
    const v = type === 'float' ? new Float64Array(total) : new BigInt64Array(total);
    for (const r of runs) {
      times.set(r.times, o);
      (v as Float64Array).set(r.values as Float64Array, o);
      o += r.times.length;
    }
    values = v;
  } else {
    const v: unknown[] = [];
    for (const r of runs) {
      times.set(r.times, o);
      o += r.times.length;
      for (const x of r.values as unknown[]) v.push(x);
    }
    values = v as BlockValues;
  }
  return { times, values };
}

function encodeChunk(type: FieldType, run: Run, a: number, b: number): OutBlock {
  const n = b - a;
  const stats = computeStats(type, run.values, a, n);
  return { bytes: encodeBlock(type, run.times, run.values, a, n), minTime: run.times[a]!, maxTime: run.times[b - 1]!, count: n, stats };
}

/**
 * Compacts `inputs` (adjacent in seq order) into one new segment and returns its path, or undefined
 * when nothing survived. Throws (after removing its temporary file) when `closed()` turns true.
 */
export async function compactSegments(
  shard: ShardSources & { readonly dir: string },
  view: ShardView,
  inputs: readonly SegmentReader[],
  closed: () => boolean,
): Promise<string | undefined> {
  const meta: SegmentMeta = {
    seq: Math.max(...inputs.map((s) => s.seq)),
    minSeq: Math.min(...inputs.map((s) => s.minSeq)),
    level: Math.max(...inputs.map((s) => s.level)) + 1,
    walGen: Math.max(...inputs.map((s) => s.walGen)),
  };
  const maxPoints = shard.maxBlockPoints;
  const writer = await SegmentWriter.create(shard.dir, meta);
  try {
    const keys = new Set<string>();
    for (const s of inputs) for (const k of s.series.keys()) keys.add(k);
    let lastYield = performance.now();
    for (const key of [...keys].sort()) {
      let measurement = '';
      const fieldTypes = new Map<string, FieldType>();
      // inputs ascending by seq: the newest input's type wins when (after a re-created measurement) they differ
      for (const s of inputs) {
        const ss = s.series.get(key);
        if (ss === undefined) continue;
        measurement = ss.measurement;
        if (shard.tombstones.measurementDeleted(measurement, s.seq)) continue;
        for (const [name, fe] of ss.fields) fieldTypes.set(name, fe.type);
      }
      for (const name of [...fieldTypes.keys()].sort()) {
        const type = fieldTypes.get(name)!;
        const pieces = view
          .pieces(key, measurement, name, MIN_TIME, MAX_TIME, inputs, false)
          .filter((p) => p.seg!.series.get(key)!.fields.get(name)!.type === type);
        const out: OutBlock[] = [];
        let pending: Run[] = [];
        let pendingCount = 0;
        const flush = (final: boolean): void => {
          if (pendingCount === 0) return;
          const run = pending.length === 1 ? pending[0]! : concatRuns(type, pending, pendingCount);
          let a = 0;
          while (pendingCount - a >= maxPoints) {
            out.push(encodeChunk(type, run, a, a + maxPoints));
            a += maxPoints;
          }
          if (final && a < pendingCount) {
            out.push(encodeChunk(type, run, a, pendingCount));
            a = pendingCount;
          }
          if (a === pendingCount) {
            pending = [];
            pendingCount = 0;
          } else {
            pending = [{ times: run.times.subarray(a), values: Array.isArray(run.values) ? run.values.slice(a) : (run.values as Float64Array).subarray(a) }];
            pendingCount -= a;
          }
        };
        for (const b of scanPieces(type, pieces, MIN_TIME, MAX_TIME, maxPoints, shard.onCorrupt)) {
          if (b.count === 0) continue;
          if (isFileBlock(b) && b.count >= maxPoints) {
            // A full block copies as it is; a short run before it (a snapshot's tail) is written as its
            // own block rather than merged, which would shift every later block and re-encode them all.
            flush(true);
            out.push({ bytes: b.bytes, minTime: b.minTime, maxTime: b.maxTime, count: b.count, stats: b.stats });
            continue;
          }
          pending.push(b.decode());
          pendingCount += b.count;
          if (pendingCount >= maxPoints) flush(false);
        }
        flush(true);
        await writer.addField(key, name, type, out);
      }
      if (performance.now() - lastYield > 20) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (closed()) throw new Error('shard closed');
        lastYield = performance.now();
      }
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

/** A tombstone as it crosses to the worker. */
export type { TombstoneRecord } from './tombstones.js';

/**
 * Compaction as the worker runs it: opens the inputs by path, rebuilds the tombstones, compacts.
 * Damaged blocks are reported through `onCorrupt` (file, offset, length, message).
 */
export async function compactFiles(
  dir: string,
  inputPaths: readonly string[],
  tombstoneList: readonly import('./tombstones.js').TombstoneRecord[],
  maxBlockPoints: number,
  onCorrupt: (report: { file: string; offset: number; length: number; err: string }) => void,
): Promise<string | undefined> {
  const { SegmentReader: Reader } = await import('./segment-reader.js');
  const { Tombstones } = await import('./tombstones.js');
  const { Cache } = await import('./cache.js');
  const { ShardFieldTypes } = await import('../../core/index.js');
  const { ShardView } = await import('./shard-view.js');
  const inputs = inputPaths.map((p) => Reader.open(p));
  try {
    const src = {
      dir,
      segments: inputs,
      frozen: [],
      active: new Cache(),
      tombstones: Tombstones.fromList(tombstoneList),
      fieldTypes: new ShardFieldTypes(),
      version: 0,
      maxBlockPoints,
      onCorrupt: (seg: SegmentReader, ref: { offset: number; length: number }, err: unknown) =>
        onCorrupt({ file: seg.path, offset: ref.offset, length: ref.length, err: (err as Error).message }),
    };
    return await compactSegments(src, new ShardView(src), inputs, () => false);
  } finally {
    for (const s of inputs) s.close();
  }
}
