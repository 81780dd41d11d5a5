// The parser's field-key template (a line whose field keys repeat the previous line's is matched in one
// pass) must give exactly what the general scan gives: the same body parsed with `fieldTemplates: false`
// is the reference.
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { ParseCache, parseLines } from '../../core/model/line-protocol.js';

const KEYS = ['usage_user', 'usage_system', 'v', 'time', 'k\\ x', 'k"q', 'a\tb', 'usage_use', 'usage_userx', ''];
const VALUES = ['1', '-1', '0', '-0', '1.5', '-1.5', '.5', '1.', '-', '', '.', '12345678901234567', '58.1218967679888',
  '24.625753005966544', '0.000000000000000000000001', '1.0000000000000000000000001', `1${'0'.repeat(400)}`,
  '9007199254740993', '1i', '-1i', '123456789012345678i', '1234567890123456789i', '9223372036854775808i',
  '-9223372036854775808i', '1.5i', '1e5', '1E-3', 'NaN', 'nan', 'true', 'f', '"s"', '"a,b c"', '00012', '1..2',
  '1u', '1ii', '--1', '1-'];
const SEPARATORS = [',', ',', ',', ',', ' ', '\t', ',,', ', '];
const TIMES = ['', ' 1451606400', ' -5', ' 1451606400 ', ' x', '  1451606410', ' 9223372036854775807'];

const TEMPLATE = 'cpu,host=a usage_user=58.12,usage_system=2i,v=3 1451606400';

/** A line whose fields usually take the template's keys in order, with values of every shape. */
const line = fc.tuple(
  fc.array(fc.tuple(fc.nat(9), fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 4 }),
  fc.constantFrom(...TIMES),
  fc.constantFrom('cpu,host=a', 'cpu,host=b', 'cpu,time=x', 'mem'),
  // what separates the key from the fields: a tab or NUL before `=` makes an empty first key valid
  fc.constantFrom(' ', ' ', ' ', '  ', ' \t', ' \0', '\t'),
).map(([fields, time, key, gap]) => {
  const templateKeys = ['usage_user', 'usage_system', 'v'];
  let text = `${key}${gap}`;
  fields.forEach(([roll, other, value, sep], i) => {
    const k = roll < 7 && i < templateKeys.length ? templateKeys[i]! : other;
    text += `${i > 0 ? sep : ''}${k}=${value}`;
  });
  return text + time;
});

test('property: a body parsed with field templates equals the same body parsed the general way', (t) => {
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.constantFrom('n', 's') as fc.Arbitrary<'n' | 's'>, (lines, precision) => {
      const body = Buffer.from([TEMPLATE, ...lines].join('\n'));
      const options = { precision, nowNs: 1795671826806927826n };
      const templated = parseLines(body, options);
      const general = parseLines(body, { ...options, fieldTemplates: false });
      return isDeepStrictEqual(templated, general);
    }),
    { numRuns: 20000, seed: 11 },
  );
  t.pass();
});

test('a body of lines repeating one field-key sequence parses each value exactly', (t) => {
  const lines = [
    'cpu,host=a u=58.1218967679888,s=24.625753005966544,i=-12i 1',
    'cpu,host=b u=0.1,s=-9007199254740993,i=123456789012345678i 2',
    'cpu,host=c u=1.7976931348623157,s=1.2.3,i=0i 3',
    'cpu,host=d u=-0,s=00012.50,i=-9i 4',
  ];
  const r = parseLines(Buffer.from(lines.join('\n')), { precision: 'n', nowNs: 0n });
  t.deepEqual(r.errors, ['unable to parse \'cpu,host=c u=1.7976931348623157,s=1.2.3,i=0i 3\': invalid number']);
  t.deepEqual(r.points.map((p) => p.fields), [
    [['u', 58.1218967679888], ['s', 24.625753005966544], ['i', -12n]],
    [['u', 0.1], ['s', -9007199254740992], ['i', 123456789012345678n]],
    [['u', -0], ['s', 12.5], ['i', -9n]],
  ]);
  t.deepEqual(r.points.map((p) => p.time), [1n, 2n, 4n]);
});

// Series keys of equal length that differ in one byte, escaped and invalid ones: the parser checks the key
// that followed the previous line's last time by its bytes before looking the key up.
const SERIES = ['m,h=a', 'm,h=b', 'm,t=a', 'n,h=a', 'm,h=\\ ', 'm,h\\=a', 'm,h=', ',h=a', 'm,time=a', 'm', 'é,h=a', 'm,h=a,h=b'];

test('property: a series key predicted from the previous line is used only when its bytes match', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.constantFrom(...SERIES), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 8 }),
      (bodies, maxSeries) => {
        const cache = new ParseCache({ maxSeries });
        for (const keys of bodies) {
          const lines = keys.map((k, i) => `${k} v=${i} ${i + 1}`);
          const shared = parseLines(Buffer.from(lines.join('\n')), { precision: 'n', nowNs: 0n, cache });
          const alone = lines.map((l) => parseLines(Buffer.from(l), { precision: 'n', nowNs: 0n }));
          const expected = {
            points: alone.flatMap((r) => r.points),
            errors: alone.flatMap((r) => r.errors),
            rejected: alone.reduce((n, r) => n + r.rejected, 0),
            rejectedReason: alone.find((r) => r.rejectedReason !== '')?.rejectedReason ?? '',
          };
          if (!isDeepStrictEqual(shared, expected)) return false;
          if (cache.series.size > maxSeries) return false;
        }
        return true;
      },
    ),
    { numRuns: 5000, seed: 12 },
  );
  t.pass();
});

test('an empty field key (valid after a tab or NUL) never becomes a template: `m =2` stays `missing field key`', (t) => {
  const bodies = [
    'm \t=1\nm  =2\n',
    'm \u0000=1\nm  =2\n',
    'm \t=1,a=2\nm =1,a=2\n',
    'm,t=1 \t=1\nm,t=1 =5 10\n',
    'm \u0000=1,a=3\nm =1,a=3 x',
  ];
  for (const text of bodies) {
    const options = { precision: 'n' as const, nowNs: 1000n };
    const templated = parseLines(Buffer.from(text), options);
    t.deepEqual(templated, parseLines(Buffer.from(text), { ...options, fieldTemplates: false }), JSON.stringify(text));
    t.is(templated.points.length, 1, JSON.stringify(text));
    t.regex(templated.errors[0] ?? '', /missing field key$/, JSON.stringify(text));
  }
});
