import test from 'ava';
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
