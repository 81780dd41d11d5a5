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
import { decodeSymbol, FAST_BITS, type HuffmanDecoder, readTable } from './huffman.js';
import { ALPHABET, decodeInts, ESCAPE, POW2, encodeInts, LEN_BASE, RAW, SMALL, unzigzag, ZERO_RUN, zigzag } from './int-coder.js';

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
  if (LITTLE_ENDIAN) return decodeKeyDeltas(buf, r, dec, out, m);
  return decodeKeyDeltasPortable(r, dec, out, m);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `buf` followed by at least 8 zero bytes, so 40-bit windows never read past the end. */
function padded(buf: Uint8Array): Uint8Array {
  const b = new Uint8Array(buf.length + 8);
  b.set(buf);
  return b;
}

/**
 * The hot loop of every full-precision float scan: Huffman symbols, the bits below each delta's leading
 * one, zig-zag and the 64-bit key addition, all in int32 halves, written straight into the output's
 * 32-bit words (little-endian hosts). No per-value calls, no float division, no BigInt.
 */
function decodeKeyDeltas(buf: Uint8Array, r: BitReader, dec: HuffmanDecoder, out: Float64Array, n: number): Float64Array {
  const b = padded(buf);
  const words = new Int32Array(out.buffer, out.byteOffset, n * 2);
  const fast = dec.fast;
  const single = dec.single;
  let pos = r.bitPosition;
  let hi = 0; // key, high and low 32 bits (int32 bit patterns)
  let lo = 0;
  let i = 0;
  while (i < n) {
    let s: number;
    if (single >= 0) {
      s = single;
    } else {
      const q = pos >>> 3;
      const w = ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) << (pos & 7);
      const e = fast[w >>> (32 - FAST_BITS)]!;
      if (e !== 0) {
        pos += e & 15;
        s = e >>> 4;
      } else {
        r.seek(pos);
        s = decodeSymbol(r, dec);
        pos = r.bitPosition;
      }
    }
    let zlo: number;
    let zhi = 0;
    if (s < SMALL) {
      if (s < 0) throw new RangeError('invalid code');
      zlo = s;
    } else if (s <= LEN_BASE + 53) {
      // z = 2^(k) + the k bits that follow, k = bit length - 1 (4..52)
      const k = s - LEN_BASE - 1;
      if (k > 32) {
        const h = k - 32; // 1..20 high bits
        zhi = (window32(b, pos) >>> (32 - h)) | (1 << h);
        pos += h;
        zlo = window32(b, pos);
        pos += 32;
      } else {
        const bits = window32(b, pos) >>> (32 - k);
        pos += k;
        if (k === 32) {
          zlo = bits | 0;
          zhi = 1;
        } else {
          zlo = bits | (1 << k);
        }
      }
    } else if (s === ESCAPE) {
      hi = window32(b, pos);
      lo = window32(b, pos + 32);
      pos += 64;
      writeKey(words, i++, hi, lo);
      continue;
    } else if (s === ZERO_RUN) {
      r.seek(pos);
      const bl = r.read32(5);
      if (bl === 0) throw new RangeError('invalid run');
      const len = POW2[bl - 1]! + r.read32(bl - 1);
      pos = r.bitPosition;
      const end = Math.min(n, i + len);
      while (i < end) writeKey(words, i++, hi, lo);
      continue;
    } else throw new RangeError('invalid symbol');
    // zig-zag: d = (z >>> 1) ^ -(z & 1) over 64 bits; then key += d (mod 2^64)
    const m = -(zlo & 1);
    const dlo = ((zlo >>> 1) | (zhi << 31)) ^ m;
    const dhi = (zhi >>> 1) ^ m;
    const nlo = (lo + dlo) | 0;
    hi = (hi + dhi + ((nlo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
    lo = nlo;
    writeKey(words, i++, hi, lo);
  }
  r.seek(pos);
  return out;
}

/** The 32 bits starting at bit `pos` (b padded with 8 bytes), as an int32 bit pattern. */
function window32(b: Uint8Array, pos: number): number {
  const q = pos >>> 3;
  const sh = pos & 7;
  const w = (b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!;
  return sh === 0 ? w : (w << sh) | (b[q + 4]! >>> (8 - sh));
}

/** Stores the double whose order-preserving key is (hi, lo) at index i (little-endian words). */
function writeKey(words: Int32Array, i: number, hi: number, lo: number): void {
  if (hi < 0) {
    words[2 * i] = lo;
    words[2 * i + 1] = hi ^ 0x8000_0000;
  } else {
    words[2 * i] = ~lo;
    words[2 * i + 1] = ~hi;
  }
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

