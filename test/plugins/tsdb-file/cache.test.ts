import test from 'ava';
import fc from 'fast-check';
import { makePoint } from '../../../core/testing/points.js';
import { Cache } from '../../../plugins/tsdb-file/cache.js';
import { compactSnapshot } from '../../../plugins/tsdb-file/snapshot-compact.js';

// Regression: deletes emptied the cache but left its byte estimate over the snapshot threshold; the
// snapshot trigger then found nothing to write and re-fired in a microtask loop (a node at 100% CPU).
test('a cache emptied by deletes estimates zero bytes', (t) => {
  const c = new Cache();
  c.write([makePoint('m', { h: 'a' }, { v: 1 }, 1n), makePoint('m', { h: 'b' }, { v: 2 }, 2n), makePoint('n', {}, { v: 3 }, 3n)]);
  t.true(c.bytes > 0);
  c.deleteMeasurement('m');
  t.true(c.bytes > 0, 'a series is left');
  c.deleteSeries(['n'], 0n, 10n);
  t.is(c.series.size, 0);
  t.is(c.bytes, 0);
});

/** Every (field, time, value) a cache holds, read through the column API, newest write winning. */
function contents(c: Cache): string[] {
  const out: string[] = [];
  for (const key of [...c.series.keys()].sort()) {
    const s = c.series.get(key)!;
    for (const name of [...s.fields.keys()].sort()) {
      for (const b of s.fields.get(name)!.blocks(-(2n ** 63n), 2n ** 63n - 1n, 3)) {
        const d = b.decode();
        for (let i = 0; i < b.count; i++) out.push(`${key} ${name} ${d.times[i]} ${String(d.values[i])}`);
      }
    }
  }
  return out;
}

const writeOp = fc.record({
  series: fc.constantFrom('a', 'b'),
  time: fc.integer({ min: 0, max: 40 }),
  // each field present or not (a point without some fields takes them off the shared times)
  fields: fc.subarray(['f1', 'f2', 'f3'], { minLength: 1 }),
  value: fc.integer({ min: -1000, max: 1000 }),
});
const op = fc.oneof(
  { weight: 10, arbitrary: writeOp.map((w) => ({ kind: 'write' as const, ...w })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), from: fc.integer({ min: 0, max: 40 }), to: fc.integer({ min: 0, max: 40 }) }) },
);

test('series fields on shared times read exactly like a map per field, whatever fields a point omits, its order or deletes', (t) => {
  fc.assert(
    fc.property(fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 12 }), (batches) => {
      const c = new Cache();
      const model = new Map<string, number>();
      for (const batch of batches) {
        const points = [];
        for (const o of batch) {
          if (o.kind === 'delete') continue;
          const fields: Record<string, number> = {};
          for (const f of o.fields) fields[f] = o.value + f.length;
          points.push(makePoint('m', { s: o.series }, fields, BigInt(o.time)));
          for (const f of o.fields) model.set(`m,s=${o.series} ${f} ${o.time}`, o.value + f.length);
        }
        c.write(points);
        for (const o of batch) {
          if (o.kind !== 'delete') continue;
          c.deleteSeries(['m,s=a', 'm,s=b'], BigInt(o.from), BigInt(o.to));
          for (const k of [...model.keys()]) {
            const time = Number(k.split(' ')[2]);
            if (time >= o.from && time <= o.to) model.delete(k);
          }
        }
      }
      const expected = [...model.entries()]
        .map(([k, v]) => [k.split(' '), v] as const)
        .sort((x, y) => (x[0][0]! + x[0][1]! < y[0][0]! + y[0][1]! ? -1 : x[0][0]! + x[0][1]! > y[0][0]! + y[0][1]! ? 1 : Number(x[0][2]) - Number(y[0][2])))
        .map(([k, v]) => `${k[0]} ${k[1]} ${k[2]} ${v}`);
      t.deepEqual(contents(c), expected);
      // the compact copy written by a snapshot reads the same, and so does its SnapshotData
      const { data, compact } = compactSnapshot(c);
      t.deepEqual(contents(compact), expected);
      const fromData: string[] = [];
      for (const [key, fields] of data) {
        for (const [name, , times, values] of fields) for (let i = 0; i < times.length; i++) fromData.push(`${key} ${name} ${times[i]} ${String(values[i])}`);
      }
      t.deepEqual(fromData, expected);
    }),
    { numRuns: 300 },
  );
});

test('the fields of a series written together keep one copy of their times in a snapshot', (t) => {
  const c = new Cache();
  const points = [];
  for (let i = 0; i < 100; i++) points.push(makePoint('cpu', { host: 'h' }, { a: i, b: i * 2, c: i * 3 }, BigInt(i)));
  c.write(points);
  const { data } = compactSnapshot(c);
  const [[, fields]] = data as [[string, Array<[string, string, BigInt64Array, Float64Array]>]];
  t.is(fields.length, 3);
  // one buffer: 100 times + 3 x 100 values
  t.is(fields[0]![2].buffer.byteLength, 400 * 8);
  t.is(fields[0]![2], fields[1]![2]);
  t.is(fields[1]![2], fields[2]![2]);
});
