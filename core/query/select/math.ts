/**
 * InfluxQL's math functions (InfluxDB 1.6): row-wise scalar functions usable on fields, on aggregates
 * and in WHERE. As 1.6.7: integers go through floats (abs, floor, ceil and round return an integer
 * argument unchanged), strings and booleans give null, and a NaN result is null.
 */
import type { Value } from '../result.js';

/** Number of arguments of each math function. */
export const MATH_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ['abs', 1], ['sin', 1], ['cos', 1], ['tan', 1], ['asin', 1], ['acos', 1], ['atan', 1], ['atan2', 2],
  ['exp', 1], ['log', 2], ['ln', 1], ['log2', 1], ['log10', 1], ['sqrt', 1], ['pow', 2],
  ['floor', 1], ['ceil', 1], ['round', 1],
]);

/** True for a math function name. */
export function isMathFunction(name: string): boolean {
  return MATH_FUNCTIONS.has(name);
}

function num(v: Value): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** log2 as Go computes it (exact for powers of two: from the exponent and the fraction's log). */
function goLog2(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log2(x);
  // x = frac * 2^exp with frac in [0.5, 1)
  let exp = 0;
  let v = x;
  if (v < 2.2250738585072014e-308) {
    v *= 2 ** 52; // subnormal: normalize first
    exp -= 52;
  }
  f64[0] = v;
  exp += ((u32[HI]! >>> 20) & 0x7ff) - 1022;
  u32[HI] = (u32[HI]! & 0x800fffff) | (1022 << 20);
  const frac = f64[0]!;
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * Math.LOG2E + exp; // Go: Log(frac) * (1/Ln2) with 1/Ln2 rounded once
}

const UNARY: Readonly<Record<string, (x: number) => number>> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  exp: Math.exp, ln: Math.log, log2: goLog2, log10: (x) => Math.log(x) * Math.LOG10E, sqrt: Math.sqrt,
};

/** Applies a math function to evaluated arguments (arity already checked). */
export function callMath(name: string, args: readonly Value[]): Value {
  const a = args[0] ?? null;
  let r: number;
  switch (name) {
    case 'abs':
    case 'floor':
    case 'ceil':
    case 'round': {
      if (typeof a === 'bigint') return a;
      if (typeof a !== 'number') return null;
      r = name === 'abs' ? Math.abs(a) : name === 'floor' ? Math.floor(a) : name === 'ceil' ? Math.ceil(a) : goRound(a);
      break;
    }
    case 'log':
    case 'pow':
    case 'atan2': {
      const x = num(a);
      const y = num(args[1] ?? null);
      if (x === null || y === null) return null;
      r = name === 'log' ? Math.log(x) / Math.log(y) : name === 'pow' ? Math.pow(x, y) : Math.atan2(x, y);
      break;
    }
    default: {
      const x = num(a);
      const f = UNARY[name];
      if (x === null || f === undefined) return null;
      r = f(x);
    }
  }
  return Number.isNaN(r) ? null : r;
}
