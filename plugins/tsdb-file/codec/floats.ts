/**
 * Float block codec. Each block picks the smaller of two encodings:
 *  - mode 1, decimal: every value is m / 10^d for a small d and |m| < 2^50 (values printed with few
 *    decimals); the integers m are delta + zig-zag + Huffman coded (int-coder).
 *  - mode 0, key delta: each double is mapped to its order-preserving 64-bit key (so nearby values have
 *    nearby keys, in units of the value's ulp); key deltas are zig-zag + Huffman coded. On noisy
 *    full-precision data this costs about log2(|step| / ulp) + 2-3 bits per value, below Gorilla's XOR.
 * Decoding is exact for every double (NaN payloads and -0 included).
 */
import { BitReader, BitWriter } from './bits.js';
import { decodeSymbol, type HuffmanDecoder, readTable } from './huffman.js';
import { ALPHABET, decodeDeltaWords, decodeInts, ESCAPE, encodeInts, LEN_BASE, LITTLE_ENDIAN, POW2, RAW, SMALL, unzigzag, ZERO_RUN, zigzag } from './int-coder.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const TWO32 = 0x1_0000_0000;
const MAX_DECIMALS = 12;
const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, i) => 10 ** i);
const DECIMAL_LIMIT = 2 ** 50;

/** Smallest d such that every value is exactly Math.round(v * 10^d) / 10^d, or -1. */
export function decimalScale(values: Float64Array, start: number, n: number): number {
  let d = 0;
  for (let i = start; i < start + n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
    for (;;) {
      const s = POW10[d]!;
      const m = Math.round(v * s);
      if (Math.abs(m) < DECIMAL_LIMIT && m / s === v) break;
      if (++d > MAX_DECIMALS) return -1;
    }
  }
  return d;
}

function encodeDecimal(values: Float64Array, start: number, n: number, d: number): Uint8Array {
  const w = new BitWriter(n + 64);
  w.write32(1, 8);
  w.write32(d, 8);
  const zz = new Float64Array(n);
  const s = POW10[d]!;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.round(values[start + i]! * s);
    zz[i] = zigzag(m - prev);
    prev = m;
  }
  encodeInts(w, zz, n);
  return w.finish();
}

function encodeKeyDelta(values: Float64Array, start: number, n: number): Uint8Array {
  const w = new BitWriter(n * 7 + 64);
  w.write32(0, 8);
  const zz = new Float64Array(n);
  const raw: number[] = [];
  let phi = 0;
  let plo = 0;
  for (let i = 0; i < n; i++) {
    f64[0] = values[start + i]!;
    let lo = u32[0]!;
    let hi = u32[1]!;
    if (hi & 0x8000_0000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else {
      hi = (hi | 0x8000_0000) >>> 0;
    }
    const dh = hi - phi;
    if (i > 0 && dh > -0x8_0000 && dh < 0x8_0000) {
      zz[i] = zigzag(dh * TWO32 + (lo - plo));
    } else {
      zz[i] = RAW;
      raw.push(hi, lo);
    }
    phi = hi;
    plo = lo;
  }
  encodeInts(w, zz, n, raw);
  return w.finish();
}

/** Encodes `n` floats starting at `start`. */
export function encodeFloats(values: Float64Array, start: number, n: number): Uint8Array {
  const d = decimalScale(values, start, n);
  const a = encodeKeyDelta(values, start, n);
  if (d < 0) return a;
  const b = encodeDecimal(values, start, n, d);
  return b.length <= a.length ? b : a;
}

/**
 * Decodes the first `limit` (default all `n`) of the `n` floats in `buf` (as written by encodeFloats);
 * a scan that needs only a block's head stops there.
 */
export function decodeFloats(buf: Uint8Array, n: number, limit = n): Float64Array {
  const r = new BitReader(buf);
  const mode = r.read32(8);
  const m = Math.max(0, Math.min(n, limit));
  const out = new Float64Array(m);
  if (mode === 1) {
    const s = POW10[r.read32(8)]!;
    const { zz } = decodeInts(r, n);
    let v = 0;
    for (let i = 0; i < m; i++) {
      v += unzigzag(zz[i]!);
      out[i] = v / s;
    }
    return out;
  }
  if (mode !== 0) throw new RangeError(`unknown float mode ${mode}`);
  const dec = readTable(r, ALPHABET);
  if (LITTLE_ENDIAN) {
    decodeDeltaWords(buf, r, dec, new Int32Array(out.buffer, out.byteOffset, m * 2), m, true);
    return out;
  }
  return decodeKeyDeltasPortable(r, dec, out, m);
}


/** The same decoding through the BitReader and a Float64Array scratch (any byte order). */
function decodeKeyDeltasPortable(r: BitReader, dec: HuffmanDecoder, out: Float64Array, n: number): Float64Array {
  let hi = 0;
  let lo = 0;
  let i = 0;
  while (i < n) {
    const s = decodeSymbol(r, dec);
    let z: number;
    if (s < SMALL) {
      if (s < 0) throw new RangeError('invalid code');
      z = s;
    } else if (s <= LEN_BASE + 53) {
      const b = s - LEN_BASE;
      z = POW2[b - 1]! + r.read(b - 1);
    } else if (s === ESCAPE) {
      hi = r.read32(32);
      lo = r.read32(32);
      out[i++] = keyToFloat(hi, lo);
      continue;
    } else if (s === ZERO_RUN) {
      const b = r.read32(5);
      if (b === 0) throw new RangeError('invalid run');
      const len = POW2[b - 1]! + r.read32(b - 1);
      out.fill(keyToFloat(hi, lo), i, Math.min(n, i + len));
      i += len;
      continue;
    } else throw new RangeError('invalid symbol');
    // key += delta, carried across the 32-bit halves (all float arithmetic stays exact below 2^53)
    const d = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    let dh = Math.floor(d / TWO32);
    lo += d - dh * TWO32;
    if (lo >= TWO32) {
      lo -= TWO32;
      dh++;
    }
    hi += dh;
    if (hi >= TWO32) hi -= TWO32;
    if (hi < 0) hi += TWO32;
    out[i++] = keyToFloat(hi, lo);
  }
  return out;
}

/** The double whose order-preserving key is (hi, lo). */
function keyToFloat(hi: number, lo: number): number {
  if (hi >= 0x8000_0000) {
    u32[1] = hi - 0x8000_0000;
    u32[0] = lo;
  } else {
    u32[1] = ~hi >>> 0;
    u32[0] = ~lo >>> 0;
  }
  return f64[0]!;
}

