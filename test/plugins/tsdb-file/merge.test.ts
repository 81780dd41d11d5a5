import test from 'ava';
import fc from 'fast-check';
import { TimeValueColumn } from '../../../core/index.js';
import { type Piece, scanPieces } from '../../../plugins/tsdb-file/merge.js';

// Pieces from cache columns with random, overlapping time ranges, priorities and tombstone ranges: the
// merged scan must equal a reference model (highest priority wins per time; tombstoned times hidden).
test('merging overlapping pieces equals the reference model (small clusters and sweeps alike)', (t) => {
  const pieceArb = fc.record({
    times: fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
    ranges: fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 30 })), { maxLength: 2 }),
  });
  fc.assert(
    fc.property(fc.array(pieceArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 100, max: 220 }), (specs, lo, hi) => {
      const model = new Map<number, { prio: number; v: number }>();
      const pieces: Piece[] = specs.map((spec, prio) => {
        const col = new TimeValueColumn('float');
        const ranges = spec.ranges.map(([a, w]) => [BigInt(a), BigInt(a + w)] as const);
        for (const time of spec.times) {
          const v = prio * 1000 + time;
          col.append(BigInt(time), v);
          const hidden = ranges.some(([a, b]) => BigInt(time) >= a && BigInt(time) <= b);
          const cur = model.get(time);
          if (!hidden && time >= lo && time <= hi && (cur === undefined || cur.prio < prio)) model.set(time, { prio, v });
        }
        return { minTime: col.minTime()!, maxTime: col.maxTime()!, prio, ranges, col };
      });
      const got: Array<[number, number]> = [];
      for (const b of scanPieces('float', pieces, BigInt(lo), BigInt(hi), 7, () => undefined)) {
        const { times, values } = b.decode();
        if (times.length !== b.count) return false;
        for (let i = 0; i < times.length; i++) got.push([Number(times[i]), (values as Float64Array)[i]!]);
      }
      const want = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([time, { v }]) => [time, v]);
      return JSON.stringify(got) === JSON.stringify(want);
    }),
    { numRuns: 400 },
  );
  t.pass();
});
