/**
 * One compressed block: the times and values of up to ~1000 points of one series field.
 * Layout: u8 type | varint count | varint timesLength | times | values | u32 CRC-32 of all preceding
 * bytes.
 */
import { crc32 } from 'node:zlib';
import { type BlockStats, type BlockValues, type FieldType, upperBound } from '../../../core/index.js';
import { decodeBooleans, encodeBooleans } from './booleans.js';
import { decodeFloats, encodeFloats } from './floats.js';
import { decodeIntegers, encodeIntegers } from './integers.js';
import { decodeStrings, encodeStrings } from './strings.js';
import { decodeTimes, encodeTimes } from './timestamps.js';

/** Numeric code of each field type in files. */
export const TYPE_CODES: Readonly<Record<FieldType, number>> = { float: 0, integer: 1, string: 2, boolean: 3 };
/** Field type of each numeric code. */
export const TYPE_NAMES: readonly FieldType[] = ['float', 'integer', 'string', 'boolean'];

/** Smallest possible block (header + CRC). */
const MIN_BLOCK = 7;

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function readVarint(b: Uint8Array, pos: number): [value: number, next: number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[pos++];
    if (x === undefined || mul > 2 ** 35) throw new RangeError('bad block header');
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, pos];
    mul *= 128;
  }
}

/** Encodes `n` points starting at `start` into one block (with its CRC). */
export function encodeBlock(
  type: FieldType,
  times: BigInt64Array,
  values: BlockValues,
  start: number,
  n: number,
): Uint8Array {
  const t = encodeTimes(times, start, n);
  let v: Uint8Array;
  switch (type) {
    case 'float':
      v = encodeFloats(values as Float64Array, start, n);
      break;
    case 'integer':
      v = encodeIntegers(values as BigInt64Array, start, n);
      break;
    case 'string':
      v = encodeStrings(values as string[], start, n);
      break;
    default:
      v = encodeBooleans(values as boolean[], start, n);
  }
  const head = [TYPE_CODES[type], ...varintBytes(n), ...varintBytes(t.length)];
  const out = Buffer.allocUnsafe(head.length + t.length + v.length + 4);
  out.set(head, 0);
  out.set(t, head.length);
  out.set(v, head.length + t.length);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** True when the block's CRC matches. */
export function blockIntact(buf: Uint8Array): boolean {
  if (buf.length < MIN_BLOCK) return false;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  return crc32(b.subarray(0, b.length - 4)) === b.readUInt32LE(b.length - 4);
}

/** A decoded block (or its head). */
export interface DecodedBlock {
  readonly type: FieldType;
  readonly times: BigInt64Array;
  readonly values: BlockValues;
}

/** Decodes a block (CRC checked: throws RangeError when damaged). */
export function decodeBlock(buf: Uint8Array): DecodedBlock {
  return decodeBlockUntil(buf, undefined);
}

/**
 * Decodes the points of a block with time <= `tmax` (all when undefined): the times are decoded whole,
 * float values only as far as needed. CRC checked: throws RangeError when damaged.
 */
export function decodeBlockUntil(buf: Uint8Array, tmax: bigint | undefined): DecodedBlock {
  if (!blockIntact(buf)) throw new RangeError('block checksum mismatch');
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const type = TYPE_NAMES[b[0]!];
  if (type === undefined) throw new RangeError(`unknown block type ${b[0]}`);
  const [n, p1] = readVarint(b, 1);
  const [tlen, p2] = readVarint(b, p1);
  if (p2 + tlen > b.length - 4) throw new RangeError('bad block header');
  const allTimes = decodeTimes(b.subarray(p2, p2 + tlen), n);
  const keep = tmax === undefined || n === 0 || allTimes[n - 1]! <= tmax ? n : upperBound(allTimes, n, tmax);
  const times = keep === n ? allTimes : allTimes.subarray(0, keep);
  const vbuf = b.subarray(p2 + tlen, b.length - 4);
  let values: BlockValues;
  switch (type) {
    case 'float':
      return { type, times, values: decodeFloats(vbuf, n, keep) };
    case 'integer':
      values = decodeIntegers(vbuf, n);
      break;
    case 'string':
      values = decodeStrings(vbuf, n);
      break;
    default:
      values = decodeBooleans(vbuf, n);
  }
  if (keep < n) values = Array.isArray(values) ? values.slice(0, keep) : (values as BigInt64Array).subarray(0, keep);
  return { type, times, values };
}

/** Statistics of values[start..start+n) for numeric types; undefined otherwise or when n = 0. */
export function computeStats(type: FieldType, values: BlockValues, start: number, n: number): BlockStats | undefined {
  if (n === 0) return undefined;
  if (type === 'float') {
    const v = values as Float64Array;
    let min = v[start]!;
    let max = min;
    let sum = 0;
    for (let i = start; i < start + n; i++) {
      const x = v[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    return { count: n, min, max, sum, first: v[start]!, last: v[start + n - 1]! };
  }
  if (type === 'integer') {
    const v = values as BigInt64Array;
    let min = v[start]!;
    let max = min;
    let sum = 0n;
    for (let i = start; i < start + n; i++) {
      const x = v[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    return { count: n, min, max, sum, first: v[start]!, last: v[start + n - 1]! };
  }
  return undefined;
}
