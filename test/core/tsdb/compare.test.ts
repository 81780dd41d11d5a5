import test from 'ava';
import fc from 'fast-check';
import { compareUtf8 } from '../../../core/tsdb/compare.js';

test('compareUtf8 orders strings as their UTF-8 bytes compare', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      const expected = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      return Math.sign(compareUtf8(a, b)) === expected;
    }),
    { numRuns: 2000 },
  );
  t.true(compareUtf8('\u{1F680}', '\uFFFD') > 0, 'a non-BMP character sorts after U+FFFD, unlike <');
  t.true(compareUtf8('B', 'a') < 0);
  t.is(compareUtf8('same', 'same'), 0);
});
