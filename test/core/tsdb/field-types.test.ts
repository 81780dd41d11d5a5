import test from 'ava';
import fc from 'fast-check';
import { type FieldType, fieldTypeOf } from '../../../core/model/point.js';
import { fieldTypeConflictMessage, ShardFieldTypes } from '../../../core/tsdb/field-types.js';
import { makePoint } from '../../../core/testing/points.js';

test('admit returns the input array itself when nothing is dropped', (t) => {
  const types = new ShardFieldTypes();
  const points = [makePoint('m', {}, { a: 1, b: 2n }, 1n), makePoint('m', {}, { a: 2, c: 'x' }, 2n)];
  const r = types.admit(points);
  t.is(r.accepted, points);
  t.is(r.dropped, 0);
  t.false('error' in r);
  t.deepEqual(types.fields('m'), [
    { name: 'a', type: 'float' },
    { name: 'b', type: 'integer' },
    { name: 'c', type: 'string' },
  ]);
});

test('admit drops conflicting points whole, keeps order, and reports the first conflict', (t) => {
  const types = new ShardFieldTypes();
  const p1 = makePoint('m', {}, { v: 1 }, 1n);
  const p2 = makePoint('m', {}, { w: 1n, v: true }, 2n);
  const p3 = makePoint('m', {}, { v: 3 }, 3n);
  const p4 = makePoint('m', {}, { v: 'x' }, 4n);
  const r = types.admit([p1, p2, p3, p4]);
  t.deepEqual(r.accepted, [p1, p3]);
  t.is(r.dropped, 2);
  t.is(r.error, fieldTypeConflictMessage('v', 'm', 'boolean', 'float'));
  t.is(r.error, 'field type conflict: input field "v" on measurement "m" is type boolean, already exists as type float');
  t.is(types.typeOf('m', 'w'), undefined, 'fields of a dropped point are not registered');
});

test('deleteMeasurement forgets types; restore and entries round-trip', (t) => {
  const types = new ShardFieldTypes();
  types.admit([makePoint('a', {}, { x: 1 }, 1n), makePoint('b', {}, { y: false }, 1n)]);
  types.deleteMeasurement('a');
  t.is(types.typeOf('a', 'x'), undefined);
  const copy = new ShardFieldTypes();
  for (const [m, f, ty] of types.entries()) copy.restore(m, f, ty);
  t.deepEqual(copy.fields('b'), [{ name: 'y', type: 'boolean' }]);
  t.is(copy.admit([makePoint('a', {}, { x: 1n }, 1n)]).dropped, 0);
});

test('admit agrees with a plain first-type-wins model over batches with repeated shapes, deletes and restores', (t) => {
  const value = fc.constantFrom<number | bigint | string | boolean>(1.5, 2n, 'x', true);
  const point = fc.record({
    m: fc.constantFrom('m1', 'm2'),
    fields: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c'), value), { selector: (f) => f[0], minLength: 1, maxLength: 3 }),
  });
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.array(point, { maxLength: 6 }).map((b) => ({ kind: 'batch' as const, b })) },
    { weight: 1, arbitrary: fc.constantFrom('m1', 'm2').map((m) => ({ kind: 'delete' as const, m })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('m1', 'm2'), fc.constantFrom('a', 'b'), fc.constantFrom('float', 'integer', 'string', 'boolean' as const)).map(([m, f, ty]) => ({ kind: 'restore' as const, m, f, ty })) },
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const types = new ShardFieldTypes();
      const model = new Map<string, FieldType>();
      for (const s of steps) {
        if (s.kind === 'delete') {
          types.deleteMeasurement(s.m);
          for (const k of [...model.keys()]) if (k.startsWith(`${s.m}\0`)) model.delete(k);
        } else if (s.kind === 'restore') {
          types.restore(s.m, s.f, s.ty);
          model.set(`${s.m}\0${s.f}`, s.ty);
        } else {
          const points = s.b.map((p, i) => makePoint(p.m, {}, Object.fromEntries(p.fields), BigInt(i)));
          const expected: typeof points = [];
          for (const p of points) {
            const ok = p.fields.every(([n, v]) => (model.get(`${p.measurement}\0${n}`) ?? fieldTypeOf(v)) === fieldTypeOf(v));
            if (!ok) continue;
            for (const [n, v] of p.fields) if (!model.has(`${p.measurement}\0${n}`)) model.set(`${p.measurement}\0${n}`, fieldTypeOf(v));
            expected.push(p);
          }
          const r = types.admit(points);
          t.deepEqual([...r.accepted], expected);
          t.is(r.dropped, points.length - expected.length);
        }
      }
      const got = new Map<string, FieldType>();
      for (const [m, f, ty] of types.entries()) got.set(`${m}\0${f}`, ty);
      t.deepEqual([...got].sort(), [...model].sort());
      return true;
    }),
    { numRuns: 300 },
  );
});
