/**
 * Entropy coder for streams of non-negative integers (zig-zag encoded deltas, usually), per block:
 * small values (< 16) are one Huffman symbol each; larger ones are a symbol for their bit length plus
 * the bits below the leading one; anything that does not fit 53 bits is an escape symbol plus 64 raw
 * bits; runs of 8 or more zeros are one symbol plus their length. The Huffman table is built from the
 * block's own symbol counts, so a block of equal deltas costs only its table.
 */
import { BitReader, BitWriter, putBits } from './bits.js';
import { buildEncoder, codeLengths, decodeSymbol, FAST_BITS, type HuffmanDecoder, readTable, writeTable } from './huffman.js';

/** Symbols below this are the value itself. */
export const SMALL = 16;
/** Symbol for bit length b (5..53) is b + 11 (16..64). */
export const LEN_BASE = 11;
/** Escape symbol: 64 raw bits follow. */
export const ESCAPE = 65;
/** A run of at least MIN_RUN zeros: 5 bits bit length, then the bits below the leading one. */
export const ZERO_RUN = 66;
/** Alphabet size of the int coder. */
export const ALPHABET = 67;
const MIN_RUN = 16;

/** Marker in a zig-zag stream meaning "take the next raw 64-bit pair instead". */
export const RAW = -1;

function bitLength(z: number): number {
  // z >= 16 and < 2^53
  if (z < 0x1_0000_0000) return 32 - Math.clz32(z);
  return 64 - Math.clz32(Math.floor(z / 0x1_0000_0000));
}

function symbolOf(z: number): number {
  if (z === RAW) return ESCAPE;
  if (z < SMALL) return z;
  return bitLength(z) + LEN_BASE;
}

/**
 * Encodes `zz[0..n)` (each a non-negative integer < 2^53 or RAW); raw entries take consecutive (hi, lo)
 * pairs from `raw`. Writes into `w`.
 */
export function encodeInts(w: BitWriter, zz: ArrayLike<number>, n: number, raw?: ArrayLike<number>): void {
  const counts = new Uint32Array(ALPHABET);
  // symbols, with zero runs collapsed: runLen[i] > 0 marks a ZERO_RUN item covering runLen[i] values
  const syms = new Uint8Array(n);
  const runLen = new Uint32Array(n);
  let m = 0;
  for (let i = 0; i < n; ) {
    if (zz[i] === 0) {
      let j = i + 1;
      while (j < n && zz[j] === 0) j++;
      if (j - i >= MIN_RUN) {
        syms[m] = ZERO_RUN;
        runLen[m++] = j - i;
        counts[ZERO_RUN]!++;
        i = j;
        continue;
      }
    }
    const s = symbolOf(zz[i]!);
    syms[m] = s;
    runLen[m++] = 0;
    counts[s]!++;
    i++;
  }
  const lengths = codeLengths(counts);
  writeTable(w, lengths, counts);
  const codes = buildEncoder(lengths).codes;
  // Room for the worst case: a 15-bit code plus 64 raw bits per item.
  const b = w.reserve(m * 79 + 64);
  let p = w.position;
  let ri = 0;
  let vi = 0;
  for (let k = 0; k < m; k++) {
    const s = syms[k]!;
    const len = lengths[s]!;
    if (len > 0) p = putBits(b, p, codes[s]!, len);
    if (s === ZERO_RUN) {
      const run = runLen[k]!;
      const bl = 32 - Math.clz32(run);
      p = putBits(b, p, bl, 5);
      if (bl > 1) p = putBits(b, p, run - (1 << (bl - 1)), bl - 1);
      vi += run;
      continue;
    }
    const z = zz[vi++]!;
    if (s < SMALL) continue;
    if (s === ESCAPE) {
      const hi = raw![ri++]! >>> 0;
      const lo = raw![ri++]! >>> 0;
      p = putBits(b, p, hi >>> 16, 16);
      p = putBits(b, p, hi & 0xffff, 16);
      p = putBits(b, p, lo >>> 16, 16);
      p = putBits(b, p, lo & 0xffff, 16);
      continue;
    }
    // the k = bit length - 1 bits below the leading one (k = 4..52), in chunks of at most 24 bits
    const kb = s - LEN_BASE - 1;
    if (kb <= 24) {
      p = putBits(b, p, z - (1 << kb), kb);
    } else {
      const hi = Math.floor(z / TWO24);
      const lo = z - hi * TWO24; // low 24 bits
      const hb = kb - 24; // 1..28 bits above them, without the leading one
      const hv = hi - (1 << hb);
      if (hb > 24) {
        p = putBits(b, p, Math.floor(hv / TWO24), hb - 24);
        p = putBits(b, p, hv % TWO24, 24);
      } else {
        p = putBits(b, p, hv, hb);
      }
      p = putBits(b, p, lo, 24);
    }
  }
  w.commit(p);
}

const TWO24 = 0x100_0000;

/** 2^i for i = 0..64 (a table: `**` compiles to a slow Math.pow call). */
export const POW2 = Float64Array.from({ length: 65 }, (_, i) => 2 ** i);

/** True on little-endian hosts (typed-array words are low word first). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

let scratch = new Uint8Array(16 * 1024);

/**
 * `buf` copied into a reused scratch buffer followed by 8 zero bytes, so 40-bit windows never read
 * past the end (decoding is synchronous: one user at a time; no allocation per block).
 */
function padded(buf: Uint8Array): Uint8Array {
  if (buf.length + 8 > scratch.length) scratch = new Uint8Array(Math.max(buf.length + 8, scratch.length * 2));
  scratch.set(buf);
  scratch.fill(0, buf.length, buf.length + 8);
  return scratch;
}

/**
 * The hot loop of every full-precision float and integer scan: decodes `n` values of a stream written
 * by encodeInts (zig-zag deltas; escapes carry the raw 64 bits) as a running 64-bit sum, kept in int32
 * halves and written straight into `words` (little-endian: low word first) — or, with `floatKeys`,
 * each sum taken as an order-preserving float key and written as that double's bits. No per-value
 * calls, no float division, no BigInt. `r` is left after the values.
 */
export function decodeDeltaWords(buf: Uint8Array, r: BitReader, dec: HuffmanDecoder, words: Int32Array, n: number, floatKeys: boolean): void {
  const b = padded(buf);
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
      writeWords(words, i++, hi, lo, floatKeys);
      continue;
    } else if (s === ZERO_RUN) {
      r.seek(pos);
      const bl = r.read32(5);
      if (bl === 0) throw new RangeError('invalid run');
      const len = POW2[bl - 1]! + r.read32(bl - 1);
      pos = r.bitPosition;
      const end = Math.min(n, i + len);
      while (i < end) writeWords(words, i++, hi, lo, floatKeys);
      continue;
    } else throw new RangeError('invalid symbol');
    // zig-zag: d = (z >>> 1) ^ -(z & 1) over 64 bits; then key += d (mod 2^64)
    const m = -(zlo & 1);
    const dlo = ((zlo >>> 1) | (zhi << 31)) ^ m;
    const dhi = (zhi >>> 1) ^ m;
    const nlo = (lo + dlo) | 0;
    hi = (hi + dhi + ((nlo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
    lo = nlo;
    writeWords(words, i++, hi, lo, floatKeys);
  }
  r.seek(pos);
}

/** The 32 bits starting at bit `pos` (b padded with 8 bytes), as an int32 bit pattern. */
function window32(b: Uint8Array, pos: number): number {
  const q = pos >>> 3;
  const sh = pos & 7;
  const w = (b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!;
  return sh === 0 ? w : (w << sh) | (b[q + 4]! >>> (8 - sh));
}

/** Stores (hi, lo) at index i (little-endian words), or the double whose order-preserving key it is. */
function writeWords(words: Int32Array, i: number, hi: number, lo: number, floatKeys: boolean): void {
  if (!floatKeys) {
    words[2 * i] = lo;
    words[2 * i + 1] = hi;
  } else if (hi < 0) {
    words[2 * i] = lo;
    words[2 * i + 1] = hi ^ 0x8000_0000;
  } else {
    words[2 * i] = ~lo;
    words[2 * i + 1] = ~hi;
  }
}

/** Result of decodeInts: zig-zag values (RAW for escapes) and the raw pairs in order. */
export interface DecodedInts {
  readonly zz: Float64Array;
  readonly raw: Uint32Array;
}

/** Decodes `n` values written by encodeInts. Throws on an invalid code. */
export function decodeInts(r: BitReader, n: number): DecodedInts {
  const dec = readTable(r, ALPHABET);
  const zz = new Float64Array(n);
  const raws: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = decodeSymbol(r, dec);
    if (s < 0) throw new RangeError('invalid code');
    if (s === ZERO_RUN) {
      const b = r.read32(5);
      if (b === 0) throw new RangeError('invalid run');
      const len = POW2[b - 1]! + r.read32(b - 1);
      if (i + len > n) throw new RangeError('run past end');
      i += len - 1; // zz is zero-filled
      continue;
    }
    if (s < SMALL) {
      zz[i] = s;
    } else if (s === ESCAPE) {
      zz[i] = RAW;
      raws.push(r.read32(32), r.read32(32));
    } else {
      const b = s - LEN_BASE;
      zz[i] = POW2[b - 1]! + r.read(b - 1);
    }
  }
  return { zz, raw: Uint32Array.from(raws) };
}

/** Zig-zag of a safe integer with |d| < 2^52. */
export function zigzag(d: number): number {
  return d >= 0 ? d * 2 : -d * 2 - 1;
}

/** Inverse of zigzag. */
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

export { BitReader, BitWriter };
