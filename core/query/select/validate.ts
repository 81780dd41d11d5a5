import { TesseraError } from '../../errors.js';
import { unparen, walkExpr, type Call, type Expr } from '../ast.js';
import type { Column, SourceSchema } from './columns.js';
import { TRANSFORMS } from './functions.js';
import { MATH_FUNCTIONS } from './math.js';

const ONE_ARG = new Set(['count', 'sum', 'mean', 'median', 'mode', 'spread', 'stddev', 'min', 'max', 'first', 'last', 'distinct', 'difference', 'non_negative_difference', 'cumulative_sum']);
const ONE_OR_TWO = new Set(['derivative', 'non_negative_derivative', 'elapsed', 'integral']);
const EXACTLY_TWO = new Set(['percentile', 'sample', 'moving_average']);
/** Functions refusing string fields (and boolean ones, except min/max). */
const NUMERIC = new Set(['mean', 'sum', 'median', 'stddev', 'spread', 'integral', 'percentile', 'top', 'bottom', 'derivative', 'non_negative_derivative', 'difference', 'non_negative_difference', 'cumulative_sum', 'moving_average']);
const ITERATOR_NAME: Record<string, string> = {
  non_negative_derivative: 'derivative',
  non_negative_difference: 'difference',
  cumulative_sum: 'cumulative sum',
  moving_average: 'moving average',
};

function err(msg: string): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', msg);
}

function checkCall(c: Call, schema: SourceSchema, interval: bigint, nested: boolean): void {
  const n = c.args.length;
  const name = c.name;
  const mathArity = MATH_FUNCTIONS.get(name);
  if (mathArity !== undefined) {
    if (n !== mathArity) throw err(`invalid number of arguments for ${name}, expected ${mathArity}, got ${n}`);
    return;
  }
  if (ONE_ARG.has(name) && n !== 1) throw err(`invalid number of arguments for ${name}, expected 1, got ${n}`);
  if (EXACTLY_TWO.has(name) && n !== 2) throw err(`invalid number of arguments for ${name}, expected 2, got ${n}`);
  if (ONE_OR_TWO.has(name) && (n < 1 || n > 2)) throw err(`invalid number of arguments for ${name}, expected at least 1 but no more than 2, got ${n}`);
  if ((name === 'top' || name === 'bottom') && n < 2) throw err(`invalid number of arguments for ${name}, expected at least 2, got ${n}`);
  if (name === 'top' || name === 'bottom') {
    const last = unparen(c.args[n - 1] as Expr);
    if (last.kind === 'NumberLiteral') throw err(`expected integer as last argument in ${name}(), found ${last.value.toFixed(3)}`);
    if (last.kind !== 'IntegerLiteral') throw err(`expected integer as last argument in ${name}()`);
    if (last.value < 1n) throw err(`limit (${last.value}) in ${name} function must be at least 1`);
  }
  if (name === 'percentile') {
    const a = unparen(c.args[1] as Expr);
    if (a.kind !== 'NumberLiteral' && a.kind !== 'IntegerLiteral') throw err('expected float argument in percentile()');
  }
  if (name === 'sample') {
    const a = unparen(c.args[1] as Expr);
    if (a.kind !== 'IntegerLiteral') throw err('expected integer argument in sample()');
    if (a.value < 1n) throw err(`sample window must be greater than 1, got ${a.value}`);
  }
  if (name === 'moving_average') {
    const a = unparen(c.args[1] as Expr);
    if (a.kind !== 'IntegerLiteral') throw err('second argument for moving_average must be an integer');
    if (a.value <= 1n) throw err(`moving_average window must be greater than 1, got ${a.value}`);
  }
  const a0 = c.args[0] === undefined ? null : unparen(c.args[0]);
  if (TRANSFORMS.has(name)) {
    const inner = a0 !== null && a0.kind === 'Call';
    if (interval > 0n && !inner) throw err(`aggregate function required inside the call to ${name}`);
    if (inner && interval === 0n) throw err(`${name} aggregate requires a GROUP BY interval`);
  }
  if (a0 !== null && a0.kind === 'VarRef') {
    const t = a0.dataType === 'integer' || a0.dataType === 'float' ? a0.dataType : schema.fields.get(a0.name);
    const bad = t === 'string' || (t === 'boolean' && name !== 'min' && name !== 'max');
    if ((NUMERIC.has(name) || ((name === 'min' || name === 'max') && t === 'string')) && bad) {
      throw err(`unsupported ${ITERATOR_NAME[name] ?? name} iterator type: *query.${t}InterruptIterator`);
    }
  }
  void nested;
}

/** Checks calls as InfluxDB's compiler does (argument counts, literal arguments, field types), with its messages. */
export function validateCalls(cols: readonly Column[], schema: SourceSchema, interval: bigint): void {
  for (const col of cols) {
    walkExpr(col.expr, (e) => {
      if (e.kind === 'Call') checkCall(e, schema, interval, false);
    });
  }
  for (const col of cols) {
    let variable = false;
    walkExpr(col.expr, (e) => {
      if (e.kind === 'VarRef' || e.kind === 'Wildcard' || e.kind === 'RegexLiteral' || e.kind === 'Distinct') variable = true;
    });
    if (!variable) throw err('field must contain at least one variable');
  }
}
