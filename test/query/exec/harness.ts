import { parseLines } from '../../../core/model/line-protocol-parser.js';
import type { ExecutionContext } from 'ava';
import { ShardMapper } from '../../../core/cluster/shard-mapper.js';
import { silentLogger } from '../../../core/logger.js';
import type { Point } from '../../../core/model/point.js';
import { QueryExecutor, type ExecuteOptions } from '../../../core/query/executor.js';
import { formatJson } from '../../../core/query/format-json.js';
import { mergeResult } from '../../../core/query/format-merge.js';
import type { StatementResult } from '../../../core/query/result.js';
import { MemoryMetaStore } from '../../../core/testing/memory-meta-store.js';
import { makePoint } from '../../../core/testing/points.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

/** A QueryExecutor over a started MemoryMetaStore and tsdb-memory, with helpers to write and query. */
export interface Env {
  meta: MemoryMetaStore;
  tsdb: MemoryTSDBStore;
  exec: QueryExecutor;
  /** Writes points to db (default rp) the way the PointsWriter places them: shard group by time. */
  write(db: string, points: readonly Point[], rp?: string): Promise<void>;
  /** Runs a query (POST unless readOnly) and returns the non-chunked merged results. */
  results(q: string, opts?: Partial<ExecuteOptions>): Promise<StatementResult[]>;
  /** Runs a query and returns the non-chunked JSON body as InfluxDB writes it. */
  json(q: string, opts?: Partial<ExecuteOptions> & { epoch?: string }): Promise<string>;
  /** Every StatementResult as produced (chunked view). */
  pieces(q: string, opts?: Partial<ExecuteOptions>): Promise<StatementResult[]>;
  close(): Promise<void>;
}

export async function setup(): Promise<Env> {
  const logger = silentLogger();
  const meta = new MemoryMetaStore({ logger });
  const tsdb = new MemoryTSDBStore({ logger });
  await meta.start();
  await tsdb.start();
  const exec = new QueryExecutor({ meta, tsdb, shardMapper: new ShardMapper(tsdb, meta), logger });
  const options = (o: Partial<ExecuteOptions> = {}): ExecuteOptions => ({ db: '', rp: '', readOnly: false, ...o });
  const pieces = async (q: string, o?: Partial<ExecuteOptions>): Promise<StatementResult[]> => {
    const out: StatementResult[] = [];
    for await (const r of exec.execute(q, options(o))) out.push(r);
    return out;
  };
  const results = async (q: string, o?: Partial<ExecuteOptions>): Promise<StatementResult[]> => {
    const acc: StatementResult[] = [];
    for (const r of await pieces(q, o)) mergeResult(acc, r);
    return acc;
  };
  return {
    meta,
    tsdb,
    exec,
    pieces,
    results,
    json: async (q, o = {}) => formatJson({ results: await results(q, o) }, { epoch: o.epoch ?? '' }),
    async write(db, points, rp = '') {
      const rpName = meta.retentionPolicy(db, rp)!.name;
      const byShard = new Map<number, Point[]>();
      for (const p of points) {
        const g = await meta.createShardGroupIfNotExists(db, rpName, p.time);
        const id = g.shards[0]!.id;
        if (!byShard.has(id)) byShard.set(id, []);
        byShard.get(id)!.push(p);
      }
      for (const [id, ps] of byShard) {
        await tsdb.createShard(db, rpName, id);
        await tsdb.writeToShard(id, ps);
      }
    },
    async close() {
      await tsdb.stop();
      await meta.stop();
    },
  };
}

const S = 1_000_000_000n;

/** The `meta` data set of the schema conformance group (cpu, mem, disk at 2020-01-01). */
export function schemaPoints(): Point[] {
  const t0 = 1577836800n * S;
  const t1 = 1577836860n * S;
  const t2 = 1577836920n * S;
  return [
    makePoint('cpu', { host: 'a', region: 'east' }, { usage_user: 10, usage_system: 5, count_i: 0n, ok: true, note: 'hello' }, t0),
    makePoint('cpu', { host: 'b', region: 'east' }, { usage_user: 50, usage_system: 2, count_i: 100n, ok: true, note: 'b0' }, t0),
    makePoint('cpu', { host: 'c', region: 'west' }, { usage_user: -5, usage_system: 1.5, count_i: 1000n, ok: false, note: 'c' }, t0),
    makePoint('cpu', { host: 'a', region: 'east' }, { usage_user: 12.5, usage_system: 4.75, count_i: 10n, ok: false, note: 'hello' }, t1),
    makePoint('mem', { host: 'a' }, { used: 1000n, free: 5000n }, t0),
    makePoint('mem', { host: 'b' }, { used: 2000n, free: 3000n }, t0),
    makePoint('disk', { path: '/', host: 'a' }, { used_percent: 40 }, t0),
    makePoint('disk', { path: '/', host: 'a' }, { used_percent: 42 }, t2),
  ];
}

/**
 * Writes line protocol `lines` (precision s) into a fresh database `db` and checks each query's JSON body
 * against the answer recorded from InfluxDB 1.6.7.
 */
export async function checkRecorded(t: ExecutionContext, db: string, lines: string, cases: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const env = await setup();
  t.teardown(() => env.close());
  await env.meta.createDatabase(db);
  await env.write(db, parseLines(Buffer.from(lines), { precision: 's', nowNs: 0n }).points);
  for (const [q, want] of cases) t.is((await env.json(q, { db })).trim(), want, q);
}
