import type { Mapper } from '../../contracts/mapper.js';
import { MAX_TIME, MIN_TIME } from '../../model/point.js';
import { unparen, type Expr, type Measurement, type SelectStatement } from '../ast.js';
import { printExpr } from '../printer.js';
import { aggregateSeries } from './aggregate-series.js';
import { expandColumns, type Column, type SourceSchema } from './columns.js';
import type { SelectContext } from './context.js';
import { compileRegex } from './eval.js';
import { TRANSFORMS } from './functions.js';
import { SELECT_MAP_VERSION, type SelectMapRequest } from './map-request.js';
import { hasCalls, planAggregate, planRaw, type RawPlan } from './plan.js';
import { rawSeries } from './raw-series.js';
import { allowedTagSets, selectError as err, type Dimensions, type ReadTarget, type SeriesOut } from './series-out.js';
import { resolveMeasurements, unionSchema } from './sources.js';
import { materialize } from './subquery.js';
import { bucketStart } from './time-buckets.js';
import { extractTimeRange, type TimeRange } from './time-range.js';
import { checkMathTypes } from './type-check.js';
import { validateCalls } from './validate.js';
import { isMathFunction } from './math.js';

export type { SeriesOut } from './series-out.js';

/** A bare field or literal where a condition is expected is an error in InfluxDB 1.x. */
function checkCondition(cond: Expr | null): void {
  if (cond === null) return;
  const u = unparen(cond);
  if (u.kind === 'BinaryExpr' && (u.op === 'AND' || u.op === 'OR')) {
    checkCondition(u.lhs);
    checkCondition(u.rhs);
    return;
  }
  if (u.kind === 'VarRef' || u.kind === 'Call') throw err(`invalid condition expression: ${printExpr(u)}`);
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

async function closeAll(mappers: readonly Mapper[]): Promise<void> {
  await Promise.allSettled(mappers.map((m) => m.close()));
}

const BACK_TRANSFORMS = new Set(['derivative', 'non_negative_derivative', 'difference', 'non_negative_difference', 'moving_average', 'elapsed']);

/** True when a field is a transformation (other than cumulative_sum) of an aggregate. */
function plan_hasTransform(fields: SelectStatement['fields']): boolean {
  return fields.some((f) => {
    const u = unparen(f.expr);
    return u.kind === 'Call' && BACK_TRANSFORMS.has(u.name) && u.args[0] !== undefined && unparen(u.args[0]).kind === 'Call';
  });
}

/**
 * Runs a SELECT and yields its series (with which columns are tags). The public entry point is
 * executeSelect in index.ts.
 */
export async function* runSelect(stmt: SelectStatement, ctx: SelectContext): AsyncGenerator<SeriesOut> {
  if (stmt.sortFields.some((s) => s.name.toLowerCase() !== 'time')) throw err('only ORDER BY time supported at this time');
  const ascending = !(stmt.sortFields[0] !== undefined && !stmt.sortFields[0].ascending);
  checkCondition(stmt.condition);
  const { range, rest } = extractTimeRange(stmt.condition, ctx.nowNs);
  const dims = parseDimensions(stmt, ctx.nowNs);
  const fieldsNoTime = stmt.fields.filter((f) => !(unparen(f.expr).kind === 'VarRef' && (unparen(f.expr) as { name: string }).name.toLowerCase() === 'time'));
  const isAgg = fieldsNoTime.some((f) => {
    let agg = false;
    const visit = (e: Expr): void => {
      const u = unparen(e);
      if (u.kind === 'Call') {
        if (isMathFunction(u.name)) {
          for (const a of u.args) visit(a); // a math function is an aggregate only around one
        } else if (TRANSFORMS.has(u.name)) {
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
  if (range.tmin > range.tmax) return;
  // Aggregates over GROUP BY time stop at now() when the query gives no upper bound.
  const tmax = !range.hasMax && isAgg && dims.interval > 0n ? ctx.nowNs : range.tmax;
  // Transformations of aggregates (except cumulative_sum) read one interval more before the range, so
  // the first bucket has a predecessor (InfluxDB 1.x: the start moves back by exactly one interval, not
  // to a bucket boundary, so that predecessor holds only the points in [start - interval, its end));
  // rows before the range are dropped afterwards.
  // Descending (ORDER BY time DESC) the predecessor is the next later bucket: the end moves forward by
  // one interval instead, and rows after the range's last bucket are dropped.
  const transformed = plan_hasTransform(fieldsNoTime) && dims.interval > 0n;
  const extendsBack = transformed && ascending && range.hasMin && range.tmin - dims.interval > MIN_TIME;
  const extendsForward = transformed && !ascending && tmax + dims.interval < MAX_TIME;
  const tmin = extendsBack ? range.tmin - dims.interval : range.tmin;
  const tmaxQ = extendsForward ? tmax + dims.interval : tmax;
  const aggRange: TimeRange = extendsBack ? { ...range, tmin } : range;
  const output = {
    start: range.hasMin && dims.interval > 0n ? bucketStart(range.tmin, dims.interval, dims.offset) : MIN_TIME,
    end: extendsForward ? bucketStart(tmax, dims.interval, dims.offset) : MAX_TIME,
  };

  const targets: ReadTarget[] = [];
  const ms = sourceMeasurements(stmt);
  if (ms.length > 0) {
    for (const r of await resolveMeasurements(ms, ctx, tmin, tmaxQ)) {
      targets.push({
        name: r.name,
        subquery: false,
        fields: r.fields,
        tagKeys: r.tagKeys,
        open: async (req) => Promise.all(r.shards.map((sh) => ctx.shardMapper.createMapper(sh, req, ctx.chunkSize))),
      });
    }
  }
  for (const s of stmt.sources) if (s.kind === 'SubQuery') targets.push(...(await materialize(runSelect, s, ctx, { ...range, tmax }, stmt.dimensions)));
  if (targets.length === 0) {
    // Nothing to read, but the statement is still checked as InfluxDB compiles it.
    const empty: SourceSchema = { fields: new Map(), tagKeys: new Set() };
    validateCalls(expandColumns(fieldsNoTime, empty), empty, dims.interval);
    if (dims.interval > 0n && !isAgg) throw err('GROUP BY requires at least one aggregate function');
    return;
  }
  const schema: SourceSchema = unionSchema(targets.map((t) => ({ db: '', rp: '', name: t.name, shards: [], fields: t.fields, tagKeys: t.tagKeys })));
  const cols: Column[] = expandColumns(fieldsNoTime, schema, new Set(dimensionKeys(dims, schema.tagKeys)));
  if (cols.length === 0) return;
  validateCalls(cols, schema, dims.interval);
  if (dims.interval > 0n && !isAgg) throw err('GROUP BY requires at least one aggregate function');
  for (const c of cols) checkMathTypes(c.expr, schema);
  const plan = isAgg ? planAggregate(cols, schema, dims.interval) : null;
  const rawPlan = isAgg ? null : (() => {
    const topName = (c: Column): string | undefined => {
      const u = unparen(c.expr);
      return u.kind === 'Call' && !isMathFunction(u.name) ? u.name : undefined;
    };
    if (cols.some((c) => topName(c) !== undefined && !TRANSFORMS.has(topName(c)!))) {
      throw err('mixing aggregate and non-aggregate queries is not supported');
    }
    const transforms = cols.filter((c) => topName(c) !== undefined).length;
    if (transforms > 0 && transforms < cols.length) throw err('mixing aggregate and non-aggregate queries is not supported');
    return planRaw(cols, schema);
  })();
  for (const target of targets) {
    const dimKeys = dimensionKeys(dims, target.tagKeys);
    const req: SelectMapRequest = {
      version: SELECT_MAP_VERSION,
      kind: 'data',
      measurement: target.name,
      tmin: tmin.toString(),
      tmax: tmaxQ.toString(),
      condition: rest,
      dimensions: dimKeys,
      interval: dims.interval.toString(),
      offset: dims.offset.toString(),
      ascending,
      columns: rawPlan?.refs ?? [],
      // Each series needs to contribute at most LIMIT + OFFSET rows (not with transformations, which
      // drop rows).
      rowLimit: rawPlan !== null && stmt.limit > 0 && rawPlan.columns.every((c) => c.transform === null) ? stmt.limit + stmt.offset : 0,
      aggregates: plan?.specs ?? null,
    };
    if (rawPlan !== null && !rawPlan.refs.some((r) => r.kind === 'field')) continue;
    const mappers = await target.open(req);
    ctx.logger.debug(
      { measurement: target.name, mappers: mappers.length, mode: plan !== null ? 'aggregate' : 'raw', dimensions: dimKeys, interval: req.interval },
      'select: mapping',
    );
    try {
      await Promise.all(mappers.map((m) => m.open()));
      const allowed = allowedTagSets(stmt, mappers.flatMap((m) => m.tagSets()));
      const gen = plan !== null
        ? aggregateSeries(target, dimKeys, plan, mappers, stmt, ctx, aggRange, tmaxQ, dims, ascending, allowed, output)
        : rawSeries(target, dimKeys, rawPlan as RawPlan, mappers, stmt, ctx, ascending, allowed);
      for await (const s of gen) yield s;
    } finally {
      await closeAll(mappers);
    }
  }
}

