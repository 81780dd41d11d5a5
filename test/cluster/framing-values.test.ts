import test from 'ava';
import fc from 'fast-check';
import { decodeValue, encodeValue, MAX_VALUE_DEPTH } from '../../core/cluster/codec-values.js';
import { hasCode, TesseraError } from '../../core/errors.js';

test('values round trip exactly: bigints in and beyond int64, -0, NaN, Infinity, unicode, undefined, nesting', (t) => {
  const value = {
    big: [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n, -(10n ** 30n)],
    nums: [0, -0, 1.5, -2147483648, 2147483647, 2147483648, Number.NaN, Number.POSITIVE_INFINITY, Number.MIN_VALUE],
    strs: ['', 'ascii', 'ünïcødé ✓ 𝄞', 'x'.repeat(100), 'y'.repeat(70000)],
    flags: [true, false, null, undefined],
    nested: { a: { b: { c: [[[]], {}] } } },
    rows: [[1451606400000000000n, 12.5, 'host_1', null]],
  };
  const back = decodeValue(encodeValue(value)) as typeof value;
  t.deepEqual(back, value);
  t.true(Object.is(back.nums[1], -0));
  t.true(Number.isNaN(back.nums[6]));
  t.true('undefinedKey' in (decodeValue(encodeValue({ undefinedKey: undefined })) as object));
});

test('a "__proto__" key stays an own property and never changes the prototype', (t) => {
  const encoded = encodeValue(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));
  const back = decodeValue(encoded) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(back), Object.prototype);
  t.deepEqual(Object.keys(back), ['__proto__', 'a']);
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('functions and symbols cannot be encoded (programming errors)', (t) => {
  t.throws(() => encodeValue({ f: () => 1 }), { instanceOf: TypeError });
  t.throws(() => encodeValue(Symbol('s')), { instanceOf: TypeError });
});

test('nesting deeper than the limit, lying counts, unknown tags and trailing bytes are ERR_CLUSTER_FRAME_INVALID', (t) => {
  let deep: unknown = 1;
  for (let i = 0; i < MAX_VALUE_DEPTH + 1; i++) deep = [deep];
  for (const bytes of [
    encodeValue(deep),
    Buffer.from([8, 0xff, 0xff, 0xff, 0x7f]), // array claiming 268M items
    Buffer.from([99]),
    Buffer.concat([encodeValue(1), Buffer.of(0)]),
    Buffer.from([7, 10, 65]), // string longer than the body
    Buffer.from([6, 3, 65, 66, 67]), // bigint that is not digits
    Buffer.alloc(0),
  ]) {
    const err = t.throws(() => decodeValue(bytes));
    t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'), String(err));
  }
});

const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
  ),
})).value;

test('property: any plain value survives the round trip', (t) => {
  fc.assert(
    fc.property(valueArb, (v) => {
      t.deepEqual(decodeValue(encodeValue(v)), v);
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('fuzz: random bytes decode to a value or ERR_CLUSTER_FRAME_INVALID, never another exception', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeValue(Buffer.from(bytes));
        return true;
      } catch (err) {
        return err instanceof TesseraError && err.code === 'ERR_CLUSTER_FRAME_INVALID';
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
