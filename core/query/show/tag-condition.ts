import { TesseraError } from '../../errors.js';
import { unparen, walkExpr, type Expr } from '../ast.js';
import { compileRegex } from '../parser-regex.js';

const regexCache = new Map<string, RegExp>();

/** A cached JS RegExp for an InfluxQL pattern. */
export function regexFor(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = compileRegex(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/**
 * Checks a (time-free) SHOW/DELETE condition as InfluxDB's series iterators do: only `= != =~ !~`
 * comparisons joined by AND/OR are allowed (`invalid tag comparison operator` otherwise).
 */
export function validateTagCondition(cond: Expr | null): void {
  walkExpr(cond, (e) => {
    if (e.kind === 'BinaryExpr' && !['=', '!=', '=~', '!~', 'AND', 'OR'].includes(e.op)) {
      throw new TesseraError('ERR_QUERY_EXECUTION', 'invalid tag comparison operator');
    }
  });
  const top = cond === null ? null : unparen(cond);
  if (top !== null && top.kind === 'VarRef') {
    throw new TesseraError('ERR_QUERY_EXECUTION', `invalid condition expression: ${top.name}`);
  }
}

/** What a condition sees of one series. */
export interface SeriesView {
  readonly measurement: string;
  /** Tag value by key ('' when absent). */
  tag(key: string): string;
  /** True when `name` is a field (not a tag) of the measurement. */
  isField(name: string): boolean;
}

/**
 * Does a series satisfy a tag condition (InfluxDB's index semantics): a missing tag compares as '',
 * comparisons on fields or with non-string operands do not filter (true), `_name` is the measurement,
 * tag-to-tag `=` needs both tags present and equal. A literal on the left is read as on the right.
 */
export function seriesMatches(cond: Expr | null, s: SeriesView): boolean {
  if (cond === null) return true;
  const e = unparen(cond);
  switch (e.kind) {
    case 'BooleanLiteral':
      return e.value;
    case 'BinaryExpr': {
      if (e.op === 'AND') return seriesMatches(e.lhs, s) && seriesMatches(e.rhs, s);
      if (e.op === 'OR') return seriesMatches(e.lhs, s) || seriesMatches(e.rhs, s);
      let lhs = unparen(e.lhs);
      let rhs = unparen(e.rhs);
      if (lhs.kind === 'BinaryExpr' || rhs.kind === 'BinaryExpr') return true;
      if (lhs.kind !== 'VarRef') {
        if (rhs.kind !== 'VarRef') return true;
        [lhs, rhs] = [rhs, lhs];
      }
      if (lhs.kind !== 'VarRef') return true;
      const key = lhs.name;
      // A `::field`/typed reference, or an untyped one naming a field, is a field comparison.
      const fieldRef = (name: string, dataType: string): boolean =>
        name !== '_name' && ((dataType === '' && s.isField(name)) || (dataType !== '' && dataType !== 'tag'));
      if (fieldRef(key, lhs.dataType)) return true;
      const value = key === '_name' ? s.measurement : s.tag(key);
      switch (rhs.kind) {
        case 'StringLiteral':
          if (e.op === '=') return value === rhs.value;
          if (e.op === '!=') return value !== rhs.value;
          return true;
        case 'RegexLiteral': {
          const m = regexFor(rhs.pattern).test(value);
          if (e.op === '=~') return m;
          if (e.op === '!~') return !m;
          return true;
        }
        case 'VarRef': {
          if (fieldRef(rhs.name, rhs.dataType)) return true;
          const other = s.tag(rhs.name);
          const same = value !== '' && other !== '' && value === other;
          if (e.op === '=') return same;
          if (e.op === '!=') return !same;
          return true;
        }
        default:
          return true;
      }
    }
    default:
      return true;
  }
}
