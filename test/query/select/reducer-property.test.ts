// The reducer merging partials from several mappers (data split across shards at random) gives the
// same answer as one mapper over all the data: for every mergeable and raw-value aggregate.
import test from 'ava';
import fc from 'fast-check';
import type { Mapper } from '../../../core/contracts/mapper.js';
import { finalize, multiRows } from '../../../core/query/select/functions.js';
import { createLocalMapper } from '../../../core/query/select/local-mapper.js';
import { SELECT_MAP_VERSION, decodeWire, encodeWire, type AggRow, type AggSpec, type PartialState, type SelectMapRequest } from '../../../core/query/select/map-request.js';
import { MemoryShardReader } from '../../../core/query/select/memory-reader.js';
import { reduceMappers } from '../../../core/query/select/reducer.js';

const FNS: Array<{ fn: string; op: AggSpec['op']; arg: number }> = [
  { fn: 'count', op: 'count', arg: 0 },
  { fn: 'sum', op: 'sum', arg: 0 },
  { fn: 'mean', op: 'mean', arg: 0 },
  { fn: 'min', op: 'min', arg: 0 },
  { fn: 'max', op: 'max', arg: 0 },
  { fn: 'first', op: 'first', arg: 0 },
  { fn: 'last', op: 'last', arg: 0 },
  { fn: 'spread', op: 'spread', arg: 0 },
  { fn: 'stddev', op: 'stddev', arg: 0 },
  { fn: 'median', op: 'raw', arg: 0 },
  { fn: 'percentile', op: 'raw', arg: 90 },
  { fn: 'mode', op: 'raw', arg: 0 },
];

/** Multi-row functions checked too (their rows, not just one value). */
const MULTI: Array<{ fn: string; field: string; arg: number }> = [
  { fn: 'top', field: 'f', arg: 3 },
  { fn: 'bottom', field: 'i', arg: 2 },
  { fn: 'distinct', field: 'i', arg: 0 },
];

interface Pt {
  host: string;
  t: number;
  f: number;
  i: bigint;
  shard: number;
}

async function run(readers: MemoryShardReader[], req: SelectMapRequest, specs: AggSpec[], viaWire: boolean): Promise<unknown[]> {
  const wireReq = viaWire ? decodeWire<SelectMapRequest>(encodeWire(req)) : req;
  const mappers: Mapper[] = readers.map((r) => {
    const m = createLocalMapper(r, wireReq, 7);
    if (!viaWire) return m;
    // Chunks cross the wire as JSON with bigints: the reducer must not care.
    return { ...m, open: () => m.open(), close: () => m.close(), tagSets: () => m.tagSets(), fields: () => m.fields(), nextChunk: async () => { const c = await m.nextChunk(); return c === null ? null : decodeWire(encodeWire(c)); } };
  });
  await Promise.all(mappers.map((m) => m.open()));
  const out: unknown[] = [];
  for await (const b of reduceMappers(mappers, specs, true)) {
    for (const row of b.rows as AggRow[]) {
      const n = FNS.length * 2;
      const multi = MULTI.map((m, k) => multiRows(m.fn, row[1][n + k] as PartialState, m.arg, 0, row[0]).map((r) => [r.t, r.v]));
      out.push([b.key, row[0], ...FNS.flatMap((f, k) => [finalize(f.fn, row[1][2 * k] as PartialState, f.arg).v, finalize(f.fn, row[1][2 * k + 1] as PartialState, f.arg).v]), ...multi]);
    }
  }
  await Promise.all(mappers.map((m) => m.close()));
  return out;
}

/**
 * Equal, floats within rounding. Float results (mean, stddev...) accumulate in a different order when the
 * data is split, so their error scales with the inputs' magnitude (sum of |values|), not the result's:
 * e.g. the mean of 4.6e18 and -4.6e18 is ~2e11 and any order of float additions is off by ~1e2.
 */
function close(a: unknown, b: unknown, scale = 1): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(scale, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], scale));
  return a === b;
}

test('merging partials from random shard splits equals one mapper over all the data', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          host: fc.constantFrom('a', 'b', 'c'),
          t: fc.integer({ min: 0, max: 400 }),
          f: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          i: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
          shard: fc.integer({ min: 0, max: 3 }),
        }),
        { minLength: 0, maxLength: 120 },
      ),
      fc.integer({ min: 1, max: 9 }),
      fc.constantFrom(0n, 10n, 37n, 100n),
      fc.boolean(),
      fc.boolean(),
      async (raw: Pt[], blockPoints: number, interval: bigint, stats: boolean, byHost: boolean) => {
        // One point per (series, time): a point lives in exactly one shard.
        const seen = new Set<string>();
        const pts = raw.filter((p) => {
          const k = `${p.host}:${p.t}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        }).sort((a, b) => a.t - b.t);
        const one = new MemoryShardReader({ blockPoints, stats });
        const split = [0, 1, 2, 3].map(() => new MemoryShardReader({ blockPoints, stats }));
        for (const p of pts) {
          const fields: Array<[string, number | bigint]> = [['f', p.f], ['i', p.i]];
          one.add('m', [['host', p.host]], BigInt(p.t), fields);
          (split[p.shard] as MemoryShardReader).add('m', [['host', p.host]], BigInt(p.t), fields);
        }
        const specs: AggSpec[] = FNS.flatMap((f) => [
          { op: f.op, field: 'f', withTime: false, aux: [] },
          { op: f.op, field: 'i', withTime: false, aux: [] },
        ]);
        for (const m of MULTI) specs.push({ op: 'raw', field: m.field, withTime: false, aux: [] });
        const req: SelectMapRequest = {
          version: SELECT_MAP_VERSION,
          kind: 'data',
          measurement: 'm',
          tmin: '0',
          tmax: '1000',
          condition: null,
          dimensions: byHost ? ['host'] : [],
          interval: interval.toString(),
          offset: '0',
          ascending: true,
          columns: [],
          aggregates: specs,
        };
        const a = await run([one], req, specs, false);
        const b = await run(split, req, specs, true);
        const scale = pts.reduce((s, p) => s + Math.abs(p.f) + Math.abs(Number(p.i)), 1);
        return close(a, b, scale);
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});

test('raw rows merged from random shard splits: the same rows as one mapper, in time order per tag set', async (t) => {
  const canon = (rows: unknown[][]): string[] => rows.map((r) => encodeWire(r)).sort();
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ host: fc.constantFrom('a', 'b', 'c', 'd'), t: fc.integer({ min: 0, max: 50 }), f: fc.integer({ min: -5, max: 5 }), shard: fc.integer({ min: 0, max: 2 }) }), { maxLength: 80 }),
      fc.boolean(),
      fc.boolean(),
      async (raw, byHost, asc) => {
        const seen = new Set<string>();
        const one = new MemoryShardReader({ blockPoints: 4 });
        const split = [0, 1, 2].map(() => new MemoryShardReader({ blockPoints: 4 }));
        for (const p of [...raw].sort((x, y) => x.t - y.t)) {
          if (seen.has(`${p.host}:${p.t}`)) continue;
          seen.add(`${p.host}:${p.t}`);
          one.add('m', [['host', p.host]], BigInt(p.t), [['f', p.f]]);
          (split[p.shard] as MemoryShardReader).add('m', [['host', p.host]], BigInt(p.t), [['f', p.f]]);
        }
        const req: SelectMapRequest = {
          version: SELECT_MAP_VERSION, kind: 'data', measurement: 'm', tmin: '0', tmax: '100', condition: null,
          dimensions: byHost ? ['host'] : [], interval: '0', offset: '0', ascending: asc,
          columns: [{ kind: 'field', name: 'f' }, { kind: 'tag', name: 'host' }], aggregates: null,
        };
        const collect = async (readers: MemoryShardReader[]): Promise<Array<[string, unknown[]]>> => {
          const ms = readers.map((r) => createLocalMapper(r, req, 5));
          await Promise.all(ms.map((m) => m.open()));
          const out: Array<[string, unknown[]]> = [];
          const tie = (x: unknown[], y: unknown[]): boolean => (asc ? (x[2] as string) < (y[2] as string) : (x[2] as string) > (y[2] as string));
          for await (const b of reduceMappers(ms, null, asc, 16, asc, tie)) for (const r of b.rows) out.push([b.key, r as unknown[]]);
          await Promise.all(ms.map((m) => m.close()));
          return out;
        };
        const a = await collect([one]);
        const b = await collect(split);
        const sameRows = JSON.stringify(canon(a.map(([k, r]) => [k, ...r]))) === JSON.stringify(canon(b.map(([k, r]) => [k, ...r])));
        const ordered = b.every(([k, r], i) => {
          if (i === 0) return true;
          const [pk, pr] = b[i - 1] as [string, unknown[]];
          if (pk !== k) return asc ? pk < k : pk > k;
          return asc ? (pr[0] as bigint) <= (r[0] as bigint) : (pr[0] as bigint) >= (r[0] as bigint);
        });
        return sameRows && ordered;
      },
    ),
    { numRuns: 120 },
  );
  t.pass();
});
