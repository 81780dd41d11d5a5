// Test harness: a real MemoryMetaStore + MemoryTSDBStore, points written the way PointsWriter maps
// them (shard group by time), queries parsed by the real parser and run by executeSelect.
import { ShardMapper } from '../../../core/cluster/shard-mapper.js';
import { silentLogger } from '../../../core/logger.js';
import type { FieldValue, Point } from '../../../core/model/point.js';
import type { SelectStatement } from '../../../core/query/ast.js';
import { parseQuery } from '../../../core/query/parser.js';
import type { Series, Value } from '../../../core/query/result.js';
import { executeSelect } from '../../../core/query/select/index.js';
import { makePoint } from '../../../core/testing/points.js';
import { MemoryMetaStore } from '../../../core/testing/memory-meta-store.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

export interface Db {
  meta: MemoryMetaStore;
  tsdb: MemoryTSDBStore;
  write(points: readonly Point[]): Promise<void>;
  query(q: string, opts?: { nowNs?: bigint; chunkSize?: number }): Promise<Series[]>;
  /** Series pieces as yielded (not concatenated). */
  pieces(q: string, opts?: { nowNs?: bigint; chunkSize?: number }): Promise<Series[]>;
  stop(): Promise<void>;
}

/** Splits on `sep` where not escaped by a backslash (and, for fields, not inside double quotes). */
function splitUnescaped(text: string, sep: string, quotes = false): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] as string);
      i++;
      continue;
    }
    if (quotes && c === '"') inQ = !inQ;
    if (c === sep && !inQ) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

/** A small line-protocol reader for the test data (escapes, quoted strings; precision seconds). */
export function lines(text: string): Point[] {
  const out: Point[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [head, fieldsText, ts] = splitUnescaped(line, ' ', true) as [string, string, string];
    const [m, ...tagParts] = splitUnescaped(head, ',');
    const tags: Record<string, string> = {};
    for (const t of tagParts) {
      const [k, v] = splitUnescaped(t, '=') as [string, string];
      tags[unescape(k)] = unescape(v);
    }
    const fields: Record<string, FieldValue> = {};
    for (const f of splitUnescaped(fieldsText, ',', true)) {
      const [k, v] = splitUnescaped(f, '=', true) as [string, string];
      const key = unescape(k);
      if (v.startsWith('"')) fields[key] = v.slice(1, -1).replace(/\\"/g, '"');
      else if (v.endsWith('i')) fields[key] = BigInt(v.slice(0, -1));
      else if (v === 'true' || v === 'false') fields[key] = v === 'true';
      else fields[key] = Number(v);
    }
    out.push(makePoint(unescape(m as string), tags, fields, BigInt(ts) * 1_000_000_000n));
  }
  return out;
}

export async function openDb(name = 'db0', options: { maxBlockPoints?: number } = {}): Promise<Db> {
  const meta = new MemoryMetaStore({ address: '127.0.0.1:1' });
  await meta.start();
  await meta.createDatabase(name);
  const tsdb = new MemoryTSDBStore({ maxBlockPoints: options.maxBlockPoints ?? 1000 });
  await tsdb.start();
  const shardMapper = new ShardMapper(tsdb, meta);
  const run = async (q: string, opts: { nowNs?: bigint; chunkSize?: number } = {}): Promise<Series[]> => {
    const [stmt] = parseQuery(q);
    const out: Series[] = [];
    for await (const s of executeSelect(stmt as SelectStatement, {
      db: name,
      rp: '',
      meta,
      shardMapper,
      nowNs: opts.nowNs ?? BigInt(Date.now()) * 1_000_000n,
      chunkSize: opts.chunkSize ?? 10000,
      logger: silentLogger(),
      writePoints: async (db, rp, points) => {
        await writeTo(db, rp, points);
      },
    })) out.push(s);
    return out;
  };
  const writeTo = async (db: string, rp: string, points: readonly Point[]): Promise<void> => {
    const byShard = new Map<number, Point[]>();
    for (const p of points) {
      const g = await meta.createShardGroupIfNotExists(db, rp, p.time);
      const shard = g.shards[0];
      if (shard === undefined) throw new Error('no shard');
      let list = byShard.get(shard.id);
      if (list === undefined) {
        list = [];
        byShard.set(shard.id, list);
        await tsdb.createShard(db, rp === '' ? 'autogen' : rp, shard.id);
      }
      list.push(p);
    }
    for (const [id, ps] of byShard) await tsdb.writeToShard(id, ps);
  };
  return {
    meta,
    tsdb,
    write: (points) => writeTo(name, '', points),
    pieces: run,
    async query(q, opts) {
      // Concatenate pieces of the same series, as a non-chunked response does.
      const merged: Series[] = [];
      let open = false;
      for (const s of await run(q, opts)) {
        const last = merged[merged.length - 1];
        if (open && last !== undefined) last.values.push(...s.values);
        else merged.push({ name: s.name, ...(s.tags ? { tags: s.tags } : {}), columns: s.columns, values: [...s.values] });
        open = s.partial === true;
      }
      return merged;
    },
    async stop() {
      await tsdb.stop();
      await meta.stop();
    },
  };
}

/** Values with time as ISO strings and bigints as numbers: easy to compare with InfluxDB's JSON. */
export function simple(series: readonly Series[]): unknown[] {
  return series.map((s) => ({
    name: s.name,
    ...(s.tags ? { tags: s.tags } : {}),
    columns: s.columns,
    values: s.values.map((r) => r.map((v: Value, i) => (i === 0 && typeof v === 'bigint' ? iso(v) : typeof v === 'bigint' ? Number(v) : v))),
  }));
}

function iso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const d = new Date(Number(ms)).toISOString().replace('.000Z', 'Z');
  return d;
}
