/**
 * Canonical Huffman codes over a small alphabet (< 256 symbols), built per block from symbol counts.
 * A block with a single distinct symbol gets a zero-length code (its values cost no bits).
 */
import type { BitReader, BitWriter } from './bits.js';

/** Longest code we emit; longer trees are flattened by halving counts. */
export const MAX_CODE_LENGTH = 15;

/** Code lengths for each symbol (0 = unused), from symbol counts. */
export function codeLengths(counts: ArrayLike<number>): Uint8Array {
  const n = counts.length;
  const lengths = new Uint8Array(n);
  const freq = Float64Array.from(counts);
  for (;;) {
    const used: number[] = [];
    for (let s = 0; s < n; s++) if (freq[s]! > 0) used.push(s);
    if (used.length <= 1) return lengths; // none, or a single symbol: a zero-length code
    // Two-queue Huffman: leaves sorted by weight, internal nodes come out in non-decreasing weight.
    used.sort((a, b) => freq[a]! - freq[b]! || a - b);
    const k = used.length;
    const weight = new Float64Array(2 * k - 1);
    const parent = new Int32Array(2 * k - 1).fill(-1);
    for (let i = 0; i < k; i++) weight[i] = freq[used[i]!]!;
    let leaf = 0;
    let inner = k;
    let next = k;
    const take = (): number => (leaf < k && (inner >= next || weight[leaf]! <= weight[inner]!) ? leaf++ : inner++);
    while (next < 2 * k - 1) {
      const a = take();
      const b = take();
      weight[next] = weight[a]! + weight[b]!;
      parent[a] = next;
      parent[b] = next;
      next++;
    }
    // depths: the root is the last node; parents always come after their children
    const depth = new Uint8Array(2 * k - 1);
    let maxLen = 0;
    for (let i = 2 * k - 3; i >= 0; i--) {
      depth[i] = depth[parent[i]!]! + 1;
      if (i < k && depth[i]! > maxLen) maxLen = depth[i]!;
    }
    for (let i = 0; i < k; i++) lengths[used[i]!] = depth[i]!;
    if (maxLen <= MAX_CODE_LENGTH) return lengths;
    for (let s = 0; s < n; s++) if (freq[s]! > 0) freq[s] = Math.floor(freq[s]! / 2) | 1;
    lengths.fill(0);
  }
}

/** Encoder side of a canonical code. */
export interface HuffmanEncoder {
  readonly codes: Uint32Array;
  readonly lengths: Uint8Array;
}

/** Decoder side of a canonical code. */
export interface HuffmanDecoder {
  /** Number of codes of each length 0..MAX. */
  readonly countByLength: Uint16Array;
  /** Symbols ordered by (length, symbol). */
  readonly sorted: Uint16Array;
  /** The symbol when the code is zero-length (single symbol), else -1. */
  readonly single: number;
  /**
   * Fast path: for the next FAST_BITS bits, (symbol << 4 | length) of a code of at most FAST_BITS
   * bits, or 0 when the code is longer (then decoded bit by bit).
   */
  readonly fast: Uint16Array;
}

/** Bits looked up at once by the decoder's fast table. */
export const FAST_BITS = 9;

/** Canonical codes for the given lengths. */
export function buildEncoder(lengths: Uint8Array): HuffmanEncoder {
  const codes = new Uint32Array(lengths.length);
  const blCount = new Uint16Array(MAX_CODE_LENGTH + 1);
  for (const l of lengths) if (l > 0) blCount[l]!++;
  const next = new Uint32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let bits = 1; bits <= MAX_CODE_LENGTH; bits++) {
    next[bits] = code;
    code = (code + blCount[bits]!) << 1;
  }
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s]!;
    if (l > 0) codes[s] = next[l]!++;
  }
  return { codes, lengths };
}

/** Decoder tables for the given lengths (`single`: the symbol of a one-symbol table, else -1). */
export function buildDecoder(lengths: Uint8Array, single = -1): HuffmanDecoder {
  const countByLength = new Uint16Array(MAX_CODE_LENGTH + 1);
  let used = 0;
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s]!;
    if (l > 0) {
      countByLength[l]!++;
      used++;
    }
  }
  // symbols ordered by (length, symbol), and each length's first canonical code
  const offset = new Uint16Array(MAX_CODE_LENGTH + 2);
  const nextCode = new Uint16Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let l = 1; l <= MAX_CODE_LENGTH; l++) {
    offset[l + 1] = offset[l]! + countByLength[l]!;
    nextCode[l] = code;
    code = (code + countByLength[l]!) << 1;
  }
  const sorted = new Uint16Array(used);
  const fast = new Uint16Array(1 << FAST_BITS);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s]!;
    if (l === 0) continue;
    sorted[offset[l]!++] = s;
    const c = nextCode[l]!++;
    if (l > FAST_BITS) continue;
    const base = c << (FAST_BITS - l);
    fast.fill((s << 4) | l, base, base + (1 << (FAST_BITS - l)));
  }
  return { countByLength, sorted, single: single >= 0 ? single : used === 0 ? -2 : -1, fast };
}

/**
 * Writes the code table in the smaller of two forms, after a 1-bit flag:
 * 0: 8 bits symbol count k, then k × (8 bits symbol, 4 bits length);
 * 1: 8 bits first symbol lo, 8 bits last symbol hi, then 4 bits length for each symbol in [lo, hi].
 * A single-symbol table is form 0 with k = 1 and length 0.
 */
export function writeTable(w: BitWriter, lengths: Uint8Array, counts: ArrayLike<number>): void {
  const present: number[] = [];
  for (let s = 0; s < lengths.length; s++) if (counts[s]! > 0) present.push(s);
  const lo = present[0] ?? 0;
  const hi = present[present.length - 1] ?? 0;
  const listBits = 8 + present.length * 12;
  const rangeBits = 16 + (hi - lo + 1) * 4;
  if (present.length > 1 && rangeBits < listBits) {
    w.write32(1, 1);
    w.write32(lo, 8);
    w.write32(hi, 8);
    for (let s = lo; s <= hi; s++) w.write32(lengths[s]!, 4);
    return;
  }
  w.write32(0, 1);
  w.write32(present.length, 8);
  for (const s of present) {
    w.write32(s, 8);
    w.write32(lengths[s]!, 4);
  }
}

/** Reads a table written by writeTable; returns the decoder. */
export function readTable(r: BitReader, alphabetSize: number): HuffmanDecoder {
  const lengths = new Uint8Array(alphabetSize);
  if (r.read32(1) === 1) {
    const lo = r.read32(8);
    const hi = r.read32(8);
    for (let s = lo; s <= hi; s++) {
      const l = r.read32(4);
      if (s < alphabetSize) lengths[s] = l;
    }
    return buildDecoder(lengths);
  }
  const k = r.read32(8);
  let single = -1;
  for (let i = 0; i < k; i++) {
    const s = r.read32(8);
    const l = r.read32(4);
    if (s < alphabetSize) lengths[s] = l;
    if (k === 1) single = s;
  }
  return buildDecoder(lengths, k === 1 ? single : -1);
}

/** Decodes one symbol; returns -1 on an invalid code. */
export function decodeSymbol(r: BitReader, d: HuffmanDecoder): number {
  if (d.single >= 0) return d.single;
  const e = d.fast[r.peek(FAST_BITS)]!;
  if (e !== 0) {
    r.skip(e & 15);
    return e >>> 4;
  }
  let code = 0;
  let first = 0;
  let index = 0;
  const counts = d.countByLength;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    code |= r.bit();
    const count = counts[len]!;
    if (code - first < count) return d.sorted[index + code - first]!;
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  return -1;
}
