import type { Mapper } from '../../contracts/mapper.js';
import { TesseraError } from '../../errors.js';
import { MAX_TIME, MIN_TIME, type FieldType } from '../../model/point.js';
import { unparen, type Expr, type Measurement, type SelectStatement, type SubQuery } from '../ast.js';
import type { Series, Value } from '../result.js';
import { expandColumns, type Column, type SourceSchema } from './columns.js';
import type { SelectContext } from './context.js';
import { compileRegex, evalExpr } from './eval.js';
import { finalize, multiRows, newTransformState, transformStep, type CallResult, type TransformState } from './functions.js';
import { createLocalMapper } from './local-mapper.js';
import { SELECT_MAP_VERSION, type AggRow, type PartialState, type RawRow, type SelectMapRequest } from './map-request.js';
import { MemoryShardReader } from './memory-reader.js';
import { newState } from './partials.js';
import { hasCalls, planAggregate, planRaw, type AggPlan, type RawPlan } from './plan.js';
import { reduceMappers } from './reducer.js';
import { resolveMeasurements, unionSchema } from './sources.js';
import { bucketStart } from './time-buckets.js';
import { extractTimeRange, type TimeRange } from './time-range.js';
import { checkMathTypes } from './type-check.js';

/** A measurement to read and how to open mappers over it. */
interface ReadTarget {
  name: string;
  fields: Map<string, FieldType>;
  tagKeys: Set<string>;
  open(req: SelectMapRequest): Promise<Mapper[]>;
}

/** A series of a result plus which columns hold tag values (a subquery's tags stay tags outside). */
export interface SeriesOut {
  series: Series;
  tagColumns: ReadonlySet<string>;
}

const MAX_BUCKETS = 5_000_000n;

function err(msg: string): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', msg);
}

function castValue(v: Value | undefined, dataType: string): Value {
  if (v === undefined || v === null) return null;
  switch (dataType) {
    case 'float':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
    case 'integer':
      return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
    case 'string':
      return typeof v === 'string' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return v;
  }
}

interface Dimensions {
  interval: bigint;
  offset: bigint;
  tags: string[];
  all: boolean;
  patterns: RegExp[];
}

function parseDimensions(stmt: SelectStatement, nowNs: bigint): Dimensions {
  const d: Dimensions = { interval: 0n, offset: 0n, tags: [], all: false, patterns: [] };
  for (const dim of stmt.dimensions) {
    const e = unparen(dim.expr);
    if (e.kind === 'Call' && e.name === 'time') {
      const a = e.args[0] ? unparen(e.args[0]) : undefined;
      if (a === undefined || a.kind !== 'DurationLiteral') throw err('time dimension must have duration argument');
      d.interval = a.value;
      const o = e.args[1] ? unparen(e.args[1]) : undefined;
      if (o !== undefined) {
        if (o.kind === 'DurationLiteral' || o.kind === 'IntegerLiteral') d.offset = o.value;
        else if (o.kind === 'Call' && o.name === 'now') d.offset = nowNs % d.interval;
        else if (o.kind === 'BinaryExpr' && o.op === '-' && unparen(o.lhs).kind === 'IntegerLiteral') d.offset = -(unparen(o.rhs) as { value: bigint }).value;
      }
      if (d.offset !== 0n) d.offset = ((d.offset % d.interval) + d.interval) % d.interval;
    } else if (e.kind === 'VarRef') d.tags.push(e.name);
    else if (e.kind === 'Wildcard') d.all = true;
    else if (e.kind === 'RegexLiteral') d.patterns.push(compileRegex(e.pattern));
  }
  return d;
}

function dimensionKeys(d: Dimensions, tagKeys: ReadonlySet<string>): string[] {
  const out = new Set<string>(d.tags);
  if (d.all) for (const t of tagKeys) out.add(t);
  for (const p of d.patterns) for (const t of tagKeys) if (p.test(t)) out.add(t);
  return [...out].sort();
}

function sourceMeasurements(stmt: SelectStatement): Measurement[] {
  return stmt.sources.filter((s): s is Measurement => s.kind === 'Measurement');
}

async function openAll(mappers: Mapper[]): Promise<Mapper[]> {
  await Promise.all(mappers.map((m) => m.open()));
  return mappers;
}

async function closeAll(mappers: readonly Mapper[]): Promise<void> {
  await Promise.allSettled(mappers.map((m) => m.close()));
}

/** Runs a subquery and loads its rows into a memory reader. */
async function materialize(sq: SubQuery, ctx: SelectContext, outer: TimeRange): Promise<ReadTarget[]> {
  const reader = new MemoryShardReader({ keepDuplicates: true });
  let inner = sq.statement;
  if (inner.condition === null && (outer.hasMin || outer.hasMax)) {
    // The outer time range applies to the inner query when it has none of its own.
    const parts: Expr[] = [];
    if (outer.hasMin) parts.push({ kind: 'BinaryExpr', op: '>=', lhs: { kind: 'VarRef', name: 'time', dataType: '' }, rhs: { kind: 'IntegerLiteral', value: outer.tmin } });
    if (outer.hasMax) parts.push({ kind: 'BinaryExpr', op: '<=', lhs: { kind: 'VarRef', name: 'time', dataType: '' }, rhs: { kind: 'IntegerLiteral', value: outer.tmax } });
    const cond = parts.reduce((a, b) => ({ kind: 'BinaryExpr', op: 'AND', lhs: a, rhs: b }));
    inner = { ...inner, condition: cond };
  }
  const tagKeys = new Map<string, Set<string>>();
  for await (const { series, tagColumns } of runSelect(inner, ctx)) {
    const tk = tagKeys.get(series.name) ?? new Set<string>();
    tagKeys.set(series.name, tk);
    const baseTags = Object.entries(series.tags ?? {});
    for (const [k] of baseTags) tk.add(k);
    for (const c of tagColumns) tk.add(c);
    for (const row of series.values) {
      const tags: Array<[string, string]> = [...baseTags];
      const fields: Array<[string, Exclude<Value, null> | null]> = [];
      for (let i = 1; i < series.columns.length; i++) {
        const name = series.columns[i] as string;
        const v = row[i] as Value;
        if (tagColumns.has(name)) tags.push([name, v === null ? '' : String(v)]);
        else fields.push([name, v]);
      }
      reader.add(series.name, tags, row[0] as bigint, fields);
    }
  }
  return reader.measurements().map((m) => ({
    name: m,
    fields: new Map(reader.fields(m).map((f) => [f.name, f.type])),
    tagKeys: tagKeys.get(m) ?? new Set(),
    open: async (req) => [createLocalMapper(reader, req, ctx.chunkSize)],
  }));
}

/** Splits rows into Series pieces of at most `chunkSize` rows (partial on all but the last). */
function* pieces(base: Omit<Series, 'values'>, rows: Value[][], chunkSize: number, last: boolean): Generator<Series> {
  for (let i = 0; i < rows.length; i += chunkSize) {
    const values = rows.slice(i, i + chunkSize);
    const s: Series = { ...base, values };
    if (!last || i + chunkSize < rows.length) s.partial = true;
    yield s;
  }
}

/**
 * Runs a SELECT and yields its series (with which columns are tags). The public entry point is
 * executeSelect in index.ts.
 */
export async function* runSelect(stmt: SelectStatement, ctx: SelectContext): AsyncGenerator<SeriesOut> {
  if (stmt.sortFields.some((s) => s.name.toLowerCase() !== 'time')) throw err('only ORDER BY time supported at this time');
  const ascending = !(stmt.sortFields[0] !== undefined && !stmt.sortFields[0].ascending);
  const { range, rest } = extractTimeRange(stmt.condition, ctx.nowNs);
  const dims = parseDimensions(stmt, ctx.nowNs);
  const fieldsNoTime = stmt.fields.filter((f) => !(unparen(f.expr).kind === 'VarRef' && (unparen(f.expr) as { name: string }).name.toLowerCase() === 'time'));
  const isAgg = fieldsNoTime.some((f) => {
    let agg = false;
    const visit = (e: Expr): void => {
      const u = unparen(e);
      if (u.kind === 'Call') {
        if (u.name === 'derivative' || u.name === 'non_negative_derivative' || u.name === 'difference' || u.name === 'non_negative_difference' || u.name === 'moving_average' || u.name === 'cumulative_sum' || u.name === 'elapsed') {
          const a = u.args[0];
          if (a !== undefined && unparen(a).kind === 'Call') agg = true;
        } else agg = true;
      } else if (u.kind === 'BinaryExpr') {
        visit(u.lhs);
        visit(u.rhs);
      }
    };
    visit(f.expr);
    return agg;
  });
  if (dims.interval > 0n && !isAgg) throw err('GROUP BY requires at least one aggregate function');
  if (range.tmin > range.tmax) return;
  // Aggregates over GROUP BY time stop at now() when the query gives no upper bound.
  const tmax = !range.hasMax && isAgg && dims.interval > 0n ? ctx.nowNs : range.tmax;
  const tmin = range.tmin;

  const targets: ReadTarget[] = [];
  const ms = sourceMeasurements(stmt);
  if (ms.length > 0) {
    for (const r of await resolveMeasurements(ms, ctx, tmin, tmax)) {
      targets.push({
        name: r.name,
        fields: r.fields,
        tagKeys: r.tagKeys,
        open: async (req) => Promise.all(r.shards.map((sh) => ctx.shardMapper.createMapper(sh, req, ctx.chunkSize))),
      });
    }
  }
  for (const s of stmt.sources) if (s.kind === 'SubQuery') targets.push(...(await materialize(s, ctx, { ...range, tmax })));
  if (targets.length === 0) return;
  const schema: SourceSchema = unionSchema(targets.map((t) => ({ db: '', rp: '', name: t.name, shards: [], fields: t.fields, tagKeys: t.tagKeys })));
  const cols: Column[] = expandColumns(fieldsNoTime, schema, new Set(dimensionKeys(dims, schema.tagKeys)));
  if (cols.length === 0) return;
  for (const c of cols) checkMathTypes(c.expr, schema);
  const seriesCounter = { n: 0 };
  const plan = isAgg ? planAggregate(cols, schema, dims.interval) : null;
  const rawPlan = isAgg ? null : (() => {
    if (hasCalls(cols) && cols.some((c) => unparen(c.expr).kind === 'Call' && !['derivative', 'non_negative_derivative', 'difference', 'non_negative_difference', 'moving_average', 'cumulative_sum', 'elapsed'].includes((unparen(c.expr) as { name: string }).name))) {
      throw err('mixing aggregate and non-aggregate queries is not supported');
    }
    return planRaw(cols, schema);
  })();
  for (const target of targets) {
    const dimKeys = dimensionKeys(dims, target.tagKeys);
    const req: SelectMapRequest = {
      version: SELECT_MAP_VERSION,
      kind: 'data',
      measurement: target.name,
      tmin: tmin.toString(),
      tmax: tmax.toString(),
      condition: rest,
      dimensions: dimKeys,
      interval: dims.interval.toString(),
      offset: dims.offset.toString(),
      ascending,
      columns: rawPlan?.refs ?? [],
      aggregates: plan?.specs ?? null,
    };
    if (rawPlan !== null && !rawPlan.refs.some((r) => r.kind === 'field')) continue;
    const mappers = await openAll(await target.open(req));
    try {
      const gen = plan !== null
        ? aggregateSeries(target, dimKeys, plan, mappers, stmt, ctx, range, tmax, dims, ascending, seriesCounter)
        : rawSeries(target, dimKeys, rawPlan as RawPlan, mappers, stmt, ctx, ascending, seriesCounter);
      for await (const s of gen) yield s;
    } finally {
      await closeAll(mappers);
    }
  }
}

function tagsRecord(dimKeys: readonly string[], values: readonly string[]): Record<string, string> | undefined {
  if (dimKeys.length === 0) return undefined;
  const out: Record<string, string> = {};
  dimKeys.forEach((k, i) => {
    out[k] = values[i] ?? '';
  });
  return out;
}

/** SLIMIT/SOFFSET: whether the next series is emitted. */
function takeSeries(stmt: SelectStatement, counter: { n: number }): boolean {
  const i = counter.n++;
  if (i < stmt.sOffset) return false;
  if (stmt.sLimit > 0 && i >= stmt.sOffset + stmt.sLimit) return false;
  return true;
}

async function* rawSeries(
  target: ReadTarget,
  dimKeys: readonly string[],
  plan: RawPlan,
  mappers: Mapper[],
  stmt: SelectStatement,
  ctx: SelectContext,
  ascending: boolean,
  counter: { n: number },
): AsyncGenerator<SeriesOut> {
  const columns = ['time', ...plan.columns.map((c) => c.name)];
  const tagColumns = new Set<string>();
  plan.columns.forEach((c) => {
    const u = unparen(c.expr);
    if (u.kind === 'VarRef' && c.transform === null) {
      const ref = plan.refs[Number(u.name.slice(1))];
      if (ref?.kind === 'tag') tagColumns.add(c.name);
    }
  });
  let key: string | null = null;
  let emit = false;
  let base: Omit<Series, 'values'> = { name: target.name, columns };
  let buf: Value[][] = [];
  let seen = 0;
  let states: TransformState[] = [];
  let started = false;
  const chunk = Math.max(1, ctx.chunkSize);
  for await (const batch of reduceMappers(mappers, null, ascending)) {
    if (batch.key !== key) {
      if (key !== null && emit && buf.length + (started ? 1 : 0) > 0) {
        for (const s of pieces(base, buf, chunk, true)) yield { series: s, tagColumns };
      }
      key = batch.key;
      emit = takeSeries(stmt, counter);
      const tags = tagsRecord(dimKeys, batch.tags);
      base = tags === undefined ? { name: target.name, columns } : { name: target.name, tags, columns };
      buf = [];
      seen = 0;
      started = false;
      states = plan.columns.map(() => newTransformState());
    }
    if (!emit) continue;
    for (const r of batch.rows as RawRow[]) {
      const row = r;
      const get = (name: string, dataType: string): Value => castValue(row[1 + Number(name.slice(1))] as Value, dataType);
      const out: Value[] = [row[0]];
      let keep = true;
      for (let c = 0; c < plan.columns.length; c++) {
        const col = plan.columns[c] as RawPlan['columns'][number];
        let v = evalExpr(col.expr, get) ?? null;
        if (col.transform !== null) {
          const t = transformStep(col.transform.fn, states[c] as TransformState, row[0], v, col.transform.unit, col.transform.n);
          if (t === undefined) keep = false;
          v = t ?? null;
        }
        out.push(v);
      }
      if (!keep) continue;
      seen++;
      if (seen <= stmt.offset) continue;
      if (stmt.limit > 0 && seen > stmt.offset + stmt.limit) continue;
      buf.push(out);
      if (buf.length >= chunk) {
        for (const s of pieces(base, buf, chunk, false)) yield { series: s, tagColumns };
        buf = [];
        started = true;
      }
    }
  }
  if (key !== null && emit && (buf.length > 0 || started)) {
    if (buf.length > 0) for (const s of pieces(base, buf, chunk, true)) yield { series: s, tagColumns };
    else yield { series: { ...base, values: [] }, tagColumns };
  }
}

async function* aggregateSeries(
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
  counter: { n: number },
): AsyncGenerator<SeriesOut> {
  const columns = ['time', ...plan.columns.map((c) => c.name)];
  const tagColumns = new Set<string>();
  let key: string | null = null;
  let tags: readonly string[] = [];
  let rows: AggRow[] = [];
  const flush = function* (this: void): Generator<SeriesOut> {
    if (key === null || rows.length === 0) return;
    if (!takeSeries(stmt, counter)) return;
    if (!ascending) rows.reverse();
    const out = finishTagSet(plan, rows, stmt, range, tmax, dims, ascending);
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

/** Turns one tag set's merged bucket rows into output rows: finalize, fill, project, transform, order, limit. */
function finishTagSet(
  plan: AggPlan,
  rows: AggRow[],
  stmt: SelectStatement,
  range: TimeRange,
  tmax: bigint,
  dims: Dimensions,
  ascending: boolean,
): Value[][] {
  const nCalls = plan.calls.length;
  const emptyStates = (): PartialState[] => plan.specs.map((s) => newState(s.op));
  // 1. The bucket sequence.
  let buckets: Array<{ t: bigint; states: PartialState[] | null }> = [];
  if (dims.interval > 0n) {
    const have = new Map<bigint, PartialState[]>();
    for (const [b, st] of rows) have.set(b, st);
    if (stmt.fill === 'none') buckets = rows.map(([b, st]) => ({ t: b, states: st }));
    else {
      const first = range.hasMin ? bucketStart(range.tmin, dims.interval, dims.offset) : (rows[0] as AggRow)[0];
      const last = bucketStart(tmax, dims.interval, dims.offset);
      if ((last - first) / dims.interval > MAX_BUCKETS) throw err('max-select-buckets limit exceeded');
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
      let v = evalExpr(col.expr, get) ?? null;
      if (col.transform !== null) {
        const t = transformStep(col.transform.fn, tstates[ci] as TransformState, time, v, col.transform.unit, col.transform.n);
        if (t !== undefined) keep = true;
        v = t ?? null;
      }
      row.push(v);
    });
    if (keep) out.push(row);
  });
  if (!ascending) out.reverse();
  const start = Math.min(stmt.offset, out.length);
  const end = stmt.limit > 0 ? Math.min(out.length, start + stmt.limit) : out.length;
  return out.slice(start, end);
}

export { MAX_TIME };
