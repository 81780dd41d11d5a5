/**
 * Bit-level writer and reader, most significant bit first. Values up to 53 bits are written in at most
 * two 32-bit steps so that callers can pass plain JS numbers (no BigInt on the hot path).
 */

const TWO32 = 0x1_0000_0000;

/** Appends bits to a growable byte buffer. */
export class BitWriter {
  private buf: Uint8Array;
  private pos = 0; // bytes fully written
  private acc = 0; // pending bits, right-aligned
  private nacc = 0; // number of pending bits (< 8 between calls)

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes the low `n` bits (0..32) of `value`. */
  write32(value: number, n: number): void {
    if (n === 0) return;
    this.ensure(5);
    let acc = this.acc;
    let nacc = this.nacc;
    // Push in up to 24-bit chunks so the accumulator never exceeds 31 bits.
    while (n > 0) {
      const take = n > 24 ? 24 : n;
      n -= take;
      const chunk = (value >>> n) & ((1 << take) - 1);
      acc = (acc << take) | chunk;
      nacc += take;
      while (nacc >= 8) {
        nacc -= 8;
        this.buf[this.pos++] = (acc >>> nacc) & 0xff;
      }
      acc &= (1 << nacc) - 1;
    }
    this.acc = acc;
    this.nacc = nacc;
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
    return this.pos * 8 + this.nacc;
  }

  /** The bytes written, last byte zero-padded. */
  finish(): Uint8Array {
    if (this.nacc > 0) {
      this.ensure(1);
      this.buf[this.pos++] = (this.acc << (8 - this.nacc)) & 0xff;
      this.acc = 0;
      this.nacc = 0;
    }
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads bits written by BitWriter. Reading past the end yields zero bits (callers bound by counts). */
export class BitReader {
  private pos: number; // next byte
  private acc = 0;
  private nacc = 0;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  read32(n: number): number {
    if (n === 0) return 0;
    let out = 0;
    let need = n;
    while (need > 0) {
      if (this.nacc === 0) {
        this.acc = this.pos < this.end ? this.buf[this.pos]! : 0;
        this.pos++;
        this.nacc = 8;
      }
      const take = need < this.nacc ? need : this.nacc;
      this.nacc -= take;
      const chunk = (this.acc >>> this.nacc) & ((1 << take) - 1);
      out = out * (1 << take) + chunk;
      need -= take;
    }
    return out;
  }

  /** Reads `n` bits (0..53) as a non-negative number. */
  read(n: number): number {
    if (n <= 32) return this.read32(n);
    const hi = this.read32(n - 32);
    return hi * TWO32 + this.read32(32);
  }

  /** Reads one bit. */
  bit(): number {
    if (this.nacc === 0) {
      this.acc = this.pos < this.end ? this.buf[this.pos]! : 0;
      this.pos++;
      this.nacc = 8;
    }
    this.nacc--;
    return (this.acc >>> this.nacc) & 1;
  }

  /** True when more bits were requested than the input held. */
  get overrun(): boolean {
    return this.pos > this.end;
  }
}
