import type { Mapper } from '../../contracts/mapper.js';
import { MAX_TIME, MIN_TIME } from '../../model/point.js';
import type { SelectStatement } from '../ast.js';
import type { Series, Value } from '../result.js';
import type { SelectContext } from './context.js';
import { evalExpr } from './eval.js';
import { finalize, integralSeries, multiRows, newTransformState, transformStep, type CallResult, type TransformState } from './functions.js';
import type { AggRow, AggSpec, PartialState } from './map-request.js';
import { newState } from './partials.js';
import type { AggPlan } from './plan.js';
import { reduceMappers } from './reducer.js';
import { pieces, selectError as err, tagsRecord, type Dimensions, type ReadTarget, type SeriesOut } from './series-out.js';
import { bucketStart } from './time-buckets.js';
import type { TimeRange } from './time-range.js';

const MAX_BUCKETS = 5_000_000n;

/** Streams the series of an aggregate query over one measurement: one tag set at a time. */
export async function* aggregateSeries(
  target: ReadTarget,
  dimKeys: readonly string[],
  plan: AggPlan,
  mappers: Mapper[],
  stmt: SelectStatement,
  ctx: SelectContext,
  range: TimeRange,
  tmax: bigint,
  dims: Dimensions,
  ascending: boolean,
  allowed: ReadonlySet<string> | null,
  output: { readonly start: bigint; readonly end: bigint },
): AsyncGenerator<SeriesOut> {
  const columns = ['time', ...plan.columns.map((c) => c.name)];
  const shape = planShape(plan, stmt, dims);
  const tagColumns = new Set<string>();
  let key: string | null = null;
  let tags: readonly string[] = [];
  let rows: AggRow[] = [];
  const flush = function* (this: void): Generator<SeriesOut> {
    if (key === null || rows.length === 0) return;
    if (allowed !== null && !allowed.has(key)) return;
    if (!ascending) rows.reverse();
    const out = finishTagSet(plan, rows, stmt, range, tmax, dims, ascending, output, shape);
    if (out.length === 0) return;
    const t = tagsRecord(dimKeys, tags);
    const base: Omit<Series, 'values'> = t === undefined ? { name: target.name, columns } : { name: target.name, tags: t, columns };
    for (const s of pieces(base, out, Math.max(1, ctx.chunkSize), true)) yield { series: s, tagColumns };
  };
  for await (const batch of reduceMappers(mappers, plan.specs, ascending)) {
    if (batch.key !== key) {
      yield* flush();
      key = batch.key;
      tags = batch.tags;
      rows = [];
    }
    for (const r of batch.rows as AggRow[]) rows.push(r);
  }
  yield* flush();
}

/** What finishTagSet needs to know of a plan, worked out once per query (not per tag set). */
interface PlanShape {
  /** Per column, the call whose value it is when it is just that (`max(v)`), else -1. */
  readonly direct: number[];
  /**
   * True for the common shape: GROUP BY time with fill(null) or fill(none), every column one call's
   * value, no transformation, multi-row call or integral (rows come straight from the call results).
   */
  readonly simple: boolean;
}

function planShape(plan: AggPlan, stmt: SelectStatement, dims: Dimensions): PlanShape {
  const direct = plan.columns.map((col) => (col.expr.kind === 'VarRef' && /^\u0000\d+$/.test(col.expr.name) ? Number(col.expr.name.slice(1)) : -1));
  const simple = dims.interval > 0n
    && (stmt.fill === 'null' || stmt.fill === 'none')
    && plan.multiCall < 0
    && direct.every((d) => d >= 0)
    && plan.columns.every((c) => c.transform === null)
    && plan.calls.every((c) => c.fn !== 'integral');
  return { direct, simple };
}

/**
 * finishTagSet for a simple shape (see PlanShape): one row per bucket (per row of `rows` with
 * fill(none)), each column its call's finalized value; what the general path gives for these plans.
 */
function simpleRows(plan: AggPlan, shape: PlanShape, rows: AggRow[], stmt: SelectStatement, range: TimeRange, tmax: bigint, dims: Dimensions): Value[][] | undefined {
  const direct = shape.direct;
  const nCols = direct.length;
  const calls = direct.map((d) => plan.calls[d] as (typeof plan.calls)[number]);
  const out: Value[][] = [];
  const emit = (t: bigint, states: PartialState[] | null): void => {
    const row: Value[] = new Array(nCols + 1);
    row[0] = t;
    for (let ci = 0; ci < nCols; ci++) {
      const c = calls[ci] as (typeof plan.calls)[number];
      const st = states === null ? newState((plan.specs[c.specIdx] as AggSpec).op) : (states[c.specIdx] as PartialState);
      row[ci + 1] = finalize(c.fn, st, c.arg).v ?? null;
    }
    out.push(row);
  };
  const n = rows.length;
  if (stmt.fill === 'none') {
    for (let i = 0; i < n; i++) emit((rows[i] as AggRow)[0], (rows[i] as AggRow)[1]);
    return out;
  }
  // rows: one per bucket, earliest first (flush puts descending rows back in time order); else the
  // general path
  for (let i = 1; i < n; i++) if (!((rows[i - 1] as AggRow)[0] < (rows[i] as AggRow)[0])) return undefined;
  const first = range.hasMin ? bucketStart(range.tmin, dims.interval, dims.offset) : (rows[0] as AggRow)[0];
  const last = bucketStart(tmax, dims.interval, dims.offset);
  if ((last - first) / dims.interval > MAX_BUCKETS) throw err('max-select-buckets limit exceeded');
  let ri = 0;
  for (let b = first; b <= last; b += dims.interval) {
    while (ri < n && (rows[ri] as AggRow)[0] < b) ri++;
    emit(b, ri < n && (rows[ri] as AggRow)[0] === b ? (rows[ri] as AggRow)[1] : null);
  }
  return out;
}

/** Turns one tag set's merged bucket rows into output rows: finalize, fill, project, transform, order, limit. */
function finishTagSet(
  plan: AggPlan,
  rows: AggRow[],
  stmt: SelectStatement,
  range: TimeRange,
  tmax: bigint,
  dims: Dimensions,
  ascending: boolean,
  output: { readonly start: bigint; readonly end: bigint },
  shape: PlanShape,
): Value[][] {
  if (shape.simple) {
    const simple = simpleRows(plan, shape, rows, stmt, range, tmax, dims);
    if (simple !== undefined) {
      if (!ascending) simple.reverse();
      return trimRows(simple, stmt, output);
    }
  }
  const nCalls = plan.calls.length;
  const emptyStates = (): PartialState[] => plan.specs.map((s) => newState(s.op));
  // 1. The bucket sequence.
  let buckets: Array<{ t: bigint; states: PartialState[] | null }> = [];

  if (dims.interval > 0n) {
    if (stmt.fill === 'none') buckets = rows.map(([b, st]) => ({ t: b, states: st }));
    else {
      const first = range.hasMin ? bucketStart(range.tmin, dims.interval, dims.offset) : (rows[0] as AggRow)[0];
      const last = bucketStart(tmax, dims.interval, dims.offset);
      if ((last - first) / dims.interval > MAX_BUCKETS) throw err('max-select-buckets limit exceeded');
      const have = new Map<bigint, PartialState[]>();
      for (const [b, st] of rows) have.set(b, st);
      for (let b = first; b <= last; b += dims.interval) buckets.push({ t: b, states: have.get(b) ?? null });
    }
  } else {
    const st = (rows[0] as AggRow)[1];
    buckets = [{ t: range.hasMin && range.tmin !== MIN_TIME ? range.tmin : 0n, states: st }];
  }
  // 2. Finalize every call per bucket.
  const results: CallResult[][] = buckets.map((b) =>
    plan.calls.map((c) => {
      if (b.states === null) {
        if (stmt.fill === 'null' || stmt.fill === 'none') return finalize(c.fn, newState((plan.specs[c.specIdx] as { op: 'count' }).op), c.arg);
        return { v: null, t: null, aux: null };
      }
      return finalize(c.fn, b.states[c.specIdx] as PartialState, c.arg);
    }),
  );
  void emptyStates;
  // integral() crosses bucket edges (interpolated) and never reports empty buckets.
  const integralOnly = plan.calls.every((c) => c.fn === 'integral');
  plan.calls.forEach((c, ci) => {
    if (c.fn !== 'integral' || dims.interval === 0n) return;
    const vals = integralSeries(
      buckets.map((b) => (b.states === null ? null : ((b.states[c.specIdx] as PartialState).pts ?? null))),
      buckets.map((b) => b.t + dims.interval),
      c.arg,
      buckets.map((b) => b.t),
    );
    vals.forEach((v, bi) => {
      ((results[bi] as CallResult[])[ci] as CallResult).v = v;
    });
  });
  if (integralOnly && dims.interval > 0n) {
    for (let i = buckets.length - 1; i >= 0; i--) {
      const st = (buckets[i] as { states: PartialState[] | null }).states;
      const res = results[i] as CallResult[];
      if (st === null || plan.calls.every((c, ci) => ((st[c.specIdx] as PartialState).pts ?? []).length === 0 || (res[ci] as CallResult).v === null)) {
        buckets.splice(i, 1);
        results.splice(i, 1);
      }
    }
  }
  // Descending order: fill(previous) and transformations run in output order, as in InfluxDB.
  if (!ascending) {
    buckets.reverse();
    results.reverse();
  }
  // 3. Fill per call.
  if (dims.interval > 0n && (stmt.fill === 'previous' || stmt.fill === 'linear' || stmt.fill === 'number')) {
    for (let c = 0; c < nCalls; c++) {
      if (stmt.fill === 'number') {
        for (const r of results) if ((r[c] as CallResult).v === null) (r[c] as CallResult).v = stmt.fillValue;
      } else if (stmt.fill === 'previous') {
        let prev: Value = null;
        for (const r of results) {
          const cr = r[c] as CallResult;
          if (cr.v === null) cr.v = prev;
          else prev = cr.v;
        }
      } else {
        let li = -1;
        for (let i = 0; i < results.length; i++) {
          const cr = (results[i] as CallResult[])[c] as CallResult;
          if (cr.v === null) continue;
          if (li >= 0 && i - li > 1) {
            const a = ((results[li] as CallResult[])[c] as CallResult).v;
            const b = cr.v;
            if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
              for (let k = li + 1; k < i; k++) {
                const v = Number(a) + ((Number(b) - Number(a)) * (k - li)) / (i - li);
                ((results[k] as CallResult[])[c] as CallResult).v = typeof a === 'bigint' && typeof b === 'bigint' ? BigInt(Math.trunc(v)) : v;
              }
            }
          }
          li = i;
        }
      }
    }
  }
  // 4. Project (and expand multi-row calls), 5. transform.
  const out: Value[][] = [];
  const tstates = plan.columns.map(() => newTransformState());
  const hasTransform = plan.columns.some((c) => c.transform !== null);
  // A column that is just one call's value (`max(v)`) is read without evaluating its expression.
  const direct = shape.direct;
  buckets.forEach((b, bi) => {
    const res = results[bi] as CallResult[];
    if (plan.multiCall >= 0) {
      const c = plan.calls[plan.multiCall] as (typeof plan.calls)[number];
      if (b.states === null) return;
      const mrows = multiRows(c.fn, b.states[c.specIdx] as PartialState, c.arg, c.tagArgs.length, b.t);
      for (const mr of mrows) {
        const get = (name: string): Value => {
          if (name.startsWith('\u0000')) return mr.v;
          const i = Number(name.slice(name.indexOf(':') + 1));
          return mr.aux?.[i] ?? null;
        };
        out.push([mr.t, ...plan.columns.map((col) => evalExpr(col.expr, get) ?? null)]);
      }
      return;
    }
    let time = b.t;
    if (dims.interval === 0n && integralOnly) time = 0n;
    if (dims.interval === 0n && plan.timeSelector >= 0) {
      const sel = res[plan.timeSelector] as CallResult;
      if (sel.t !== null) time = sel.t;
    }
    const get = (name: string): Value => {
      if (name.startsWith('\u0000')) return (res[Number(name.slice(1))] as CallResult).v;
      const call = Number(name.slice(1, name.indexOf(':')));
      const i = Number(name.slice(name.indexOf(':') + 1));
      return (res[call] as CallResult).aux?.[i] ?? null;
    };
    const row: Value[] = [time];
    let keep = !hasTransform;
    plan.columns.forEach((col, ci) => {
      const d = direct[ci] as number;
      let v = (d >= 0 ? (res[d] as CallResult).v : evalExpr(col.expr, get)) ?? null;
      if (col.transform !== null) {
        const t = transformStep(col.transform.fn, tstates[ci] as TransformState, time, v, col.transform.unit, col.transform.n);
        if (t !== undefined) keep = true;
        v = t ?? null;
      }
      row.push(v);
    });
    if (keep) out.push(row);
  });
  return trimRows(out, stmt, output);
}

/** Keeps the rows in the output time range, then applies OFFSET and LIMIT. */
function trimRows(out: Value[][], stmt: SelectStatement, output: { readonly start: bigint; readonly end: bigint }): Value[][] {
  const kept = output.start > MIN_TIME || output.end < MAX_TIME ? out.filter((r) => (r[0] as bigint) >= output.start && (r[0] as bigint) <= output.end) : out;
  const start = Math.min(stmt.offset, kept.length);
  const end = stmt.limit > 0 ? Math.min(kept.length, start + stmt.limit) : kept.length;
  return start === 0 && end === kept.length ? kept : kept.slice(start, end);
}

