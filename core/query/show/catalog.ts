import type { DatabaseInfo, MetaStore } from '../../contracts/meta-store.js';
import type { FieldInfo, SeriesInfo, ShardReader, TSDBStore } from '../../contracts/tsdb-store.js';
import { TesseraError } from '../../errors.js';
import type { Source } from '../ast.js';
import { regexFor, type SeriesView } from './tag-condition.js';
import type { TimeRange } from './time-condition.js';

/** One shard of a database that this node holds. */
export interface LocalShard {
  readonly id: number;
  readonly rp: string;
  readonly reader: ShardReader;
}

/**
 * The shards of `db` held by this node, ascending by ID; with `range`, only those whose shard group
 * overlaps it; with `rpName`, only that policy's. (Shards owned only by other nodes are not read here: SHOW statements are local.)
 */
export function localShards(meta: Pick<MetaStore, 'database'>, tsdb: TSDBStore, db: DatabaseInfo, range?: TimeRange, rpName?: string): LocalShard[] {
  const held = new Set(tsdb.shardIds());
  const out: LocalShard[] = [];
  for (const rp of db.retentionPolicies) {
    if (rpName !== undefined && rp.name !== rpName) continue;
    for (const g of rp.shardGroups) {
      if (g.deletedAt !== undefined) continue;
      if (range !== undefined && (g.endTime <= range.min || g.startTime > range.max)) continue;
      for (const s of g.shards) if (held.has(s.id)) out.push({ id: s.id, rp: rp.name, reader: tsdb.reader(s.id) });
    }
  }
  void meta;
  return out.sort((a, b) => a.id - b.id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Measurement names over the shards, sorted, deduplicated. */
export function allMeasurements(shards: readonly LocalShard[]): string[] {
  const set = new Set<string>();
  for (const s of shards) for (const m of s.reader.measurements()) set.add(m);
  return [...set].sort(cmp);
}

/** Does a FROM clause select measurement `name` (no FROM = all; regex sources match by pattern). */
export function sourcesMatch(sources: readonly Source[], name: string): boolean {
  if (sources.length === 0) return true;
  for (const src of sources) {
    if (src.kind !== 'Measurement') continue;
    if (src.regex !== null ? regexFor(src.regex.pattern).test(name) : src.name === name) return true;
  }
  return false;
}

/** A series of a measurement merged across shards, with a view for conditions. */
export interface MergedSeries extends SeriesView {
  readonly info: SeriesInfo;
}

/** Series of a measurement across the shards (deduplicated by key, sorted by key). */
export function measurementSeries(shards: readonly LocalShard[], measurement: string): MergedSeries[] {
  const byKey = new Map<string, SeriesInfo>();
  for (const s of shards) for (const info of s.reader.series(measurement)) if (!byKey.has(info.key)) byKey.set(info.key, info);
  const fields = new Set(measurementFields(shards, measurement).map((f) => f.name));
  return [...byKey.values()]
    .sort((a, b) => cmp(a.key, b.key))
    .map((info) => {
      const tags = new Map(info.tags);
      return { info, measurement, tag: (k: string) => tags.get(k) ?? '', isField: (n: string) => fields.has(n) && !tags.has(n) };
    });
}

/**
 * Fields of a measurement across shards: one entry per distinct (name, type), sorted by name then
 * type name, so a field stored with two types in two shards is listed twice (as InfluxDB 1.6.7 does).
 */
export function measurementFields(shards: readonly LocalShard[], measurement: string): FieldInfo[] {
  const seen = new Set<string>();
  const out: FieldInfo[] = [];
  for (const s of shards) {
    for (const f of s.reader.fields(measurement)) {
      const k = `${f.name}\u0000${f.type}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
    }
  }
  return out.sort((a, b) => cmp(a.name, b.name) || cmp(a.type, b.type));
}

/**
 * Per-policy scope of SHOW FIELD KEYS and the exact cardinalities: each FROM source reads the shards of
 * its own database and retention policy (`db.rp.m`), else the statement's database and the request's
 * `rp`, else the default; unknown ones are `database not found: <db>` / `retention policy not found: <rp>`. Returns the selected measurements (sorted) with the
 * shards each one is read from.
 */
export function policyScope(
  meta: Pick<MetaStore, 'database'>,
  tsdb: TSDBStore,
  db: DatabaseInfo,
  sources: readonly Source[],
  requestRp: string,
): Array<[string, LocalShard[]]> {
  const byMeasurement = new Map<string, Map<number, LocalShard>>();
  const measurementSources = sources.filter((s) => s.kind === 'Measurement');
  for (const src of measurementSources.length === 0 ? [null] : measurementSources) {
    const info = src !== null && src.database !== '' ? meta.database(src.database) : db;
    if (info === undefined) throw new TesseraError('ERR_QUERY_EXECUTION', `database not found: ${src!.database}`);
    const rp = src !== null && src.retentionPolicy !== '' ? src.retentionPolicy : requestRp !== '' ? requestRp : info.defaultRetentionPolicy;
    if (!info.retentionPolicies.some((p) => p.name === rp)) throw new TesseraError('ERR_QUERY_EXECUTION', `retention policy not found: ${rp}`);
    const shards = localShards(meta, tsdb, info, undefined, rp);
    for (const m of allMeasurements(shards)) {
      if (src !== null && !sourcesMatch([src], m)) continue;
      let set = byMeasurement.get(m);
      if (set === undefined) byMeasurement.set(m, (set = new Map()));
      for (const sh of shards) set.set(sh.id, sh);
    }
  }
  return [...byMeasurement.entries()].sort((a, b) => cmp(a[0], b[0])).map(([m, set]) => [m, [...set.values()]]);
}
