import { TesseraError } from '../errors.js';

/**
 * A compact binary encoding of plain JS values (what MapRequest and MapChunk are: null, booleans,
 * numbers, bigints, strings, arrays, plain objects, undefined), used for map-shard bodies. Unlike JSON
 * it keeps bigints (exact int64 timestamps) and -0/NaN/Infinity without a reviver walk, and it decodes
 * several times faster than JSON.parse with a reviver (bench: codec-values in bench/codec.bench.ts).
 *
 * Tags: 0 null, 1 false, 2 true, 3 float64, 4 int32, 5 int64, 6 bigint (decimal text), 7 string,
 * 8 array, 9 object, 10 undefined. Lengths and counts are unsigned LEB128 varints.
 */
const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_F64 = 3;
const T_I32 = 4;
const T_I64 = 5;
const T_BIG = 6;
const T_STR = 7;
const T_ARR = 8;
const T_OBJ = 9;
const T_UNDEF = 10;

/** Deepest nesting accepted when decoding (a peer cannot overflow our stack). */
export const MAX_VALUE_DEPTH = 64;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

class Writer {
  buf = Buffer.allocUnsafe(1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const max = s.length * 3;
    this.ensure(5 + max);
    // Short ASCII strings (keys, tag values) are copied directly; others go through Buffer.write.
    if (s.length < 64) {
      let ascii = true;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
      if (ascii) {
        this.buf[this.pos++] = s.length;
        for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    const n = Buffer.byteLength(s);
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.ensure(5);
          this.buf[this.pos++] = T_I32;
          this.buf.writeInt32LE(v, this.pos);
          this.pos += 4;
        } else {
          this.ensure(9);
          this.buf[this.pos++] = T_F64;
          this.buf.writeDoubleLE(v, this.pos);
          this.pos += 8;
        }
        return;
      case 'string':
        this.ensure(1);
        this.buf[this.pos++] = T_STR;
        this.string(v);
        return;
      case 'bigint':
        if (v >= I64_MIN && v <= I64_MAX) {
          this.ensure(9);
          this.buf[this.pos++] = T_I64;
          this.buf.writeBigInt64LE(v, this.pos);
          this.pos += 8;
        } else {
          this.ensure(1);
          this.buf[this.pos++] = T_BIG;
          this.string(v.toString());
        }
        return;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? T_TRUE : T_FALSE;
        return;
      case 'undefined':
        this.ensure(1);
        this.buf[this.pos++] = T_UNDEF;
        return;
      case 'object':
        if (v === null) {
          this.ensure(1);
          this.buf[this.pos++] = T_NULL;
        } else if (Array.isArray(v)) {
          this.ensure(1);
          this.buf[this.pos++] = T_ARR;
          this.varint(v.length);
          for (let i = 0; i < v.length; i++) this.value(v[i]);
        } else {
          const keys = Object.keys(v);
          this.ensure(1);
          this.buf[this.pos++] = T_OBJ;
          this.varint(keys.length);
          for (const k of keys) {
            this.string(k);
            this.value((v as Record<string, unknown>)[k]);
          }
        }
        return;
      default:
        throw new TypeError(`cannot encode a ${typeof v} in a cluster message`);
    }
  }
}

/** Encodes a plain value (functions and symbols are TypeErrors: programming mistakes). */
export function encodeValue(value: unknown): Buffer {
  const w = new Writer();
  w.value(value);
  return w.buf.subarray(0, w.pos);
}

function invalid(message: string): TesseraError {
  return new TesseraError('ERR_CLUSTER_FRAME_INVALID', `invalid value encoding: ${message}`, { details: { reason: 'body' } });
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw invalid('truncated');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
      if (shift > 28) throw invalid('varint too long');
    }
  }

  string(): string {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.buf.length) throw invalid('truncated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }

  fixed(n: number): void {
    if (this.pos + n > this.buf.length) throw invalid('truncated');
  }

  value(depth: number): unknown {
    if (this.pos >= this.buf.length) throw invalid('truncated');
    const tag = this.buf[this.pos++];
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_UNDEF:
        return undefined;
      case T_I32: {
        this.fixed(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return v;
      }
      case T_F64: {
        this.fixed(8);
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_I64: {
        this.fixed(8);
        const v = this.buf.readBigInt64LE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_BIG: {
        const s = this.string();
        if (!/^-?\d+$/.test(s)) throw invalid('bad bigint');
        return BigInt(s);
      }
      case T_STR:
        return this.string();
      case T_ARR: {
        if (depth >= MAX_VALUE_DEPTH) throw invalid('nested too deeply');
        const n = this.varint();
        // Every item takes at least one byte: a larger count is a lie, refused before allocating.
        if (n > this.buf.length - this.pos) throw invalid('array count exceeds body');
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
        return out;
      }
      case T_OBJ: {
        if (depth >= MAX_VALUE_DEPTH) throw invalid('nested too deeply');
        const n = this.varint();
        if (n > this.buf.length - this.pos) throw invalid('object size exceeds body');
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.string();
          const v = this.value(depth + 1);
          if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          else out[k] = v;
        }
        return out;
      }
      default:
        throw invalid(`unknown tag ${tag}`);
    }
  }
}

/** Decodes a value; malformed or trailing bytes are ERR_CLUSTER_FRAME_INVALID. */
export function decodeValue(buf: Buffer): unknown {
  const r = new Reader(buf);
  const v = r.value(0);
  if (r.pos !== buf.length) throw invalid('trailing bytes');
  return v;
}
