import test from 'ava';
import { makePoint } from '../../core/testing/points.js';

test('makePoint sorts tags, drops empty tag values and builds the escaped series key', (t) => {
  const p = makePoint('cpu load', { zone: 'a b', host: 'h,1', empty: '' }, { v: 1.5, n: 2n }, 123n);
  t.deepEqual(p.tags, [
    ['host', 'h,1'],
    ['zone', 'a b'],
  ]);
  t.is(p.key, 'cpu\\ load,host=h\\,1,zone=a\\ b');
  t.deepEqual(p.fields, [
    ['v', 1.5],
    ['n', 2n],
  ]);
  t.is(p.time, 123n);
  t.is(p.measurement, 'cpu load');
});

test('makePoint without fields is a programmer mistake', (t) => {
  t.throws(() => makePoint('m', {}, {}, 1n), { instanceOf: TypeError });
});
