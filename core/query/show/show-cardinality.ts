import type {
  ShowFieldKeyCardinalityStatement,
  ShowMeasurementCardinalityStatement,
  ShowSeriesCardinalityStatement,
  ShowTagKeyCardinalityStatement,
  ShowTagValuesCardinalityStatement,
} from '../ast.js';
import { databaseName, requireDatabase, statementError, type StatementContext } from '../context.js';
import { emitSeries, single, type Piece } from '../emit.js';
import type { Series } from '../result.js';
import { allMeasurements, localShards, measurementFields, measurementSeries, policyScope, type MergedSeries } from './catalog.js';
import { tagKeyMatcher, tagPairs } from './show-data.js';
import { seriesMatches, validateTagCondition } from './tag-condition.js';
import { hasTimeRef } from './time-condition.js';

type Cardinality =
  | ShowMeasurementCardinalityStatement
  | ShowSeriesCardinalityStatement
  | ShowTagKeyCardinalityStatement
  | ShowTagValuesCardinalityStatement
  | ShowFieldKeyCardinalityStatement;

const TITLES: Record<Cardinality['kind'], string> = {
  ShowMeasurementCardinalityStatement: 'SHOW MEASUREMENT EXACT CARDINALITY',
  ShowSeriesCardinalityStatement: 'SHOW SERIES EXACT CARDINALITY',
  ShowTagKeyCardinalityStatement: 'SHOW TAG KEY EXACT CARDINALITY',
  ShowTagValuesCardinalityStatement: 'SHOW TAG VALUES EXACT CARDINALITY',
  ShowFieldKeyCardinalityStatement: 'SHOW FIELD KEY EXACT CARDINALITY',
};

function estimation(n: number): Piece[] {
  return single([{ name: '', columns: ['cardinality estimation'], values: [[BigInt(n)]] }]);
}

/**
 * The CARDINALITY statements. SHOW SERIES / MEASUREMENT CARDINALITY without FROM and WHERE answer a
 * whole-database `cardinality estimation` (0 for an unknown database, as 1.6.7); every other form is
 * exact: a `count` per measurement (one total for measurements). Time in WHERE is refused as 1.6.7 does.
 */
export function showCardinality(stmt: Cardinality, ctx: StatementContext): Piece[] {
  const name = databaseName(stmt.database, ctx);
  const estimated =
    !stmt.exact &&
    stmt.sources.length === 0 &&
    stmt.condition === null &&
    (stmt.kind === 'ShowSeriesCardinalityStatement' || stmt.kind === 'ShowMeasurementCardinalityStatement');
  if (estimated) {
    const info = ctx.meta.database(name);
    if (info === undefined) return estimation(0);
    const shards = localShards(ctx.meta, ctx.tsdb, info);
    const ms = allMeasurements(shards);
    if (stmt.kind === 'ShowMeasurementCardinalityStatement') return estimation(ms.length);
    return estimation(ms.reduce((n, m) => n + measurementSeries(shards, m).length, 0));
  }
  if (hasTimeRef(stmt.condition)) throw statementError(`${TITLES[stmt.kind]} doesn't support time in WHERE clause`);
  validateTagCondition(stmt.condition);
  const info = requireDatabase(ctx, name);
  // Exact counts read one policy per source (its own, the request's or the default), as in 1.6.7.
  const scoped = policyScope(ctx.meta, ctx.tsdb, info, stmt.sources, ctx.rp);
  const matching = (): Array<[string, MergedSeries[]]> =>
    scoped
      .map(([m, shards]): [string, MergedSeries[]] => [m, measurementSeries(shards, m).filter((s) => seriesMatches(stmt.condition, s))])
      .filter(([, list]) => list.length > 0);
  const count = (name: string, n: number): Series => ({ name, columns: ['count'], values: [[BigInt(n)]] });
  switch (stmt.kind) {
    case 'ShowMeasurementCardinalityStatement': {
      const n = matching().length;
      return n === 0 ? [{}] : single([count('', n)]);
    }
    case 'ShowSeriesCardinalityStatement':
      return emitSeries(matching().map(([m, list]) => count(m, list.length)), ctx.chunkSize);
    case 'ShowTagKeyCardinalityStatement':
      return emitSeries(
        matching().map(([m, list]) => count(m, new Set(list.flatMap((s) => s.info.tags.map(([k]) => k))).size)),
        ctx.chunkSize,
      );
    case 'ShowTagValuesCardinalityStatement': {
      const keyOk = tagKeyMatcher(stmt.op, stmt.tagKeyExpr);
      const series = matching()
        .map(([m, list]) => count(m, tagPairs(list, keyOk).length))
        .filter((s) => s.values[0]![0] !== 0n);
      return emitSeries(series, ctx.chunkSize);
    }
    default: {
      const series = scoped
        .map(([m, shards]) => count(m, new Set(measurementFields(shards, m).map((f) => f.name)).size))
        .filter((s) => s.values[0]![0] !== 0n);
      return emitSeries(series, ctx.chunkSize);
    }
  }
}
