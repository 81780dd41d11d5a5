import { unparen, type Expr } from '../ast.js';
import type { ShowFieldKeysStatement, ShowMeasurementsStatement, ShowSeriesStatement, ShowTagKeysStatement, ShowTagValuesStatement, Source, StringLiteral, RegexLiteral, ListLiteral, TagKeyOp } from '../ast.js';
import { databaseName, requireDatabase, statementError, type StatementContext } from '../context.js';
import { emitSeries, single, type Piece } from '../emit.js';
import type { Series, Value } from '../result.js';
import { allMeasurements, localShards, measurementFields, measurementSeries, policyScope, sourcesMatch, type LocalShard, type MergedSeries } from './catalog.js';
import { regexFor, seriesMatches, validateTagCondition } from './tag-condition.js';
import { hasTimeRef, splitTimeCondition } from './time-condition.js';

function page<T>(list: T[], limit: number, offset: number): T[] {
  const from = Math.min(offset, list.length);
  return limit > 0 ? list.slice(from, from + limit) : list.slice(from);
}

/** Shards and the time-free condition for statements that honour time by picking shards. */
function scope(ctx: StatementContext, stmtDb: string, cond: Expr | null): { shards: LocalShard[]; cond: Expr | null } {
  const db = requireDatabase(ctx, databaseName(stmtDb, ctx));
  const { range, rest } = splitTimeCondition(cond, ctx.nowNs);
  validateTagCondition(rest);
  const timed = hasTimeRef(cond);
  return { shards: localShards(ctx.meta, ctx.tsdb, db, timed ? range : undefined), cond: rest };
}

/** Series of the selected measurements that satisfy the condition, by measurement (sorted). */
function matchingSeries(shards: readonly LocalShard[], sources: readonly Source[], cond: Expr | null): Array<[string, MergedSeries[]]> {
  const out: Array<[string, MergedSeries[]]> = [];
  for (const m of allMeasurements(shards)) {
    if (!sourcesMatch(sources, m)) continue;
    const list = measurementSeries(shards, m).filter((s) => seriesMatches(cond, s));
    if (list.length > 0) out.push([m, list]);
  }
  return out;
}

/**
 * The measurements a SHOW MEASUREMENTS condition selects, with InfluxDB's index semantics: each
 * comparison is decided per measurement over the tag values it has (`=`/`=~`: some value matches,
 * `!=`/`!~`: none does, measurements without the tag never match), AND/OR intersect/unite the sets,
 * `_name` compares the measurement name. Errors are worded as 1.6.7 words them.
 */
function measurementsWhere(cond: Expr, names: readonly string[], tagValues: (m: string, key: string) => Set<string>): Set<string> {
  const e = unparen(cond);
  if (e.kind !== 'BinaryExpr') throw statementError('invalid condition expression');
  if (e.op === 'AND' || e.op === 'OR') {
    const l = measurementsWhere(e.lhs, names, tagValues);
    const r = measurementsWhere(e.rhs, names, tagValues);
    return new Set(names.filter((n) => (e.op === 'AND' ? l.has(n) && r.has(n) : l.has(n) || r.has(n))));
  }
  if (e.op !== '=' && e.op !== '!=' && e.op !== '=~' && e.op !== '!~') throw statementError('invalid tag comparison operator');
  const key = unparen(e.lhs);
  if (key.kind !== 'VarRef') throw statementError(`left side of '${e.op}' must be a tag key`);
  const rhs = unparen(e.rhs);
  const regex = e.op === '=~' || e.op === '!~';
  if (regex && rhs.kind !== 'RegexLiteral') throw statementError(`right side of '${e.op}' must be a regular expression`);
  if (!regex && rhs.kind !== 'StringLiteral') throw statementError(`right side of '${e.op}' must be a tag value string`);
  const positive = e.op === '=' || e.op === '=~';
  const test = rhs.kind === 'RegexLiteral' ? (v: string) => regexFor(rhs.pattern).test(v) : (v: string) => v === (rhs as StringLiteral).value;
  if (key.name === '_name') return new Set(names.filter((n) => test(n) === positive));
  const out = new Set<string>();
  for (const n of names) {
    const values = tagValues(n, key.name);
    if (values.size === 0) continue;
    let match = false;
    for (const v of values) if (test(v)) match = true;
    if (match === positive) out.add(n);
  }
  return out;
}

/** SHOW MEASUREMENTS: one `measurements` series; an unknown database answers nothing (as 1.6.7). */
export function showMeasurements(stmt: ShowMeasurementsStatement, ctx: StatementContext): Piece[] {
  const name = databaseName(stmt.database, ctx);
  if (hasTimeRef(stmt.condition)) throw statementError("SHOW MEASUREMENTS doesn't support time in WHERE clause");
  const db = ctx.meta.database(name);
  if (db === undefined) return [{}];
  const shards = localShards(ctx.meta, ctx.tsdb, db);
  const sources = stmt.source === null ? [] : [stmt.source];
  let names = allMeasurements(shards).filter((m) => sourcesMatch(sources, m));
  if (stmt.condition !== null) {
    const tagValues = (m: string, key: string): Set<string> => {
      const values = new Set<string>();
      for (const sh of shards) for (const info of sh.reader.series(m)) for (const [k, v] of info.tags) if (k === key) values.add(v);
      return values;
    };
    const selected = measurementsWhere(stmt.condition, names, tagValues);
    names = names.filter((n) => selected.has(n));
  }
  const values = page(names, stmt.limit, stmt.offset).map((n): Value[] => [n]);
  return single(values.length === 0 ? [] : [{ name: 'measurements', columns: ['name'], values }]);
}

/** SHOW SERIES: one `key` series over every selected series; LIMIT/OFFSET over the whole list. */
export function showSeries(stmt: ShowSeriesStatement, ctx: StatementContext): Piece[] {
  const { shards, cond } = scope(ctx, stmt.database, stmt.condition);
  // Series span every policy, but the databases and policies named (source, request) must exist, as in 1.6.7.
  const home = requireDatabase(ctx, databaseName(stmt.database, ctx));
  policyScope(ctx.meta, ctx.tsdb, home, stmt.sources, ctx.rp);
  // A source naming another database reads that database (1.6.7 rewrites SHOW SERIES per source).
  const groups = new Map<string, Source[]>();
  for (const src of stmt.sources) {
    const name = src.kind === 'Measurement' && src.database !== '' ? src.database : home.name;
    groups.set(name, [...(groups.get(name) ?? []), src]);
  }
  const found: Array<[string, MergedSeries[]]> = [];
  if (groups.size === 0 || (groups.size === 1 && groups.has(home.name))) {
    found.push(...matchingSeries(shards, stmt.sources, cond));
  } else {
    const { range } = splitTimeCondition(stmt.condition, ctx.nowNs);
    const timed = hasTimeRef(stmt.condition);
    for (const [name, sources] of groups) {
      const info = requireDatabase(ctx, name);
      found.push(...matchingSeries(localShards(ctx.meta, ctx.tsdb, info, timed ? range : undefined), sources, cond));
    }
    found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  const keys: Value[][] = [];
  for (const [, list] of found) for (const s of list) keys.push([s.info.key]);
  return emitSeries([{ name: '', columns: ['key'], values: page(keys, stmt.limit, stmt.offset) }], ctx.chunkSize);
}

/** SHOW TAG KEYS: a `tagKey` series per measurement (LIMIT/OFFSET per measurement, SLIMIT ignored as 1.6.7). */
export function showTagKeys(stmt: ShowTagKeysStatement, ctx: StatementContext): Piece[] {
  const { shards, cond } = scope(ctx, stmt.database, stmt.condition);
  const pieces: Piece[] = [];
  for (const [m, list] of matchingSeries(shards, stmt.sources, cond)) {
    const keys = new Set<string>();
    for (const s of list) for (const [k] of s.info.tags) keys.add(k);
    const values = page([...keys].sort(), stmt.limit, stmt.offset).map((k): Value[] => [k]);
    if (values.length > 0) pieces.push({ series: [{ name: m, columns: ['tagKey'], values }] });
  }
  return pieces.length === 0 ? [{}] : pieces;
}

/** A predicate for `WITH KEY op expr`. */
export function tagKeyMatcher(op: TagKeyOp, e: StringLiteral | RegexLiteral | ListLiteral): (key: string) => boolean {
  switch (op) {
    case '=':
      return (k) => k === (e as StringLiteral).value;
    case '!=':
      return (k) => k !== (e as StringLiteral).value;
    case '=~':
      return (k) => regexFor((e as RegexLiteral).pattern).test(k);
    case '!~':
      return (k) => !regexFor((e as RegexLiteral).pattern).test(k);
    default: {
      const set = new Set((e as ListLiteral).values);
      return (k) => set.has(k);
    }
  }
}

/** Distinct (key, value) pairs of matching series whose key passes `keyOk`, sorted by key then value. */
function tagPairs(list: readonly MergedSeries[], keyOk: (k: string) => boolean): Array<[string, string]> {
  const seen = new Set<string>();
  const pairs: Array<[string, string]> = [];
  for (const s of list) {
    for (const [k, v] of s.info.tags) {
      if (v === '' || !keyOk(k)) continue;
      const id = `${k}\u0000${v}`;
      if (seen.has(id)) continue;
      seen.add(id);
      pairs.push([k, v]);
    }
  }
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

/** SHOW TAG VALUES: a `key,value` series per measurement (LIMIT/OFFSET per measurement). */
export function showTagValues(stmt: ShowTagValuesStatement, ctx: StatementContext): Piece[] {
  const { shards, cond } = scope(ctx, stmt.database, stmt.condition);
  const keyOk = tagKeyMatcher(stmt.op, stmt.tagKeyExpr);
  const pieces: Piece[] = [];
  for (const [m, list] of matchingSeries(shards, stmt.sources, cond)) {
    const values = page(tagPairs(list, keyOk), stmt.limit, stmt.offset).map((p): Value[] => [p[0], p[1]]);
    if (values.length > 0) pieces.push({ series: [{ name: m, columns: ['key', 'value'], values }] });
  }
  return pieces.length === 0 ? [{}] : pieces;
}

/** SHOW FIELD KEYS: a `fieldKey,fieldType` series per measurement (LIMIT/OFFSET per measurement). */
export function showFieldKeys(stmt: ShowFieldKeysStatement, ctx: StatementContext): Piece[] {
  const db = requireDatabase(ctx, databaseName(stmt.database, ctx));
  // Fields are kept per shard: InfluxDB answers from one policy (the source's, the request's or the default).
  const series: Series[] = [];
  for (const [m, shards] of policyScope(ctx.meta, ctx.tsdb, db, stmt.sources, ctx.rp)) {
    const values = page(measurementFields(shards, m), stmt.limit, stmt.offset).map((f): Value[] => [f.name, f.type]);
    if (values.length > 0) series.push({ name: m, columns: ['fieldKey', 'fieldType'], values });
  }
  return emitSeries(series, ctx.chunkSize);
}

/** Helpers shared with the CARDINALITY statements. */
export { matchingSeries, page, scope, tagPairs };
