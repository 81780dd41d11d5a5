import test from 'ava';
import { makePoint } from '../../../core/testing/points.js';
import { Cache } from '../../../plugins/tsdb-file/cache.js';

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
