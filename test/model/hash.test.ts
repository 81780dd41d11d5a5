import test from 'ava';
import fc from 'fast-check';
import { fnv1a64, shardIndexFor } from '../../core/model/hash.js';

/** Reference: FNV-1a 64 with BigInt, byte by byte over Buffer.from(text). */
function reference(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

test('fnv1a64 of a string equals FNV-1a over its UTF-8 bytes (BigInt reference), any text', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => fnv1a64(s) === reference(s)), { numRuns: 2000, seed: 7 });
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => fnv1a64(s) === fnv1a64(Buffer.from(s))), { numRuns: 500, seed: 8 });
  t.is(fnv1a64('\uD800x'), reference('\uD800x')); // lone surrogate -> U+FFFD, as Buffer.from
  t.is(fnv1a64('温度,城市=北京'), reference('温度,城市=北京'));
});

test('shardIndexFor equals fnv1a64 mod n for small and huge shard counts', (t) => {
  fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 3_000_000 }), (s, n) =>
    shardIndexFor(s, n) === Number(fnv1a64(s) % BigInt(n))), { numRuns: 2000, seed: 9 });
  t.is(shardIndexFor('cpu,host=serverA,region=us-west', 4), 3);
});
