import type { SelectStatement, SubQuery, Expr } from '../ast.js';
import { unparen } from '../ast.js';
import type { Value } from '../result.js';
import type { SelectContext } from './context.js';
import { createLocalMapper } from './local-mapper.js';
import { MemoryShardReader } from './memory-reader.js';
import type { ReadTarget, SeriesOut } from './series-out.js';
import { extractTimeRange, type TimeRange } from './time-range.js';

/** How a subquery is run (runSelect, passed in to keep the module graph acyclic). */
export type RunSelect = (stmt: SelectStatement, ctx: SelectContext) => AsyncGenerator<SeriesOut>;

/** Runs a subquery and loads its rows into a memory reader. */
export async function materialize(
  run: RunSelect,
  sq: SubQuery,
  ctx: SelectContext,
  outer: TimeRange,
  outerDims: SelectStatement['dimensions'],
): Promise<ReadTarget[]> {
  const reader = new MemoryShardReader({ keepDuplicates: true });
  let inner = sq.statement;
  const own = extractTimeRange(inner.condition, ctx.nowNs).range;
  if (!own.hasMin && !own.hasMax && (outer.hasMin || outer.hasMax)) {
    // The outer time range applies to the inner query when it has none of its own.
    const parts: Expr[] = [];
    if (outer.hasMin) parts.push({ kind: 'BinaryExpr', op: '>=', lhs: { kind: 'VarRef', name: 'time', dataType: '' }, rhs: { kind: 'IntegerLiteral', value: outer.tmin } });
    if (outer.hasMax) parts.push({ kind: 'BinaryExpr', op: '<=', lhs: { kind: 'VarRef', name: 'time', dataType: '' }, rhs: { kind: 'IntegerLiteral', value: outer.tmax } });
    if (inner.condition !== null) parts.push({ kind: 'ParenExpr', expr: inner.condition });
    const cond = parts.reduce((a, b) => ({ kind: 'BinaryExpr', op: 'AND', lhs: a, rhs: b }));
    inner = { ...inner, condition: cond };
  }
  // The outer query's tag dimensions are added to the inner query's, so its rows keep those tags.
  const outerTags = outerDims.filter((d) => !(unparen(d.expr).kind === 'Call'));
  if (outerTags.length > 0) inner = { ...inner, dimensions: [...inner.dimensions, ...outerTags] };
  const tagKeys = new Map<string, Set<string>>();
  for await (const { series, tagColumns } of run(inner, ctx)) {
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
    subquery: true,
    fields: new Map(reader.fields(m).map((f) => [f.name, f.type])),
    tagKeys: tagKeys.get(m) ?? new Set(),
    open: async (req) => [createLocalMapper(reader, req, ctx.chunkSize)],
  }));
}

