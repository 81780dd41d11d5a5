/**
 * Integer (int64) block codec: deltas zig-zag + Huffman coded (int-coder); a delta that does not fit
 * 51 bits is stored as the raw 64-bit value.
 */
import { BitReader, BitWriter } from './bits.js';
import { readTable } from './huffman.js';
import { ALPHABET, decodeDeltaWords, decodeInts, encodeInts, LITTLE_ENDIAN, RAW, unzigzag, zigzag } from './int-coder.js';

const SAFE = 2n ** 51n;
const M32 = 0xffff_ffffn;

/** Encodes values[start..start+n). */
export function encodeIntegers(values: BigInt64Array, start: number, n: number): Uint8Array {
  const w = new BitWriter(16 + n);
  w.write32(0, 8);
  const zz = new Float64Array(n);
  const raw: number[] = [];
  let prev = 0n;
  for (let i = 0; i < n; i++) {
    const v = values[start + i]!;
    const d = v - prev;
    if (d < SAFE && d > -SAFE) {
      zz[i] = zigzag(Number(d));
    } else {
      zz[i] = RAW;
      const u = BigInt.asUintN(64, v);
      raw.push(Number(u >> 32n), Number(u & M32));
    }
    prev = v;
  }
  encodeInts(w, zz, n, raw);
  return w.finish();
}

/** Decodes `n` integers. */
export function decodeIntegers(buf: Uint8Array, n: number): BigInt64Array {
  const r = new BitReader(buf);
  const mode = r.read32(8);
  if (mode !== 0) throw new RangeError(`unknown integer mode ${mode}`);
  if (LITTLE_ENDIAN) {
    const out = new BigInt64Array(n);
    decodeDeltaWords(buf, r, readTable(r, ALPHABET), new Int32Array(out.buffer, out.byteOffset, n * 2), n, false);
    return out;
  }
  const { zz, raw } = decodeInts(r, n);
  const out = new BigInt64Array(n);
  let prev = 0n;
  let ri = 0;
  for (let i = 0; i < n; i++) {
    const z = zz[i]!;
    if (z === RAW) {
      prev = BigInt.asIntN(64, (BigInt(raw[ri]!) << 32n) | BigInt(raw[ri + 1]!));
      ri += 2;
    } else {
      prev += BigInt(unzigzag(z));
    }
    out[i] = prev;
  }
  return out;
}
