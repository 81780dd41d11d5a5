import type { BinaryOp, Expr } from '../ast.js';
import { compileRegex as compileRe2 } from '../parser-regex.js';
import type { Value } from '../result.js';
import { callMath, isMathFunction } from './math.js';

/**
 * Resolves a variable reference while evaluating. Returns `undefined` when the value is not known yet
 * (a field while pre-filtering series on their tags): the evaluation is then three-valued.
 */
export type Lookup = (name: string, dataType: string) => Value | undefined;

const regexCache = new Map<string, RegExp>();

/** A JS RegExp for an InfluxQL (RE2) pattern (the parser's translation); cached. Invalid ones match nothing. */
export function compileRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = compileRe2(pattern);
    } catch {
      re = /(?!)/;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function isNum(v: Value | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function compare(op: BinaryOp, a: Value, b: Value): boolean {
  if (isNum(a) && isNum(b)) {
    switch (op) {
      case '=':
        return a == b;
      case '!=':
        return a != b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      default:
        return false;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // InfluxDB 1.x compares strings for equality only; ordering comparisons match nothing.
    if (op === '=') return a === b;
    if (op === '!=') return a !== b;
    return false;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    if (op === '=') return a === b;
    if (op === '!=') return a !== b;
  }
  return false;
}

/** Arithmetic with InfluxDB's typing: int op int stays int (except `/`), anything with a float is float. */
export function applyMath(op: BinaryOp, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return BigInt.asIntN(64, a + b);
      case '-':
        return BigInt.asIntN(64, a - b);
      case '*':
        return BigInt.asIntN(64, a * b);
      case '/':
        return b === 0n ? 0 : Number(a) / Number(b);
      case '%':
        return b === 0n ? 0n : a % b;
      case '&':
        return a & b;
      case '|':
        return a | b;
      case '^':
        return a ^ b;
      default:
        return null;
    }
  }
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return y === 0 ? 0 : x / y;
      case '%':
        return y === 0 ? 0 : x % y;
      default:
        return null;
    }
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    if (op === '&') return a && b;
    if (op === '|') return a || b;
    if (op === '^') return a !== b;
  }
  if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
  return null;
}

/**
 * Evaluates an expression to a value. Comparisons and AND/OR give booleans; `undefined` means
 * "unknown" (some lookup was unknown and the result depends on it).
 */
export function evalExpr(e: Expr, get: Lookup): Value | undefined {
  switch (e.kind) {
    case 'VarRef':
      return get(e.name, e.dataType);
    case 'ParenExpr':
      return evalExpr(e.expr, get);
    case 'NumberLiteral':
    case 'IntegerLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
      return e.value;
    case 'UnsignedLiteral':
      return Number(e.value);
    case 'DurationLiteral':
    case 'TimeLiteral':
      return e.value;
    case 'NilLiteral':
      return null;
    case 'Call': {
      if (!isMathFunction(e.name)) return null;
      const args: Value[] = [];
      for (const a of e.args) {
        const v = evalExpr(a, get);
        if (v === undefined) return undefined;
        args.push(v);
      }
      return callMath(e.name, args);
    }
    case 'BinaryExpr': {
      if (e.op === 'AND' || e.op === 'OR') {
        const l = evalExpr(e.lhs, get);
        if (e.op === 'AND' && l === false) return false;
        if (e.op === 'OR' && l === true) return true;
        const r = evalExpr(e.rhs, get);
        if (e.op === 'AND') {
          if (r === false) return false;
          if (l === undefined || r === undefined) return undefined;
          return l === true && r === true;
        }
        if (r === true) return true;
        if (l === undefined || r === undefined) return undefined;
        return false;
      }
      if (e.op === '=~' || e.op === '!~') {
        const l = evalExpr(e.lhs, get);
        if (l === undefined) return undefined;
        const rx = e.rhs.kind === 'RegexLiteral' ? compileRegex(e.rhs.pattern) : null;
        if (rx === null || typeof l !== 'string') return false;
        const hit = rx.test(l);
        return e.op === '=~' ? hit : !hit;
      }
      const l = evalExpr(e.lhs, get);
      const r = evalExpr(e.rhs, get);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === '=' || e.op === '!=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') {
        if (l === null || r === null) return false;
        return compare(e.op, l, r);
      }
      return applyMath(e.op, l, r);
    }
    default:
      return null;
  }
}

/** True when the condition holds (unknown counts as a match: the caller re-checks with full data). */
export function mayMatch(cond: Expr | null, get: Lookup): boolean {
  if (cond === null) return true;
  const r = evalExpr(cond, get);
  return r === undefined || r === true;
}

/** True when the condition definitely holds. */
export function matches(cond: Expr | null, get: Lookup): boolean {
  if (cond === null) return true;
  return evalExpr(cond, get) === true;
}
