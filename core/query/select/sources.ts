import type { Mapper } from '../../contracts/mapper.js';
import type { ShardInfo } from '../../contracts/meta-store.js';
import { TesseraError } from '../../errors.js';
import type { FieldType } from '../../model/point.js';
import type { Measurement } from '../ast.js';
import type { SourceSchema } from './columns.js';
import type { SelectContext } from './context.js';
import { SELECT_MAP_VERSION, type MeasurementSchema, type SelectMapChunk, type SelectMapRequest } from './map-request.js';

/** One measurement to read, with the shards that may hold it and its merged schema. */
export interface ResolvedMeasurement {
  readonly db: string;
  readonly rp: string;
  readonly name: string;
  readonly shards: readonly ShardInfo[];
  readonly fields: Map<string, FieldType>;
  readonly tagKeys: Set<string>;
}

/** Reads every chunk of a mapper (small results only: schemas). */
export async function drain(m: Mapper): Promise<SelectMapChunk[]> {
  const out: SelectMapChunk[] = [];
  try {
    await m.open();
    for (;;) {
      const c = (await m.nextChunk()) as SelectMapChunk | null;
      if (c === null) break;
      out.push(c);
    }
  } finally {
    await m.close();
  }
  return out;
}

/** Shards of (db, rp) overlapping [tmin, tmax]; errors as InfluxDB words them. */
export function shardsFor(ctx: SelectContext, db: string, rp: string, tmin: bigint, tmax: bigint): ShardInfo[] {
  if (db === '') throw new TesseraError('ERR_QUERY_EXECUTION', 'database name required');
  const dbi = ctx.meta.database(db);
  if (dbi === undefined) throw new TesseraError('ERR_QUERY_EXECUTION', `database not found: ${db}`);
  const rpi = ctx.meta.retentionPolicy(db, rp);
  if (rpi === undefined) {
    if (rp === '') return [];
    throw new TesseraError('ERR_QUERY_EXECUTION', `retention policy not found: ${rp}`);
  }
  const shards: ShardInfo[] = [];
  for (const g of ctx.meta.shardGroupsByTimeRange(db, rpi.name, tmin, tmax)) shards.push(...g.shards);
  return shards;
}

/**
 * Resolves measurement sources (names and regexes, per db/rp) to the measurements that exist in the
 * shards overlapping the time range, asking each shard's mapper for its schema. Sorted by name.
 */
export async function resolveMeasurements(
  sources: readonly Measurement[],
  ctx: SelectContext,
  tmin: bigint,
  tmax: bigint,
): Promise<ResolvedMeasurement[]> {
  const byDbRp = new Map<string, { db: string; rp: string; names: string[]; patterns: string[] }>();
  for (const s of sources) {
    const db = s.database !== '' ? s.database : ctx.db;
    const rp = s.retentionPolicy !== '' ? s.retentionPolicy : ctx.rp;
    const k = `${db}\u0000${rp}`;
    let e = byDbRp.get(k);
    if (e === undefined) {
      e = { db, rp, names: [], patterns: [] };
      byDbRp.set(k, e);
    }
    if (s.regex !== null) e.patterns.push(s.regex.pattern);
    else e.names.push(s.name);
  }
  const out = new Map<string, ResolvedMeasurement & { shardList: ShardInfo[] }>();
  for (const e of byDbRp.values()) {
    const shards = shardsFor(ctx, e.db, e.rp, tmin, tmax);
    const req: SelectMapRequest = { version: SELECT_MAP_VERSION, kind: 'schema', names: e.names, patterns: e.patterns };
    const perShard = await Promise.all(
      shards.map(async (sh) => ({ sh, chunks: await drain(await ctx.shardMapper.createMapper(sh, req, ctx.chunkSize)) })),
    );
    for (const { sh, chunks } of perShard) {
      for (const c of chunks) {
        for (const ms of c.schema ?? ([] as MeasurementSchema[])) {
          const k = `${e.db}\u0000${e.rp}\u0000${ms.name}`;
          let r = out.get(k);
          if (r === undefined) {
            r = { db: e.db, rp: e.rp, name: ms.name, shards: [], shardList: [], fields: new Map(), tagKeys: new Set() };
            out.set(k, r);
          }
          r.shardList.push(sh);
          for (const [f, t] of ms.fields) if (!r.fields.has(f)) r.fields.set(f, t);
          for (const t of ms.tagKeys) r.tagKeys.add(t);
        }
      }
    }
  }
  return [...out.values()]
    .map((r) => ({ db: r.db, rp: r.rp, name: r.name, shards: r.shardList, fields: r.fields, tagKeys: r.tagKeys }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The union schema of several measurements (SELECT * over a regex FROM shows every column). */
export function unionSchema(ms: readonly ResolvedMeasurement[]): SourceSchema {
  const fields = new Map<string, FieldType>();
  const tagKeys = new Set<string>();
  for (const m of ms) {
    for (const [f, t] of m.fields) if (!fields.has(f)) fields.set(f, t);
    for (const t of m.tagKeys) tagKeys.add(t);
  }
  return { fields, tagKeys };
}
