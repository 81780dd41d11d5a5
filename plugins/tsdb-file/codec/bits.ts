/**
 * Bit-level writer and reader, most significant bit first. Values up to 53 bits are written in at most
 * two 32-bit steps so that callers can pass plain JS numbers (no BigInt on the hot path).
 */

const TWO32 = 0x1_0000_0000;

/**
 * Appends bits to a growable, zero-filled byte buffer by OR-ing them in at a bit position, so a write
 * of up to 24 bits is four byte ORs. Hot loops may reserve room and write with {@link putBits} on
 * the raw buffer, then commit the new position.
 */
export class BitWriter {
  private buf: Uint8Array;
  private pos = 0; // bits written

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Makes room for `bits` more bits (plus the 4-byte slack putBits needs); returns the buffer. */
  reserve(bits: number): Uint8Array {
    const need = ((this.pos + bits) >>> 3) + 8;
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, (this.pos >>> 3) + 1));
      this.buf = next;
    }
    return this.buf;
  }

  /** The current position in bits (for putBits). */
  get position(): number {
    return this.pos;
  }

  /** Sets the position after writing with putBits into the reserved buffer. */
  commit(bitPos: number): void {
    this.pos = bitPos;
  }

  /** Writes the low `n` bits (0..32) of `value`. */
  write32(value: number, n: number): void {
    if (n === 0) return;
    const b = this.reserve(n);
    let p = this.pos;
    if (n > 24) {
      p = putBits(b, p, (value >>> 24) & ((1 << (n - 24)) - 1), n - 24);
      n = 24;
    }
    this.pos = putBits(b, p, value & ((1 << n) - 1), n);
  }

  /** Writes the low `n` bits (0..53) of a non-negative integer `value`. */
  write(value: number, n: number): void {
    if (n <= 32) {
      this.write32(n === 32 ? value >>> 0 : value % TWO32 >>> 0, n);
      return;
    }
    const hi = Math.floor(value / TWO32);
    this.write32(hi >>> 0, n - 32);
    this.write32(value % TWO32 >>> 0, 32);
  }

  /** Writes one bit. */
  bit(b: boolean | number): void {
    this.write32(b ? 1 : 0, 1);
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.pos;
  }

  /** The bytes written, last byte zero-padded. */
  finish(): Uint8Array {
    return this.buf.subarray(0, (this.pos + 7) >>> 3);
  }
}

/**
 * ORs `v` (exactly `n` bits, 1..24, no higher bits set) into zero-filled `b` at bit position `p`, most
 * significant bit first; returns p + n. `b` must have 4 bytes of room past the position's byte.
 */
export function putBits(b: Uint8Array, p: number, v: number, n: number): number {
  const q = p >>> 3;
  const w = v << (32 - (p & 7) - n);
  b[q] = b[q]! | (w >>> 24);
  b[q + 1] = b[q + 1]! | ((w >>> 16) & 0xff);
  b[q + 2] = b[q + 2]! | ((w >>> 8) & 0xff);
  b[q + 3] = b[q + 3]! | (w & 0xff);
  return p + n;
}

/**
 * Reads bits written by BitWriter. Reading past the end yields zero bits (callers bound by counts).
 * Keeps a bit position and assembles 32-bit big-endian windows, so a read of up to 25 bits is a few
 * array loads and shifts.
 */
export class BitReader {
  private bitPos: number;
  private readonly endBit: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.bitPos = start * 8;
    this.endBit = end * 8;
  }

  /** The next `n` (1..25) bits without consuming them. */
  peek(n: number): number {
    const p = this.bitPos;
    const i = p >>> 3;
    const b = this.buf;
    const w = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    // bytes past the end read as undefined, which the shifts turn into 0
    return ((w << (p & 7)) >>> 0) >>> (32 - n);
  }

  /** Consumes `n` bits. */
  skip(n: number): void {
    this.bitPos += n;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  read32(n: number): number {
    if (n === 0) return 0;
    if (n <= 25) {
      const v = this.peek(n);
      this.bitPos += n;
      return v;
    }
    const hi = this.peek(n - 16);
    this.bitPos += n - 16;
    const lo = this.peek(16);
    this.bitPos += 16;
    return hi * 65536 + lo;
  }

  /** Reads `n` bits (0..53) as a non-negative number. */
  read(n: number): number {
    if (n <= 25) return this.read32(n);
    if (n <= 50) {
      const k = n - 25;
      const hi = this.peek(k);
      this.bitPos += k;
      const lo = this.peek(25);
      this.bitPos += 25;
      return hi * 33554432 + lo;
    }
    const hi = this.read32(n - 32);
    return hi * TWO32 + this.read32(32);
  }

  /** Reads one bit. */
  bit(): number {
    const p = this.bitPos++;
    return ((this.buf[p >>> 3] ?? 0) >>> (7 - (p & 7))) & 1;
  }

  /** The current position, in bits from the start of the buffer. */
  get bitPosition(): number {
    return this.bitPos;
  }

  /** Moves to a bit position (as returned by bitPosition). */
  seek(bitPos: number): void {
    this.bitPos = bitPos;
  }

  /** True when more bits were requested than the input held. */
  get overrun(): boolean {
    return this.bitPos > this.endBit;
  }
}
