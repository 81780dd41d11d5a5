// The DevOps `cpu` data set (bench/devops-data.ts, the same values as /work/shared/tools/gen-load.mjs)
// as Points, for benchmarks that write to a store directly.
import type { Point } from '../core/index.js';
import { normalizeTags, seriesKey } from '../core/model/series-key.js';
import { CPU_FIELDS, devopsHosts, devopsRows, seededRandom } from './devops-data.js';

/** The 10 cpu fields. */
export const STORAGE_CPU_FIELDS = CPU_FIELDS;

/** Options of the generator. */
export interface StorageDataOptions {
  readonly hosts: number;
  /** Points per host. */
  readonly points: number;
  /** Points per batch. */
  readonly batch: number;
  readonly seed: number;
  /** -1 = full precision, else values rounded to this many decimals. */
  readonly decimals: number;
  readonly intervalS?: number;
}

/** Batches of Points, time-major (all hosts at t, then t + interval...). */
export function* storageBatches(o: StorageDataOptions): Generator<Point[]> {
  const hosts = devopsHosts(o.hosts, seededRandom(o.seed)).map((h) => {
    const tags = normalizeTags(h.tags);
    return { tags, key: seriesKey('cpu', tags) };
  });
  let batch: Point[] = [];
  for (const row of devopsRows(o)) {
    const fields: Array<[string, number]> = new Array(CPU_FIELDS.length);
    // As the line-protocol path: the printed value, parsed back.
    for (let f = 0; f < CPU_FIELDS.length; f++) fields[f] = [CPU_FIELDS[f]!, Number(String(row.values[f]))];
    const h = hosts[row.host]!;
    batch.push({ measurement: 'cpu', tags: h.tags, fields, time: BigInt(row.timeS) * 1_000_000_000n, key: h.key });
    if (batch.length === o.batch) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
