import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { ParseCache, formatPoint, parseLines } from '../../core/model/line-protocol.js';
import { MAX_TIME, MIN_TIME } from '../../core/model/point.js';
import { compareTagKeys, seriesKey } from '../../core/model/series-key.js';

const PIECES = ['m', 'cpu', ',', '=', ' ', '"', '\\', '\t', '\n', '\r', '#', 'i', 'u', 't', 'T', 'e', 'E', '.', '-', '+',
  '0', '1', '9', 'NaN', 'true', 'time', 'é', '🔥', '\0', 'v=1', ',t=a', ' 1577836800', '9223372036854775807'];
const body = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));

test('property: any body parses without throwing, one error per failed line, valid points only', (t) => {
  fc.assert(
    fc.property(body, fc.constantFrom('n', 's', 'h', 'u') as fc.Arbitrary<'n' | 's' | 'h' | 'u'>, (text, precision) => {
      const r = parseLines(Buffer.from(text), { precision, nowNs: 1795671826806927826n });
      for (const e of r.errors) if (!e.startsWith('unable to parse \'')) return false;
      for (const p of r.points) {
        if (p.fields.length === 0 || p.time < MIN_TIME || p.time > MAX_TIME) return false;
        if (p.key !== seriesKey(p.measurement, p.tags)) return false;
        for (let i = 1; i < p.tags.length; i++) if (compareTagKeys(p.tags[i - 1]![0], p.tags[i]![0]) >= 0) return false;
        if (p.fields.some(([k]) => k === 'time') || p.tags.some(([k]) => k === 'time')) return false;
        // what parsed can be written back, unless it holds a name line protocol cannot carry
        try {
          const again = parseLines(Buffer.from(formatPoint(p)), { precision: 'n', nowNs: 0n }).points;
          if (again.length !== 1 || again[0]!.key !== p.key) return false;
        } catch {
          // formatPoint refused (e.g. a name ending in a backslash): fine
        }
      }
      return r.points.length + r.errors.length + r.rejected <= text.split('\n').length;
    }),
    { numRuns: 5000, seed: 3 },
  );
  t.pass();
});

test('property: a shared ParseCache never changes the result', (t) => {
  const cache = new ParseCache();
  fc.assert(
    fc.property(fc.array(body, { minLength: 1, maxLength: 4 }), (bodies) => {
      const text = bodies.join('\n');
      const fresh = parseLines(Buffer.from(text), { precision: 'n', nowNs: 5n });
      const cached = parseLines(Buffer.from(text), { precision: 'n', nowNs: 5n, cache });
      return isDeepStrictEqual(fresh, cached);
    }),
    { numRuns: 3000, seed: 4 },
  );
  t.pass();
});
