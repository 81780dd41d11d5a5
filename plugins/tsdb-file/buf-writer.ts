// Scratch for 64-bit integers: a typed-array store converts a BigInt natively, where
// Buffer#writeBigInt64LE does it with BigInt shifts.
const scratch64 = new BigInt64Array(1);
const scratchBytes = new Uint8Array(scratch64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A growable little-endian byte writer for WAL records and segment indexes. */
export class BufWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** Unsigned LEB128 of a bigint in [0, 2^64). */
  uvarint64(v: bigint): void {
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** Zig-zag LEB128 of a signed 64-bit bigint. */
  varint64(v: bigint): void {
    this.uvarint64(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }

  i64(v: bigint): void {
    this.ensure(8);
    if (LITTLE_ENDIAN) {
      scratch64[0] = v;
      this.buf.set(scratchBytes, this.pos);
    } else {
      this.buf.writeBigInt64LE(v, this.pos);
    }
    this.pos += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** varint byte length + UTF-8 bytes. */
  str(s: string): void {
    const max = s.length * 3;
    this.ensure(max + 5);
    if (max < 0x80) {
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written (a view). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** A little-endian reader over a Buffer; throws RangeError past the end. */
export class BufReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  /** Reads an unsigned LEB128 bigint. */
  uvarint64(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
      if (shift > 63n) throw new RangeError('varint too long');
    }
  }

  /** Reads a zig-zag LEB128 bigint. */
  varint64(): bigint {
    const z = this.uvarint64();
    return z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
  }

  i64(): bigint {
    this.need(8);
    let v: bigint;
    if (LITTLE_ENDIAN) {
      const b = this.buf;
      const p = this.pos;
      for (let i = 0; i < 8; i++) scratchBytes[i] = b[p + i]!;
      v = scratch64[0]!;
    } else {
      v = this.buf.readBigInt64LE(this.pos);
    }
    this.pos += 8;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
