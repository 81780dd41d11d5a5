import test from 'ava';
import fc from 'fast-check';
import { normalizeTags, seriesKey } from '../../../core/model/series-key.js';
import { measurementOf, parseSeriesKey } from '../../../plugins/tsdb-file/series-key-parse.js';

test('parseSeriesKey inverts seriesKey, escapes included (names without backslashes)', (t) => {
  const name = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('a', 'b', 'Z', '0', ',', ' ', '=', 'é', '"') });
  fc.assert(
    fc.property(name, fc.array(fc.tuple(name, name), { maxLength: 5 }), (measurement, rawTags) => {
      const tags = normalizeTags(rawTags);
      const key = seriesKey(measurement, tags);
      const parsed = parseSeriesKey(key);
      return parsed.measurement === measurement && JSON.stringify(parsed.tags) === JSON.stringify(tags) && measurementOf(key) === measurement;
    }),
    { numRuns: 500 },
  );
  t.deepEqual(parseSeriesKey('cpu\\ load,host=a\\,b,region=us\\=west'), {
    measurement: 'cpu load',
    tags: [
      ['host', 'a,b'],
      ['region', 'us=west'],
    ],
  });
});
