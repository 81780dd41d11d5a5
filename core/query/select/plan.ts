import { TesseraError } from '../../errors.js';
import type { FieldType } from '../../model/point.js';
import { rewriteExpr, unparen, walkExpr, type Call, type Expr } from '../ast.js';
import type { Column, SourceSchema } from './columns.js';
import { MERGEABLE, MULTI_ROW, RAW_AGGREGATES, SELECTORS, TRANSFORMS } from './functions.js';
import type { AggSpec, AuxRef } from './map-request.js';
import { isMathFunction } from './math.js';

/** One aggregate call of the query, bound to the partial it reads. */
export interface AggCallPlan {
  readonly fn: string;
  readonly field: string;
  readonly specIdx: number;
  /** percentile's p, top/bottom/sample's N, integral's unit (ns). */
  readonly arg: number;
  /** top/bottom tag arguments (their values lead the spec's aux). */
  readonly tagArgs: readonly string[];
}

/** An output column of an aggregate query. */
export interface AggColumn {
  readonly name: string;
  /** Expression over call results (calls replaced by VarRefs named `\u0000<i>`) and aux values. */
  readonly expr: Expr;
  readonly transform: { fn: string; unit: bigint; n: number } | null;
}

/** The plan of an aggregate SELECT. */
export interface AggPlan {
  readonly specs: AggSpec[];
  readonly calls: AggCallPlan[];
  readonly columns: AggColumn[];
  /** Aux values carried with the single selector (for plain VarRef columns), in spec.aux order after tags. */
  readonly auxRefs: AuxRef[];
  /** The one selector whose point time is the row time when there is no GROUP BY time, or -1. */
  readonly timeSelector: number;
  /** The multi-row call (top/bottom/distinct/sample), or -1. */
  readonly multiCall: number;
}

/** A raw column: an expression over row values (VarRefs resolved to the mapper's columns). */
export interface RawColumn {
  readonly name: string;
  readonly expr: Expr;
  readonly transform: { fn: string; unit: bigint; n: number } | null;
}

/** The plan of a raw SELECT. */
export interface RawPlan {
  readonly refs: AuxRef[];
  readonly columns: RawColumn[];
}

function err(msg: string): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', msg);
}

/** True when the column list uses any function (aggregate, selector, transformation). */
export function hasCalls(cols: readonly Column[]): boolean {
  let found = false;
  for (const c of cols) walkExpr(c.expr, (e) => {
    if (e.kind === 'Call' || e.kind === 'Distinct') found = true;
  });
  return found;
}

/** Resolves a name to a field or tag reference (a field wins unless cast to ::tag). */
export function refOf(name: string, dataType: string, schema: SourceSchema): AuxRef {
  if (dataType === 'tag') return { kind: 'tag', name };
  if (schema.fields.has(name)) return { kind: 'field', name };
  if (dataType !== 'field' && schema.tagKeys.has(name)) return { kind: 'tag', name };
  return { kind: 'field', name };
}

function numArg(e: Expr | undefined): number | null {
  if (e === undefined) return null;
  const u = unparen(e);
  if (u.kind === 'IntegerLiteral') return Number(u.value);
  if (u.kind === 'NumberLiteral') return u.value;
  return null;
}

function durArg(e: Expr | undefined, dflt: bigint): bigint {
  if (e === undefined) return dflt;
  const u = unparen(e);
  if (u.kind === 'DurationLiteral' || u.kind === 'IntegerLiteral') return u.value;
  return dflt;
}

function typeError(fn: string, t: FieldType | undefined): void {
  if (t === 'string' || t === 'boolean') {
    if (fn === 'mean' || fn === 'sum' || fn === 'median' || fn === 'stddev' || fn === 'spread' || fn === 'integral' || fn === 'percentile') {
      throw err(`unsupported ${fn} iterator type: *query.${t}InterruptIterator`);
    }
  }
}

/**
 * Replaces every outermost aggregate Call top-down (nested calls are the call's own business); math
 * functions are row-wise, so the calls inside them are replaced instead.
 */
function replaceCalls(e: Expr, fn: (c: Call) => Expr): Expr {
  switch (e.kind) {
    case 'Call':
      return isMathFunction(e.name) ? { ...e, args: e.args.map((a) => replaceCalls(a, fn)) } : fn(e);
    case 'ParenExpr':
      return { ...e, expr: replaceCalls(e.expr, fn) };
    case 'BinaryExpr':
      return { ...e, lhs: replaceCalls(e.lhs, fn), rhs: replaceCalls(e.rhs, fn) };
    default:
      return e;
  }
}

/** Plans an aggregate query. `interval` 0 = no GROUP BY time. */
export function planAggregate(cols: readonly Column[], schema: SourceSchema, interval: bigint): AggPlan {
  const specs: AggSpec[] = [];
  const calls: AggCallPlan[] = [];
  const columns: AggColumn[] = [];
  const auxRefs: AuxRef[] = [];
  const plainRefs: Array<{ col: number; ref: AuxRef }> = [];
  let multiCall = -1;

  const addCall = (c: Call): Expr => {
    let fn = c.name;
    let arg0 = c.args[0];
    if (arg0 !== undefined && fn === 'count' && unparen(arg0).kind === 'Call' && (unparen(arg0) as Call).name === 'distinct') {
      fn = 'count_distinct';
      arg0 = (unparen(arg0) as Call).args[0];
    }
    if (arg0 !== undefined && unparen(arg0).kind === 'Distinct' && fn === 'count') {
      fn = 'count_distinct';
    }
    if (!(fn in MERGEABLE) && !RAW_AGGREGATES.has(fn)) throw err(`undefined function ${c.name}()`);
    let field = '';
    if (arg0 !== undefined) {
      const a = unparen(arg0);
      if (a.kind === 'VarRef') field = a.name;
      else if (a.kind === 'Distinct') field = a.name;
      else throw err(`expected field argument in ${c.name}()`);
    }
    typeError(fn, schema.fields.get(field));
    let arg = 0;
    const tagArgs: string[] = [];
    if (fn === 'percentile') arg = numArg(c.args[1]) ?? 0;
    else if (fn === 'top' || fn === 'bottom' || fn === 'sample') {
      arg = numArg(c.args[c.args.length - 1]) ?? 1;
      for (const a of c.args.slice(1, -1)) {
        const u = unparen(a);
        if (u.kind === 'VarRef') tagArgs.push(u.name);
      }
    } else if (fn === 'integral') arg = Number(durArg(c.args[1], 1_000_000_000n));
    const op = MERGEABLE[fn] ?? 'raw';
    const aux: AuxRef[] = tagArgs.map((t) => ({ kind: 'tag', name: t }));
    const specIdx = specs.length;
    specs.push({ op, field, withTime: false, aux });
    if (MULTI_ROW.has(fn) && multiCall < 0) multiCall = calls.length; // the error names the first one
    calls.push({ fn, field, specIdx, arg, tagArgs });
    return { kind: 'VarRef', name: `\u0000${calls.length - 1}`, dataType: '' };
  };

  for (const col of cols) {
    const e = unparen(col.expr);
    if (e.kind === 'VarRef') {
      plainRefs.push({ col: columns.length, ref: refOf(e.name, e.dataType, schema) });
      columns.push({ name: col.name, expr: e, transform: null });
      continue;
    }
    let transform: AggColumn['transform'] = null;
    let body: Expr = col.expr;
    if (e.kind === 'Call' && TRANSFORMS.has(e.name)) {
      const inner = e.args[0];
      if (inner === undefined || unparen(inner).kind !== 'Call') throw err(`aggregate function required inside the call to ${e.name}`);
      const n = e.name === 'moving_average' ? (numArg(e.args[1]) ?? 1) : 0;
      const dflt = e.name === 'elapsed' ? 1n : interval > 0n ? interval : 1_000_000_000n;
      transform = { fn: e.name, unit: e.name === 'moving_average' || e.name.endsWith('difference') || e.name === 'cumulative_sum' ? 1n : durArg(e.args[1], dflt), n };
      body = inner;
    }
    const expr = replaceCalls(body, addCall);
    columns.push({ name: col.name, expr, transform });
    // top/bottom tag arguments become columns after the call's column.
    const last = calls[calls.length - 1];
    if (e.kind === 'Call' && (e.name === 'top' || e.name === 'bottom') && last !== undefined) {
      last.tagArgs.forEach((t, i) => {
        columns.push({ name: t, expr: { kind: 'VarRef', name: `\u0001${calls.length - 1}:${i}`, dataType: '' }, transform: null });
      });
    }
  }
  if (calls.length === 0) throw err('at least 1 non-time field must be queried');
  const selectorIdx = calls.length === 1 && SELECTORS.has((calls[0] as AggCallPlan).fn) ? 0 : -1;
  if (plainRefs.length > 0) {
    if (selectorIdx < 0) throw err('mixing aggregate and non-aggregate queries is not supported');
    const spec = specs[(calls[0] as AggCallPlan).specIdx] as AggSpec;
    const tagN = spec.aux.length;
    const aux = [...spec.aux];
    plainRefs.forEach((p, i) => {
      aux.push(p.ref);
      auxRefs.push(p.ref);
      columns[p.col] = { name: (columns[p.col] as AggColumn).name, expr: { kind: 'VarRef', name: `\u0001${0}:${tagN + i}`, dataType: '' }, transform: null };
    });
    specs[(calls[0] as AggCallPlan).specIdx] = { ...spec, aux };
  }
  if (selectorIdx === 0) {
    const spec = specs[0] as AggSpec;
    specs[0] = { ...spec, withTime: true };
  }
  if (multiCall >= 0 && calls.length > 1) {
    // As InfluxDB's compiler: top()/bottom() first (the first of them named), then distinct().
    const tb = calls.find((c) => c.fn === 'top' || c.fn === 'bottom');
    if (tb !== undefined) throw err(`selector function ${tb.fn}() cannot be combined with other functions`);
    if (calls.some((c) => c.fn === 'distinct')) throw err('aggregate function distinct() cannot be combined with other functions or fields');
    throw err(`selector function ${(calls[multiCall] as AggCallPlan).fn}() cannot be combined with other functions`);
  }
  return { specs, calls, columns, auxRefs, timeSelector: selectorIdx, multiCall };
}

/** Plans a raw query (no aggregates; transformations of fields allowed). */
export function planRaw(cols: readonly Column[], schema: SourceSchema): RawPlan {
  const refs: AuxRef[] = [];
  const refIndex = (r: AuxRef): number => {
    let i = refs.findIndex((x) => x.kind === r.kind && x.name === r.name);
    if (i < 0) {
      refs.push(r);
      i = refs.length - 1;
    }
    return i;
  };
  const columns: RawColumn[] = [];
  for (const col of cols) {
    let e = col.expr;
    let transform: RawColumn['transform'] = null;
    const u = unparen(e);
    if (u.kind === 'Call' && !isMathFunction(u.name)) {
      if (!TRANSFORMS.has(u.name)) throw err(`undefined function ${u.name}()`);
      const inner = u.args[0];
      if (inner === undefined || unparen(inner).kind !== 'VarRef') throw err(`expected field argument in ${u.name}()`);
      const ft = schema.fields.get((unparen(inner) as { name: string }).name);
      if (ft === 'string' || ft === 'boolean') throw err(`unsupported ${u.name} iterator type: *query.${ft}InterruptIterator`);
      const n = u.name === 'moving_average' ? (numArg(u.args[1]) ?? 1) : 0;
      const dflt = u.name === 'elapsed' ? 1n : 1_000_000_000n;
      transform = { fn: u.name, unit: u.name === 'moving_average' || u.name.endsWith('difference') || u.name === 'cumulative_sum' ? 1n : durArg(u.args[1], dflt), n };
      e = inner;
    }
    const expr = rewriteExpr(e, (x) => {
      if (x.kind !== 'VarRef') return x;
      const i = refIndex(refOf(x.name, x.dataType, schema));
      return { kind: 'VarRef', name: `\u0000${i}`, dataType: x.dataType };
    });
    columns.push({ name: col.name, expr, transform });
  }
  return { refs, columns };
}
