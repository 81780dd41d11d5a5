// Correctly rounded decimal -> double for plain decimals of 16 or 17 significant digits (the shortest
// round-trip form of most doubles), without building a string: the digits are held exactly as a double
// plus a small integer, divided by an exact power of ten, and the quotient is checked (and nudged by one
// ulp) against the exact residual computed with Dekker's error-free product. Undecidable cases (within
// rounding noise of a midpoint) give NaN, and the caller falls back to Number(text).

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
  1e19, 1e20, 1e21, 1e22];
const SPLITTER = 134217729; // 2^27 + 1

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// index of the high word in u32 (platform endianness)
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Distance from positive finite q to the next larger double. */
function ulpUp(q: number): number {
  f64[0] = q;
  if (u32[LO] === 0xffffffff) {
    u32[LO] = 0;
    u32[HI] = u32[HI]! + 1;
  } else {
    u32[LO] = u32[LO]! + 1;
  }
  return f64[0]! - q;
}

/** The next smaller double below positive normal q. */
function nextDown(q: number): number {
  f64[0] = q;
  if (u32[LO] === 0) {
    u32[LO] = 0xffffffff;
    u32[HI] = u32[HI]! - 1;
  } else {
    u32[LO] = u32[LO]! - 1;
  }
  return f64[0]!;
}

// error-free product a*b = prodHi + prodLo (Dekker), results in these slots
let prodLo = 0;
function twoProduct(a: number, b: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  prodLo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}

/**
 * Signed residual (P + E) - q*p, where P + E is the exact digit integer and p an exact power of ten: P - H
 * is exact (Sterbenz), only E - L and the sum round, far below the half-gap it is compared with.
 */
function residual(P: number, E: number, q: number, p: number): number {
  const H = twoProduct(q, p);
  const L = prodLo;
  return (P - H) + (E - L);
}

/**
 * The double nearest to the decimal in buf[s, e) when it is `[-]digits.digits` (or `[-]digits`) with at
 * most 17 significant digits and at most 22 after the dot; NaN when the text has another shape or the
 * rounding cannot be decided cheaply.
 */
export function parseDecimal17(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  const neg = buf[i] === 0x2d;
  if (neg) i++;
  // skip leading zeros (of the integer part and, after a `0.`, of the fraction)
  let hi = 0;
  let lo = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  let loDigits = 0;
  const first = i;
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c === 0x2e) {
      if (dot) return Number.NaN;
      dot = true;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    if (dot) frac++;
    if (digits === 0 && d === 0) continue;
    digits++;
    if (digits <= 15) hi = hi * 10 + d;
    else {
      lo = lo * 10 + d;
      loDigits++;
    }
  }
  if (digits > 17 || frac > 22 || i - first === (dot ? 1 : 0)) return Number.NaN;
  if (digits === 0) return neg ? -0 : 0;
  const p = POW10[frac]!;
  let v: number;
  if (loDigits === 0) {
    v = hi / p; // exact operands, one rounding
  } else {
    // m = hi * 10^loDigits + lo = P + E exactly (P a double, E a small integer)
    const P = twoProduct(hi, POW10[loDigits]!);
    const E = prodLo + lo;
    let q = (P + E) / p;
    // q is the nearest double iff the exact residual M - q*p lies within half a gap (times p) on each
    // side; otherwise step one double towards it (at most twice); near a midpoint: undecided
    for (let step = 0; ; step++) {
      const r = residual(P, E, q, p);
      const gap = r >= 0 ? ulpUp(q) : q - nextDown(q);
      const half = (gap / 2) * p; // exact: a power of two times an exact power of ten
      const a = Math.abs(r);
      if (a < half * (1 - 1e-9)) break;
      if (a <= half * (1 + 1e-9) || step === 2) return Number.NaN;
      q = r > 0 ? q + gap : q - gap;
    }
    v = q;
  }
  return neg ? -v : v;
}
