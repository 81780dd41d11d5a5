import { MAX_TIME, MIN_TIME } from '../../model/point.js';
import { isTimeRef, unparen, type Expr } from '../ast.js';

/** An inclusive time range in ns. */
export interface TimeRange {
  min: bigint;
  max: bigint;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses InfluxQL time strings (RFC3339 with optional fraction, or a bare date) to ns; undefined when invalid. */
export function parseTimeString(s: string): bigint | undefined {
  const m = RFC3339.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * 1_000_000n + BigInt((frac + '000000000').slice(0, 9));
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const offMin = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * offMin * 60_000_000_000n;
  }
  return ns;
}

/** The value of a time operand in ns: string, integer (ns), duration, number, now() and +/- arithmetic. */
export function timeValue(e: Expr, nowNs: bigint): bigint | undefined {
  e = unparen(e);
  switch (e.kind) {
    case 'StringLiteral':
      return parseTimeString(e.value);
    case 'IntegerLiteral':
    case 'DurationLiteral':
    case 'TimeLiteral':
      return e.value;
    case 'NumberLiteral':
      return BigInt(Math.trunc(e.value));
    case 'Call':
      return e.name === 'now' ? nowNs : undefined;
    case 'BinaryExpr': {
      const l = timeValue(e.lhs, nowNs);
      const r = timeValue(e.rhs, nowNs);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === '+') return l + r;
      if (e.op === '-') return l - r;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** True when the expression mentions `time`. */
export function hasTimeRef(e: Expr | null): boolean {
  if (e === null) return false;
  e = unparen(e);
  if (isTimeRef(e)) return true;
  if (e.kind === 'BinaryExpr') return hasTimeRef(e.lhs) || hasTimeRef(e.rhs);
  return false;
}

/**
 * Splits a WHERE clause into its time range and the rest, as InfluxDB's ConditionExpr does: time
 * comparisons are removed (an AND/OR with a removed side becomes its other side) and narrow the range.
 */
export function splitTimeCondition(cond: Expr | null, nowNs: bigint): { range: TimeRange; rest: Expr | null } {
  const range: TimeRange = { min: MIN_TIME, max: MAX_TIME };
  const walk = (e: Expr): Expr | null => {
    const inner = unparen(e);
    if (inner.kind !== 'BinaryExpr') return e;
    if (inner.op === 'AND' || inner.op === 'OR') {
      const l = walk(inner.lhs);
      const r = walk(inner.rhs);
      if (l === null) return r;
      if (r === null) return l;
      if (l === inner.lhs && r === inner.rhs) return e;
      return { ...inner, lhs: l, rhs: r };
    }
    let op = inner.op;
    let other: Expr;
    if (isTimeRef(unparen(inner.lhs))) other = inner.rhs;
    else if (isTimeRef(unparen(inner.rhs))) {
      other = inner.lhs;
      op = op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
    } else return e;
    const v = timeValue(other, nowNs);
    if (v !== undefined) {
      if ((op === '>' || op === '>=' || op === '=') && (op === '>' ? v + 1n : v) > range.min) range.min = op === '>' ? v + 1n : v;
      if ((op === '<' || op === '<=' || op === '=') && (op === '<' ? v - 1n : v) < range.max) range.max = op === '<' ? v - 1n : v;
    }
    return null;
  };
  const rest = cond === null ? null : walk(cond);
  return { range, rest };
}
