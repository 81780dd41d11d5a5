import test from 'ava';
import fc from 'fast-check';
import { blockIntact, computeStats, decodeBlock, encodeBlock } from '../../../plugins/tsdb-file/codec/block.js';
import { decodeBooleans, encodeBooleans } from '../../../plugins/tsdb-file/codec/booleans.js';
import { decimalScale, decodeFloats, encodeFloats } from '../../../plugins/tsdb-file/codec/floats.js';
import { decodeIntegers, encodeIntegers } from '../../../plugins/tsdb-file/codec/integers.js';
import { decodeStrings, encodeStrings } from '../../../plugins/tsdb-file/codec/strings.js';
import { decodeTimes, encodeTimes } from '../../../plugins/tsdb-file/codec/timestamps.js';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

function sameFloats(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

test('floats round-trip bit-exactly: any double, NaN, -0, infinities, decimals', (t) => {
  const doubles = fc.oneof(
    fc.double(),
    fc.integer({ min: -1000, max: 1000 }).map((i) => i / 10),
    fc.integer({ min: 0, max: 100 }).map((i) => i),
    fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE),
  );
  fc.assert(
    fc.property(fc.array(doubles, { minLength: 1, maxLength: 300 }), (arr) => {
      const v = Float64Array.from(arr);
      return sameFloats(decodeFloats(encodeFloats(v, 0, v.length), v.length), v);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('full-precision float walks round-trip bit-exactly at every delta size, across zero, with repeats and jumps', (t) => {
  // Key deltas of every bit length (carries across the 32-bit halves, signs, zero runs, escapes).
  const walk = fc.record({
    start: fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    scale: fc.integer({ min: -60, max: 30 }),
    steps: fc.array(fc.tuple(fc.double({ noNaN: true, min: -1, max: 1 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 400 }),
  });
  fc.assert(
    fc.property(walk, ({ start, scale, steps }) => {
      const v = new Float64Array(steps.length);
      let x = start;
      steps.forEach(([step, kind], i) => {
        if (kind === 0) x = -x; // jump across zero
        else if (kind === 1) x *= 1e12; // a large jump (escape)
        else if (kind > 3) x += step * 2 ** scale; // kinds 2,3: repeat
        v[i] = x;
      });
      const back = decodeFloats(encodeFloats(v, 0, v.length), v.length);
      const a = new Uint32Array(v.buffer);
      const b = new Uint32Array(back.buffer);
      return a.length === b.length && a.every((w, i) => w === b[i]);
    }),
    { numRuns: 400 },
  );
  t.pass();
});

test('floats printed with few decimals take the decimal encoding and cost a few bits each', (t) => {
  const v = new Float64Array(1000);
  let x = 50;
  for (let i = 0; i < v.length; i++) {
    x = Math.min(100, Math.max(0, x + Math.sin(i * 7.3)));
    v[i] = Math.round(x * 10) / 10;
  }
  t.is(decimalScale(v, 0, v.length), 1);
  const bytes = encodeFloats(v, 0, v.length);
  t.true(sameFloats(decodeFloats(bytes, v.length), v));
  t.true(bytes.length < v.length, `${bytes.length} bytes for 1000 values`);
});

test('a constant float run costs only its table', (t) => {
  const v = new Float64Array(1000).fill(42.125);
  const bytes = encodeFloats(v, 0, v.length);
  t.true(bytes.length < 32, `${bytes.length} bytes`);
  t.true(sameFloats(decodeFloats(bytes, v.length), v));
});

test('integers round-trip across the whole int64 range', (t) => {
  fc.assert(
    fc.property(fc.array(fc.oneof(int64, fc.bigInt({ min: -1000n, max: 1000n })), { minLength: 1, maxLength: 300 }), (arr) => {
      const v = BigInt64Array.from(arr);
      const d = decodeIntegers(encodeIntegers(v, 0, v.length), v.length);
      return d.every((x, i) => x === v[i]);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('integer walks round-trip at every delta size, with runs of repeats and wrap-around jumps', (t) => {
  const walk = fc.record({
    start: int64,
    steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 52 }), fc.boolean(), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 300 }),
  });
  fc.assert(
    fc.property(walk, ({ start, steps }) => {
      const v: bigint[] = [];
      let x = start;
      for (const [bits, neg, repeat] of steps) {
        const d = (1n << BigInt(bits)) - 1n;
        x = BigInt.asIntN(64, neg ? x - d : x + d);
        for (let k = 0; k <= (repeat > 25 ? repeat : 0); k++) v.push(x); // sometimes a run of 26+ equal values
      }
      const arr = BigInt64Array.from(v);
      const back = decodeIntegers(encodeIntegers(arr, 0, arr.length), arr.length);
      return back.length === arr.length && back.every((y, i) => y === arr[i]);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('timestamps round-trip: regular (run length), irregular, and extreme gaps', (t) => {
  const sortedTimes = fc
    .uniqueArray(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { minLength: 1, maxLength: 300 })
    .map((a) => a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  fc.assert(
    fc.property(sortedTimes, (arr) => {
      const v = BigInt64Array.from(arr);
      const d = decodeTimes(encodeTimes(v, 0, v.length), v.length);
      return d.every((x, i) => x === v[i]);
    }),
    { numRuns: 300 },
  );
  // jittered series with occasional huge gaps (raw deltas) and returns to small ones
  const gaps = fc.array(fc.oneof(fc.bigInt({ min: 1n, max: 20_000_000_000n }), fc.bigInt({ min: 1n, max: 2n ** 60n }), fc.constant(1n)), { minLength: 1, maxLength: 400 });
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 62n), max: 0n }), gaps, (start, steps) => {
      const arr: bigint[] = [start];
      for (const g of steps) if (arr.at(-1)! + g < 2n ** 63n) arr.push(arr.at(-1)! + g);
      const v = BigInt64Array.from(arr);
      const d = decodeTimes(encodeTimes(v, 0, v.length), v.length);
      return d.length === v.length && d.every((x, i) => x === v[i]);
    }),
    { numRuns: 300 },
  );
  const regular = BigInt64Array.from({ length: 1000 }, (_, i) => 1_451_606_400_000_000_000n + BigInt(i) * 10_000_000_000n);
  const enc = encodeTimes(regular, 0, regular.length);
  t.is(enc.length, 17);
  t.deepEqual(decodeTimes(enc, regular.length), regular);
  const acrossZero = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i - 500) * 4_294_967_311n);
  t.deepEqual(decodeTimes(encodeTimes(acrossZero, 0, 1000), 1000), acrossZero);
  const jittered = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i) * 10_000_000_000n + BigInt((i * 7919) % 13));
  const enc2 = encodeTimes(jittered, 0, jittered.length);
  t.deepEqual(decodeTimes(enc2, jittered.length), jittered);
  t.true(enc2.length < 1000, `${enc2.length} bytes for 1000 jittered timestamps`);
});

test('booleans and strings round-trip', (t) => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (arr) => {
      const d = decodeBooleans(encodeBooleans(arr, 0, arr.length), arr.length);
      return d.every((x, i) => x === arr[i]);
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 100 }), (arr) => {
      const d = decodeStrings(encodeStrings(arr, 0, arr.length), arr.length);
      return d.every((x, i) => x === arr[i]);
    }),
  );
  const repetitive = Array.from({ length: 1000 }, (_, i) => `status=${i % 3 === 0 ? 'ok' : 'degraded'}`);
  t.true(encodeStrings(repetitive, 0, 1000).length < 200);
  t.pass();
});

test('a block carries its type, times, values and a CRC that catches any flipped byte', (t) => {
  const times = BigInt64Array.from({ length: 500 }, (_, i) => BigInt(i) * 1000n);
  const values = Float64Array.from({ length: 500 }, (_, i) => Math.sqrt(i));
  const block = encodeBlock('float', times, values, 100, 300);
  const d = decodeBlock(block);
  t.is(d.type, 'float');
  t.deepEqual(d.times, times.subarray(100, 400));
  t.deepEqual(d.values, values.subarray(100, 400));
  t.deepEqual(computeStats('float', values, 100, 300)?.count, 300);
  for (let i = 0; i < block.length; i += 37) {
    const copy = Uint8Array.from(block);
    copy[i]! ^= 0x5a;
    t.false(blockIntact(copy), `flip at ${i}`);
    t.throws(() => decodeBlock(copy));
  }
});

test('Huffman code lengths form a complete prefix code of at most 15 bits, optimal when no flattening is needed', async (t) => {
  const { codeLengths, MAX_CODE_LENGTH } = await import('../../../plugins/tsdb-file/codec/huffman.js');
  // optimal cost of a Huffman code by repeated merging of the two lightest weights
  const optimalCost = (ws: number[]): number => {
    const q = [...ws];
    let cost = 0;
    while (q.length > 1) {
      q.sort((a, b) => a - b);
      const m = q.shift()! + q.shift()!;
      cost += m;
      q.push(m);
    }
    return cost;
  };
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 2 ** 20 })), { minLength: 2, maxLength: 67 }), (counts) => {
      const lengths = codeLengths(counts);
      const used = counts.filter((c) => c > 0).length;
      if (used <= 1) return lengths.every((l) => l === 0);
      let kraft = 0;
      let cost = 0;
      for (let s = 0; s < counts.length; s++) {
        if ((counts[s]! > 0) !== (lengths[s]! > 0)) return false;
        if (lengths[s]! > MAX_CODE_LENGTH) return false;
        if (lengths[s]! > 0) kraft += 2 ** -lengths[s]!;
        cost += counts[s]! * lengths[s]!;
      }
      if (kraft !== 1) return false;
      // with at most 16 symbols no code exceeds 15 bits, so no flattening: the cost must be optimal
      return used > 16 || cost === optimalCost(counts.filter((c) => c > 0));
    }),
    { numRuns: 300 },
  );
  const fib = [1, 1];
  while (fib.length < 40) fib.push(fib.at(-1)! + fib.at(-2)!);
  t.is(Math.max(...codeLengths(fib)), MAX_CODE_LENGTH, 'a skewed alphabet is flattened to the limit');
});
