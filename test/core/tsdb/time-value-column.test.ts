import test from 'ava';
import fc from 'fast-check';
import { TimeValueColumn } from '../../../core/tsdb/time-value-column.js';

type Op = { kind: 'append'; time: number; value: number } | { kind: 'read' } | { kind: 'delete'; from: number; to: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), time: fc.integer({ min: -50, max: 50 }), value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), from: fc.integer({ min: -60, max: 60 }), to: fc.integer({ min: -60, max: 60 }) }) },
);

function read(col: TimeValueColumn, tmin: bigint, tmax: bigint, maxPoints: number): Array<[bigint, number]> {
  const out: Array<[bigint, number]> = [];
  for (const b of col.blocks(tmin, tmax, maxPoints)) {
    const d = b.decode();
    for (let i = 0; i < b.count; i++) out.push([d.times[i]!, (d.values as Float64Array)[i]!]);
  }
  return out;
}

test('a column behaves like a sorted map from time to the newest value under appends, reads and range deletes', (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 7 }), (ops, maxPoints) => {
      const col = new TimeValueColumn('float', 1);
      const strings = new TimeValueColumn('string');
      const model = new Map<bigint, number>();
      for (const o of ops) {
        if (o.kind === 'append') {
          col.append(BigInt(o.time), o.value);
          strings.append(BigInt(o.time), String(o.value));
          model.set(BigInt(o.time), o.value);
        } else if (o.kind === 'delete') {
          const removed = col.deleteRange(BigInt(o.from), BigInt(o.to));
          strings.deleteRange(BigInt(o.from), BigInt(o.to));
          let expected = 0;
          for (const k of [...model.keys()]) {
            if (k >= BigInt(o.from) && k <= BigInt(o.to)) {
              model.delete(k);
              expected++;
            }
          }
          if (removed !== expected) return false;
        } else {
          read(col, -100n, 100n, maxPoints);
          [...strings.blocks(-100n, 100n)];
        }
      }
      const expected = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      t.deepEqual(read(col, -100n, 100n, maxPoints), expected);
      t.deepEqual(
        read(col, -10n, 10n, maxPoints),
        expected.filter(([k]) => k >= -10n && k <= 10n),
      );
      const strs: unknown[] = [];
      for (const b of strings.blocks(-100n, 100n, maxPoints)) strs.push(...(b.decode().values as string[]));
      t.deepEqual(strs, expected.map(([, v]) => String(v)), 'a string column follows the same rules');
      return col.length === expected.length;
    }),
    { numRuns: 300 },
  );
});

test('blocks hold at most maxPoints each and report their bounds', (t) => {
  const col = new TimeValueColumn('integer');
  for (let i = 0; i < 25; i++) col.append(BigInt(i * 2), BigInt(i));
  const blocks = [...col.blocks(3n, 41n, 4)];
  t.deepEqual(
    blocks.map((b) => [b.count, b.minTime, b.maxTime]),
    [
      [4, 4n, 10n],
      [4, 12n, 18n],
      [4, 20n, 26n],
      [4, 28n, 34n],
      [3, 36n, 40n],
    ],
  );
  t.true(blocks[0]!.decode().values instanceof BigInt64Array);
});

test('string and boolean columns decode to plain arrays and keep their values across merges', (t) => {
  const s = new TimeValueColumn('string');
  s.append(5n, 'e');
  s.append(1n, 'a');
  s.append(5n, 'E');
  t.deepEqual([...s.blocks(0n, 10n)].map((b) => b.decode().values), [['a', 'E']]);
  const b = new TimeValueColumn('boolean');
  b.append(2n, true);
  b.append(1n, false);
  t.deepEqual([...b.blocks(0n, 10n)].map((x) => x.decode().values), [[false, true]]);
  t.is(b.deleteRange(2n, 2n), 1);
  t.deepEqual([...b.blocks(0n, 10n)].map((x) => x.decode().values), [[false]]);
});

test('min and max time follow out-of-order writes and deletes', (t) => {
  const col = new TimeValueColumn('float');
  t.is(col.minTime(), undefined);
  col.append(10n, 1);
  col.append(-5n, 2);
  col.append(7n, 3);
  t.is(col.minTime(), -5n);
  t.is(col.maxTime(), 10n);
  t.is(col.countInRange(0n, 10n), 2);
  col.deleteRange(8n, 100n);
  t.is(col.maxTime(), 7n);
});

test('out-of-order batches of nanosecond times (beyond 2^53, negative, int64 ends) merge to a sorted map, newest value winning', (t) => {
  const base = fc.constantFrom(1451606400_000_000_000n, -9223372036854775806n, 9223372036854775000n, -1n, 0n, 4294967295n);
  const batch = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.bigInt({ min: -1000n, max: 1000n })), { maxLength: 30 });
  fc.assert(
    fc.property(base, fc.array(batch, { maxLength: 8 }), fc.boolean(), (t0, batches, sortEach) => {
      const col = new TimeValueColumn('integer', 1);
      const model = new Map<bigint, bigint>();
      for (const b of batches) {
        const rows = sortEach ? [...b].sort((x, y) => x[0] - y[0]) : b;
        for (const [dt, v] of rows) {
          const time = t0 + BigInt(dt) * (t0 > 0n ? -1n : 1n) * 7n;
          col.append(time, v);
          model.set(time, v);
        }
      }
      const got: Array<[bigint, bigint]> = [];
      for (const blk of col.blocks(-9223372036854775806n, 9223372036854775806n)) {
        const d = blk.decode();
        for (let i = 0; i < blk.count; i++) got.push([d.times[i]!, (d.values as BigInt64Array)[i]!]);
      }
      const expected = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      t.deepEqual(got, expected);
      return true;
    }),
    { numRuns: 300 },
  );
});
