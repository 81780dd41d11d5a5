import { MAX_TIME, MIN_TIME } from '../../model/point.js';
import { TesseraError } from '../../errors.js';
import { isTimeRef, type BinaryExpr, type Expr } from '../ast.js';

/** Inclusive time bounds; `hasMin`/`hasMax` tell whether the query gave them. */
export interface TimeRange {
  tmin: bigint;
  tmax: bigint;
  hasMin: boolean;
  hasMax: boolean;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses InfluxQL time strings: RFC3339 (with nanoseconds) and `YYYY-MM-DD[ HH:MM:SS[.nnn]]` (UTC). */
export function parseTimeString(s: string): bigint {
  const m = RFC3339.exec(s.trim());
  if (m === null) throw new TesseraError('ERR_QUERY_EXECUTION', `invalid time string: ${s}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1n : 1n;
    const mins = BigInt(Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
    ns -= sign * mins * 60_000_000_000n;
  }
  return ns;
}

/** The value of a time expression (literal, string, now(), +/- durations), or null when not a time. */
export function evalTime(e: Expr, nowNs: bigint): bigint | null {
  switch (e.kind) {
    case 'ParenExpr':
      return evalTime(e.expr, nowNs);
    case 'StringLiteral':
      return parseTimeString(e.value);
    case 'IntegerLiteral':
    case 'DurationLiteral':
    case 'TimeLiteral':
      return e.value;
    case 'NumberLiteral':
      return BigInt(Math.trunc(e.value));
    case 'Call':
      return e.name === 'now' ? nowNs : null;
    case 'BinaryExpr': {
      if (e.op !== '+' && e.op !== '-') return null;
      const l = evalTime(e.lhs, nowNs);
      const r = evalTime(e.rhs, nowNs);
      if (l === null || r === null) return null;
      return e.op === '+' ? l + r : l - r;
    }
    default:
      return null;
  }
}

const TRUE: Expr = { kind: 'BooleanLiteral', value: true };

function flip(op: string): string {
  switch (op) {
    case '<':
      return '>';
    case '<=':
      return '>=';
    case '>':
      return '<';
    case '>=':
      return '<=';
    default:
      return op;
  }
}

/**
 * Splits a WHERE clause into its time range and the rest. As InfluxDB 1.x does, every time
 * comparison anywhere in the tree narrows the one global range and is replaced by `true`.
 */
export function extractTimeRange(cond: Expr | null, nowNs: bigint): { range: TimeRange; rest: Expr | null } {
  const range: TimeRange = { tmin: MIN_TIME, tmax: MAX_TIME, hasMin: false, hasMax: false };
  const visit = (e: Expr): Expr => {
    switch (e.kind) {
      case 'ParenExpr': {
        const inner = visit(e.expr);
        return inner === TRUE ? TRUE : { ...e, expr: inner };
      }
      case 'BinaryExpr': {
        if (e.op === 'AND' || e.op === 'OR') {
          const l = visit(e.lhs);
          const r = visit(e.rhs);
          if (e.op === 'AND') {
            if (l === TRUE) return r;
            if (r === TRUE) return l;
          } else if (l === TRUE || r === TRUE) return TRUE;
          return { ...e, lhs: l, rhs: r } as BinaryExpr;
        }
        let op: string = e.op;
        let other: Expr | null = null;
        if (isTimeRef(e.lhs)) other = e.rhs;
        else if (isTimeRef(e.rhs)) {
          other = e.lhs;
          op = flip(op);
        }
        if (other === null) return e;
        const t = evalTime(other, nowNs);
        if (t === null) throw new TesseraError('ERR_QUERY_EXECUTION', 'invalid operation: time and *influxql.StringLiteral are not compatible');
        switch (op) {
          case '>':
            narrowMin(range, t + 1n);
            break;
          case '>=':
            narrowMin(range, t);
            break;
          case '<':
            narrowMax(range, t - 1n);
            break;
          case '<=':
            narrowMax(range, t);
            break;
          case '=':
            narrowMin(range, t);
            narrowMax(range, t);
            break;
          default:
            throw new TesseraError('ERR_QUERY_EXECUTION', `invalid time comparison operator: ${op}`);
        }
        return TRUE;
      }
      default:
        return e;
    }
  };
  if (cond === null) return { range, rest: null };
  const rest = visit(cond);
  return { range, rest: rest === TRUE ? null : rest };
}

function narrowMin(r: TimeRange, t: bigint): void {
  if (!r.hasMin || t > r.tmin) r.tmin = t;
  r.hasMin = true;
}

function narrowMax(r: TimeRange, t: bigint): void {
  if (!r.hasMax || t < r.tmax) r.tmax = t;
  r.hasMax = true;
}
