import { MAX_TIME, MIN_TIME } from '../../model/point.js';
import { varRefNames, type DeleteSeriesStatement, type DropMeasurementStatement, type DropSeriesStatement } from '../ast.js';
import { databaseName, requireDatabase, statementError, type StatementContext } from '../context.js';
import type { Piece } from '../emit.js';
import { localShards, measurementFields, sourcesMatch } from '../show/catalog.js';
import { seriesMatches, validateTagCondition } from '../show/tag-condition.js';
import { hasTimeRef, splitTimeCondition } from '../show/time-condition.js';

/**
 * DROP SERIES (whole series, no time allowed) and DELETE (points in the WHERE's time range) over this
 * node's shards of the request's database, through TSDBStore.deleteSeries.
 */
export async function deleteSeries(stmt: DropSeriesStatement | DeleteSeriesStatement, ctx: StatementContext): Promise<Piece[]> {
  const db = requireDatabase(ctx, databaseName('', ctx));
  const drop = stmt.kind === 'DropSeriesStatement';
  if (drop && hasTimeRef(stmt.condition)) throw statementError("DROP SERIES doesn't support time in WHERE clause");
  const { range, rest } = splitTimeCondition(stmt.condition, ctx.nowNs);
  const timed = !drop && hasTimeRef(stmt.condition);
  const tmin = timed ? range.min : MIN_TIME;
  const tmax = timed ? range.max : MAX_TIME;
  const shards = localShards(ctx.meta, ctx.tsdb, db, timed ? range : undefined);
  // Checked on every shard before deleting anything: a field in the condition is refused (1.6.7's text).
  const refs = varRefNames(rest).filter((n) => n !== '_name');
  if (refs.length > 0) {
    for (const shard of shards) {
      for (const m of shard.reader.measurements()) {
        if (!sourcesMatch(stmt.sources, m)) continue;
        const fields = new Set(shard.reader.fields(m).map((f) => f.name));
        if (refs.some((r) => fields.has(r))) throw statementError(`shard ${shard.id}: fields not supported in WHERE clause during deletion`);
      }
    }
  }
  validateTagCondition(rest);
  for (const shard of shards) {
    for (const m of shard.reader.measurements()) {
      if (!sourcesMatch(stmt.sources, m)) continue;
      const fields = new Set(measurementFields([shard], m).map((f) => f.name));
      const keys: string[] = [];
      for (const info of shard.reader.series(m)) {
        const tags = new Map(info.tags);
        const view = { measurement: m, tag: (k: string) => tags.get(k) ?? '', isField: (n: string) => fields.has(n) && !tags.has(n) };
        if (seriesMatches(rest, view)) keys.push(info.key);
      }
      if (keys.length > 0) await ctx.tsdb.deleteSeries(shard.id, keys, tmin, tmax);
    }
  }
  return [{}];
}

/** DROP MEASUREMENT: removes it from every shard of the database held here; unknown names are fine. */
export async function dropMeasurement(stmt: DropMeasurementStatement, ctx: StatementContext): Promise<Piece[]> {
  const db = requireDatabase(ctx, databaseName('', ctx));
  for (const shard of localShards(ctx.meta, ctx.tsdb, db)) {
    if (shard.reader.measurements().includes(stmt.name)) await ctx.tsdb.deleteMeasurement(shard.id, stmt.name);
  }
  return [{}];
}
