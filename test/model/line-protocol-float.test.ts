import test from 'ava';
import fc from 'fast-check';
import { parseDecimal17 } from '../../core/model/line-protocol-float.js';
import { ParseCache, parseLines } from '../../core/model/line-protocol.js';

function parse(text: string): number {
  const b = Buffer.from(`x${text}y`, 'latin1');
  return parseDecimal17(b, 1, b.length - 1);
}

/** parseDecimal17 is either undecided (NaN) or exactly Number(text); counts the undecided. */
function agrees(text: string): boolean {
  const v = parse(text);
  return Number.isNaN(v) || Object.is(v, Number(text));
}

test('16-17 digit decimals parse to the same double as Number(text), random doubles in their shortest form', (t) => {
  let decided = 0;
  let all = 0;
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), (x) => {
      const text = String(x);
      if (text.includes('e')) return true;
      all++;
      if (!Number.isNaN(parse(text))) decided++;
      return agrees(text);
    }),
    { numRuns: 20000 },
  );
  t.true(decided / all > 0.99, `decided ${decided} of ${all}`);
});

test('random 15-17 digit strings with the dot anywhere parse as Number(text)', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 17 }),
      fc.integer({ min: 0, max: 17 }),
      fc.boolean(),
      (ds, dotAt, neg) => {
        const digits = ds.join('');
        const at = Math.min(dotAt, digits.length);
        const text = `${neg ? '-' : ''}${digits.slice(0, at) || '0'}.${digits.slice(at) || '0'}`;
        return agrees(text);
      },
    ),
    { numRuns: 20000 },
  );
  t.pass();
});

test('midpoints and near-midpoints between doubles round half to even or fall back (never a wrong double)', (t) => {
  // 2^53 + 1 and 2^53 + 3 are exact midpoints (ties to even); neighbours must round correctly
  for (const text of ['9007199254740993', '9007199254740995', '9007199254740994', '9007199254740997',
    '18014398509481985', '18014398509481987', '90071992547409.93', '900719925474099.3', '0.9007199254740993',
    '99999999999999999', '10000000000000001', '0.000012345678901234567', '-9007199254740993', '1.7976931348623157']) {
    t.true(agrees(text), text);
  }
  t.is(parse('9007199254740996'), 9007199254740996);
});

test('other shapes are left to the caller (NaN)', (t) => {
  for (const text of ['1e5', '1.2.3', '', '-', '.', '123456789012345678', '1.00000000000000000000001']) t.true(Number.isNaN(parse(text)), text);
  t.is(parse('0.000'), 0);
  t.true(Object.is(parse('-0.0'), -0));
});

test('parseLines gives full-precision floats exactly as Number(text)', (t) => {
  const values = ['24.882567464374006', '62.849074538730406', '0.17581747379153967', '-47.334283916279674', '9007199254740993'];
  const body = Buffer.from(values.map((v, i) => `m,host=h${i} v=${v} ${i}`).join('\n'));
  const r = parseLines(body, { precision: 'ns', nowNs: 0n, cache: new ParseCache() });
  t.deepEqual(r.errors, []);
  t.deepEqual(r.points.map((p) => p.fields[0]![1]), values.map(Number));
});
