/**
 * Timestamp codec for an ascending BigInt64Array run. Mode 0 (run length): first time + one constant
 * delta, 17 bytes for any count (regular series). Mode 1: first time + delta-of-delta, zig-zag and
 * Huffman coded (int-coder), with raw 64-bit deltas where a delta does not fit 52 bits.
 */
import { BitReader, BitWriter } from './bits.js';
import { readTable } from './huffman.js';
import { ALPHABET, decodeDeltaWords, decodeInts, encodeInts, LITTLE_ENDIAN, RAW, unzigzag, zigzag } from './int-coder.js';

const SAFE = 2n ** 51n;
const M32 = 0xffff_ffffn;
const TWO32 = 0x1_0000_0000;
const SAFE_N = 2 ** 51;

/** Encodes times[start..start+n). */
export function encodeTimes(times: BigInt64Array, start: number, n: number): Uint8Array {
  const w = new BitWriter(32 + n);
  if (n <= 2 || isRegular(times, start, n)) {
    w.write32(0, 8);
    writeI64(w, n > 0 ? times[start]! : 0n);
    writeI64(w, n > 1 ? times[start + 1]! - times[start]! : 0n);
    return w.finish();
  }
  w.write32(1, 8);
  writeI64(w, times[start]!);
  const zz = new Float64Array(n - 1);
  const raw: number[] = [];
  let prevDelta = 0;
  let prevSafe = true;
  if (LITTLE_ENDIAN) {
    // the same decisions as below, on int32 halves (no BigInt per value)
    const words = new Int32Array(times.buffer, times.byteOffset + start * 8, n * 2);
    let plo = words[0]!;
    let phi = words[1]!;
    for (let i = 1; i < n; i++) {
      const lo = words[2 * i]!;
      const hi = words[2 * i + 1]!;
      const dlo = (lo - plo) | 0;
      const dhi = (hi - phi - ((lo >>> 0) < (plo >>> 0) ? 1 : 0)) | 0;
      plo = lo;
      phi = hi;
      const d = dhi >= -0x10_0000 && dhi < 0x10_0000 ? dhi * TWO32 + (dlo >>> 0) : Number.POSITIVE_INFINITY;
      const safe = d < SAFE_N && d > -SAFE_N;
      if (safe && prevSafe) {
        const dod = d - prevDelta;
        if (dod < SAFE_N && dod > -SAFE_N) {
          zz[i - 1] = zigzag(dod);
          prevDelta = d;
          continue;
        }
      }
      zz[i - 1] = RAW;
      raw.push(dhi >>> 0, dlo >>> 0);
      prevSafe = safe;
      prevDelta = safe ? d : 0;
    }
    encodeInts(w, zz, n - 1, raw);
    return w.finish();
  }
  for (let i = 1; i < n; i++) {
    const delta = times[start + i]! - times[start + i - 1]!;
    if (delta < SAFE && delta > -SAFE && prevSafe) {
      const d = Number(delta);
      const dod = d - prevDelta;
      if (dod < 2 ** 51 && dod > -(2 ** 51)) {
        zz[i - 1] = zigzag(dod);
        prevDelta = d;
        continue;
      }
    }
    zz[i - 1] = RAW;
    const u = BigInt.asUintN(64, delta);
    raw.push(Number(u >> 32n), Number(u & M32));
    prevSafe = delta < SAFE && delta > -SAFE;
    prevDelta = prevSafe ? Number(delta) : 0;
  }
  encodeInts(w, zz, n - 1, raw);
  return w.finish();
}

function isRegular(times: BigInt64Array, start: number, n: number): boolean {
  const d = times[start + 1]! - times[start]!;
  for (let i = start + 2; i < start + n; i++) if (times[i]! - times[i - 1]! !== d) return false;
  return true;
}

function writeI64(w: BitWriter, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  w.write32(Number(u >> 32n), 32);
  w.write32(Number(u & M32), 32);
}

function readI64(r: BitReader): bigint {
  const hi = r.read32(32);
  const lo = r.read32(32);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** Decodes `n` times. */
export function decodeTimes(buf: Uint8Array, n: number): BigInt64Array {
  const r = new BitReader(buf);
  const mode = r.read32(8);
  const out = new BigInt64Array(n);
  if (n === 0) return out;
  if (mode === 0) {
    const first = readI64(r);
    const delta = readI64(r);
    if (LITTLE_ENDIAN && delta >= 0n && delta < SAFE && first + delta * BigInt(n) < 2n ** 63n) {
      // No BigInt per value: add in 32-bit halves written through a Uint32Array view (little-endian).
      const halves = new Uint32Array(out.buffer, out.byteOffset, n * 2);
      const u = BigInt.asUintN(64, first);
      let hi = Number(u >> 32n);
      let lo = Number(u & M32);
      const d = Number(delta);
      const dh = Math.floor(d / TWO32);
      const dl = d - dh * TWO32;
      for (let i = 0; i < n; i++) {
        halves[2 * i] = lo;
        halves[2 * i + 1] = hi;
        lo += dl;
        hi += dh;
        if (lo >= TWO32) {
          lo -= TWO32;
          hi++;
        }
        if (hi >= TWO32) hi -= TWO32;
      }
      return out;
    }
    let t = first;
    for (let i = 0; i < n; i++) {
      out[i] = t;
      t += delta;
    }
    return out;
  }
  if (mode !== 1) throw new RangeError(`unknown time mode ${mode}`);
  let t = readI64(r);
  out[0] = t;
  if (LITTLE_ENDIAN && n > 1) {
    // deltas = running sum of the delta-of-deltas (a raw delta resets it), decoded straight into
    // out[1..]; then times = running sum of the deltas, both in int32 halves
    const words = new Int32Array(out.buffer, out.byteOffset, n * 2);
    decodeDeltaWords(buf, r, readTable(r, ALPHABET), words.subarray(2), n - 1, false);
    let lo = words[0]!;
    let hi = words[1]!;
    for (let i = 1; i < n; i++) {
      const nlo = (lo + words[2 * i]!) | 0;
      hi = (hi + words[2 * i + 1]! + ((nlo >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      lo = nlo;
      words[2 * i] = lo;
      words[2 * i + 1] = hi;
    }
    return out;
  }
  const { zz, raw } = decodeInts(r, n - 1);
  let prevDelta = 0;
  let ri = 0;
  for (let i = 1; i < n; i++) {
    const z = zz[i - 1]!;
    let delta: bigint;
    if (z === RAW) {
      delta = BigInt.asIntN(64, (BigInt(raw[ri]!) << 32n) | BigInt(raw[ri + 1]!));
      ri += 2;
      prevDelta = delta < SAFE && delta > -SAFE ? Number(delta) : 0;
    } else {
      prevDelta += unzigzag(z);
      delta = BigInt(prevDelta);
    }
    t += delta;
    out[i] = t;
  }
  return out;
}
