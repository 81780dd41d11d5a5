import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { formatPoint, parseLines, type Precision } from '../../core/model/line-protocol.js';
import { hasCode } from '../../core/errors.js';
import type { FieldValue, Point, Tag } from '../../core/model/point.js';
import { normalizeTags, seriesKey } from '../../core/model/series-key.js';

function point(measurement: string, tags: Tag[], fields: Array<[string, FieldValue]>, time: bigint): Point {
  const sorted = normalizeTags(tags);
  return { measurement, tags: sorted, fields, time, key: seriesKey(measurement, sorted) };
}

function reparse(line: string, precision: Precision = 'ns'): Point[] {
  const r = parseLines(Buffer.from(line), { precision, nowNs: 0n });
  if (r.errors.length > 0) throw new Error(r.errors.join('\n'));
  return r.points;
}

test('formatPoint escapes every special character and types every value', (t) => {
  const p = point('cpu load,"x"=', [['tag key', 'v,1=2'], ['b', 'a\\b']], [
    ['f 1,"=', 1.5], ['i', -42n], ['s', 'he said "hi" \\o/\nbye'], ['b', true], ['z', -0], ['big', 1e21],
  ], 1577836800000000000n);
  const line = formatPoint(p);
  t.is(line, 'cpu\\ load\\,\\"x\\"\\=,b=a\\b,tag\\ key=v\\,1\\=2 f\\ 1\\,\\"\\==1.5,i=-42i,s="he said \\"hi\\" \\\\o/\nbye",b=true,z=-0,big=1e+21 1577836800000000000');
  t.deepEqual(reparse(line), [p]);
});

test('formatPoint writes the timestamp in the precision asked, truncated toward zero', (t) => {
  const p = point('m', [], [['v', 1]], 1577836800123456789n);
  t.is(formatPoint(p, 's'), 'm v=1 1577836800');
  t.is(formatPoint(p, 'ms'), 'm v=1 1577836800123');
  t.is(formatPoint(p, 'u'), 'm v=1 1577836800123456');
  t.is(formatPoint(p, 'µ'), 'm v=1 1577836800123456');
  t.is(formatPoint(point('m', [], [['v', 1]], -1500000000n), 's'), 'm v=1 -1');
  t.deepEqual(reparse(formatPoint(p, 'ms'), 'ms')[0]!.time, 1577836800123000000n);
});

test('formatPoint refuses what line protocol cannot carry', (t) => {
  const bad: Point[] = [
    point('m', [], [['v', Number.NaN]], 0n),
    point('m', [], [['v', Number.POSITIVE_INFINITY]], 0n),
    point('#m', [], [['v', 1]], 0n),
    point('m\\', [], [['v', 1]], 0n),
    point('m', [['t\nx', 'v']], [['v', 1]], 0n),
    point('m', [], [['a\\=', 1]], 0n),
    point('m', [], [], 0n),
  ];
  for (const p of bad) t.true(hasCode(t.throws(() => formatPoint(p)), 'ERR_LINE_PROTOCOL'));
});

// Names line protocol can carry (see formatPoint): no newline, no trailing backslash; measurement not
// starting with # or a tab/NUL; field keys not starting with a tab/NUL, no odd backslash run before , = " space.
const ALPHABET = [',', '=', ' ', '"', '\\', '#', '\t', '\0', 'a', 'b', 'z', 'é', '🔥', '﹏', 'i', 't', '1', '.', '-', 'e'];
const text = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const carried = text.filter((s) => !s.endsWith('\\'));
const measurement = carried.filter((s) => !/^[#\t\0]/.test(s));
const tagKey = carried.filter((s) => s !== 'time');
const fieldKey = carried.filter((s) => s !== 'time' && !/^[\t\0]/.test(s) && !/(?<!\\)(?:\\\\)*\\[,= "]/.test(s));
const value: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: 'binary' }).map((s) => s.replace(/[\uD800-\uDFFF]/g, 'x')),
  fc.boolean(),
);

test('property: parseLines(formatPoint(p)) gives back p for any carried names and values', (t) => {
  fc.assert(
    fc.property(
      measurement,
      fc.uniqueArray(fc.tuple(tagKey, carried), { selector: (tag) => tag[0], maxLength: 4 }),
      fc.uniqueArray(fc.tuple(fieldKey, value), { selector: (f) => f[0], minLength: 1, maxLength: 4 }),
      fc.bigInt({ min: -9223372036854775806n, max: 9223372036854775806n }),
      (m, tags, fields, time) => {
        const p = point(m, tags, fields, time);
        return isDeepStrictEqual(reparse(formatPoint(p)), [p]);
      },
    ),
    { numRuns: 1000, seed: 42 },
  );
  t.pass();
});
