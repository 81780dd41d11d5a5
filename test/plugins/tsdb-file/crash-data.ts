import type { Point } from '../../../core/index.js';
import { makePoint } from '../../../core/testing/index.js';

/** Points per crash-test batch. */
export const CRASH_BATCH_POINTS = 100;

/** The batch with id `id`: series `m,s=<id mod 5>`, time id*1000+i, fields v (float) and n (integer). */
export function crashBatch(id: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < CRASH_BATCH_POINTS; i++) {
    out.push(makePoint('m', { s: String(id % 5) }, { v: id + i / 1000, n: BigInt(id * 1000 + i) }, BigInt(id) * 1000n + BigInt(i)));
  }
  return out;
}
