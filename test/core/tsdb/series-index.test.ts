import test from 'ava';
import { SeriesIndex, type SeriesInfo } from '../../../core/index.js';

const s = (key: string, tags: Array<[string, string]>): SeriesInfo => ({ key, measurement: 'cpu', tags });

const list = [
  s('cpu,host=a,region=x', [['host', 'a'], ['region', 'x']]),
  s('cpu,host=b', [['host', 'b']]),
  s('cpu,host=b,zone=1', [['host', 'b'], ['zone', '1']]),
  s('cpu,region=y', [['region', 'y']]),
];

test('a series index lists the tag keys of all its series, sorted', (t) => {
  t.deepEqual(new SeriesIndex(list).tagKeys(), ['host', 'region', 'zone']);
  t.deepEqual(new SeriesIndex([]).tagKeys(), []);
});

test('a series index finds the series holding a tag value, in series order; a missing tag counts as the empty value', (t) => {
  const idx = new SeriesIndex(list);
  t.deepEqual(idx.withTag('host', 'b'), [1, 2]);
  t.deepEqual(idx.withTag('host', 'a'), [0]);
  t.deepEqual(idx.withTag('host', 'nope'), []);
  t.deepEqual(idx.withTag('host', ''), [3], 'InfluxQL compares a missing tag as ""');
  t.deepEqual(idx.withTag('zone', ''), [0, 1, 3]);
  t.deepEqual(idx.withTag('absent', ''), [0, 1, 2, 3]);
});
