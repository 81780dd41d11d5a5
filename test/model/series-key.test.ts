import test from 'ava';
import { compareCodePoints, compareTagKeys, normalizeTags, seriesKey } from '../../core/model/series-key.js';

test('compareCodePoints orders like UTF-8 bytes, also for astral characters', (t) => {
  t.true(compareCodePoints('a', 'b') < 0);
  t.true(compareCodePoints('ab', 'a') > 0);
  t.is(compareCodePoints('x', 'x'), 0);
  t.true(compareCodePoints('﹏', '🔥') < 0); // U+FE4F < U+1F525, though '\uFE4F' > '\uD83D' in UTF-16
  t.true(Buffer.compare(Buffer.from('﹏'), Buffer.from('🔥')) < 0);
});

test('compareTagKeys orders by escaped key, as InfluxDB (a! before a b)', (t) => {
  t.true(compareTagKeys('a!', 'a b') < 0);
  t.true(compareTagKeys('a', 'b') < 0);
});

test('normalizeTags sorts, drops empty values, last duplicate wins', (t) => {
  t.deepEqual(normalizeTags([['b', '2'], ['a', '1'], ['c', ''], ['b', '3']]), [['a', '1'], ['b', '3']]);
});

test('seriesKey escapes like InfluxDB MakeKey (SHOW SERIES of InfluxDB 1.6.7)', (t) => {
  t.is(seriesKey('cpu', [['host', 'a'], ['region', 'b']]), 'cpu,host=a,region=b');
  t.is(seriesKey('cpu,load', []), 'cpu\\,load');
  t.is(seriesKey('cpu=esc', [['t', '1']]), 'cpu=esc,t=1');
  t.is(seriesKey('tags', [['t=k', 'v=3'], ['ta,g', 'v,2'], ['tag key', 'v 1']]), 'tags,t\\=k=v\\=3,ta\\,g=v\\,2,tag\\ key=v\\ 1');
  t.is(seriesKey('tags', [['bs', 'a\\\\b']]), 'tags,bs=a\\\\b');
  t.is(seriesKey('m\\,x', []), 'm\\,x'); // InfluxDB showed `m\,x` for the measurement `m\,x`
});
