// The local mapper over a real ShardReader (MemoryShardReader): schema requests, block-stats pushdown,
// raw row limits, ordering, and refusal of an unknown request version.
import test from 'ava';
import type { Block, ShardReader } from '../../../core/contracts/tsdb-store.js';
import { hasCode } from '../../../core/errors.js';
import { createLocalMapper } from '../../../core/query/select/local-mapper.js';
import { SELECT_MAP_VERSION, type AggRow, type RawRow, type SelectMapChunk, type SelectMapRequest } from '../../../core/query/select/map-request.js';
import { MemoryShardReader } from '../../../core/query/select/memory-reader.js';
import { parseExpr } from '../../../core/query/parser.js';
import { SeriesIndex } from '../../../core/tsdb/series-index.js';

const S = 1_000_000_000n;

function reader(stats: boolean): MemoryShardReader {
  const r = new MemoryShardReader({ blockPoints: 10, stats });
  for (let k = 0; k < 60; k++) {
    r.add('cpu', [['host', k % 2 === 0 ? 'a' : 'b']], BigInt(k) * S, [['v', k * 1.5], ['i', BigInt(k)]]);
  }
  r.add('mem', [['host', 'a'], ['dc', 'x']], 0n, [['used', 1n]]);
  return r;
}

/** Counts decode() calls of a real reader's blocks. */
function counting(r: ShardReader): { reader: ShardReader; decodes: () => number } {
  let n = 0;
  return {
    decodes: () => n,
    reader: {
      measurements: () => r.measurements(),
      series: (m) => r.series(m),
      fields: (m) => r.fields(m),
      *scan(key, field, tmin, tmax) {
        for (const b of r.scan(key, field, tmin, tmax)) {
          const blk: Block = { count: b.count, minTime: b.minTime, maxTime: b.maxTime, ...(b.stats ? { stats: b.stats } : {}), decode: () => (n++, b.decode()) };
          yield blk;
        }
      },
    },
  };
}

async function drain(r: ShardReader, req: SelectMapRequest, chunkSize = 4): Promise<SelectMapChunk[]> {
  const m = createLocalMapper(r, req, chunkSize);
  await m.open();
  const out: SelectMapChunk[] = [];
  for (let c = await m.nextChunk(); c !== null; c = await m.nextChunk()) out.push(c as SelectMapChunk);
  await m.close();
  return out;
}

const base = { version: SELECT_MAP_VERSION, kind: 'data', measurement: 'cpu', tmin: '0', tmax: (1000n * S).toString(), condition: null, offset: '0', ascending: true, columns: [] } as const;

test('a schema request lists the matching measurements with fields and tag keys', async (t) => {
  const [c] = await drain(reader(false), { version: SELECT_MAP_VERSION, kind: 'schema', names: ['cpu'], patterns: ['^me'] });
  t.deepEqual(c?.schema, [
    { name: 'cpu', fields: [['i', 'integer'], ['v', 'float']], tagKeys: ['host'] },
    { name: 'mem', fields: [['used', 'integer']], tagKeys: ['dc', 'host'] },
  ]);
});

test('count/sum/mean/first/last use block stats without decoding when a block fits one bucket', async (t) => {
  const aggs = (['count', 'sum', 'mean', 'first', 'last'] as const).map((op) => ({ op, field: 'v', withTime: false, aux: [] }));
  const withStats = counting(reader(true));
  const a = await drain(withStats.reader, { ...base, dimensions: [], interval: (100n * S).toString(), aggregates: aggs });
  t.is(withStats.decodes(), 0);
  const without = counting(reader(false));
  const b = await drain(without.reader, { ...base, dimensions: [], interval: (100n * S).toString(), aggregates: aggs });
  t.true(without.decodes() > 0);
  const rowsA = a.flatMap((c) => c.groups ?? []).flatMap((g) => g.rows as AggRow[]);
  const rowsB = b.flatMap((c) => c.groups ?? []).flatMap((g) => g.rows as AggRow[]);
  t.is(rowsA.length, 1);
  t.deepEqual(rowsA[0]?.[1].map((s) => [s.n, s.s, s.p?.v]), rowsB[0]?.[1].map((s) => [s.n, s.s, s.p?.v]));
});

test('min/max need decoding when the selected point time matters', async (t) => {
  const r = counting(reader(true));
  await drain(r.reader, { ...base, dimensions: [], interval: '0', aggregates: [{ op: 'max', field: 'v', withTime: true, aux: [] }] });
  t.true(r.decodes() > 0);
});

test('raw rows: per tag set in key order, time order within, at most rowLimit each, descending on request', async (t) => {
  const req: SelectMapRequest = { ...base, dimensions: ['host'], interval: '0', columns: [{ kind: 'field', name: 'i' }], aggregates: null, rowLimit: 3 };
  const byKey = (chunks: SelectMapChunk[]): Array<[string, bigint[]]> => {
    const m = new Map<string, bigint[]>();
    for (const g of chunks.flatMap((c) => c.groups ?? [])) m.set(g.key, [...(m.get(g.key) ?? []), ...(g.rows as RawRow[]).map((r) => r[1] as bigint)]);
    return [...m.entries()];
  };
  t.deepEqual(byKey(await drain(reader(false), req)), [
    ['a', [0n, 2n, 4n]],
    ['b', [1n, 3n, 5n]],
  ]);
  t.deepEqual(byKey(await drain(reader(false), { ...req, ascending: false })), [
    ['b', [59n, 57n, 55n]],
    ['a', [58n, 56n, 54n]],
  ]);
});

test('chunks hold at most chunkSize rows', async (t) => {
  const chunks = await drain(reader(false), { ...base, dimensions: [], interval: '0', columns: [{ kind: 'field', name: 'v' }], aggregates: null }, 7);
  for (const c of chunks) t.true((c.groups ?? []).reduce((n, g) => n + g.rows.length, 0) <= 7);
  t.is(chunks.reduce((n, c) => n + (c.groups ?? []).reduce((k, g) => k + g.rows.length, 0), 0), 60);
});

test('a request of another version is refused with ERR_QUERY_EXECUTION', async (t) => {
  const m = createLocalMapper(reader(false), { version: 99 }, 10);
  const err = await t.throwsAsync(m.open());
  t.true(hasCode(err, 'ERR_QUERY_EXECUTION'));
});

test('tag equalities in the condition pick series through a SeriesIndex with the same answers as evaluating every series', async (t) => {
  const r = new MemoryShardReader({ blockPoints: 10, stats: false });
  const hosts = ['a', 'b', 'c', 'd'];
  const regions = ['x', 'y', ''];
  for (let k = 0; k < 48; k++) {
    const tags: Array<[string, string]> = [['host', hosts[k % 4]!]];
    const region = regions[k % 3]!;
    if (region !== '') tags.push(['region', region]);
    // `v = 2` compares a field: no narrowing by tag
    r.add('cpu', tags, BigInt(k) * S, [['v', k % 5], ['w', k]]);
  }
  const indexed: ShardReader = {
    measurements: () => r.measurements(),
    series: (m) => r.series(m),
    fields: (m) => r.fields(m),
    scan: (key, field, tmin, tmax) => r.scan(key, field, tmin, tmax),
    seriesIndex: (m) => new SeriesIndex(r.series(m)),
  };
  const conditions = [
    "host = 'a'",
    "'b' = host",
    "host = 'a' OR host = 'c'",
    "host = 'a' AND region = 'x'",
    "(host = 'a' OR host = 'b') AND region = 'y'",
    "host = 'a' OR w > 40",
    "region = ''",
    "host = 'nope'",
    "host = 'a' AND host = 'b'",
    "host::tag = 'd'",
    'v = 2',
    "host = 'b' AND v = 1",
    "NOT_A_TAG = ''",
    "host != 'a' AND region = 'x'",
    "host =~ /^[ab]$/ OR host = 'd'",
  ];
  for (const text of conditions) {
    const req: SelectMapRequest = {
      ...base,
      condition: parseExpr(text),
      dimensions: ['host', 'region'],
      interval: '0',
      aggregates: [{ op: 'count', field: 'w', withTime: false, aux: [] }],
    };
    const plain = await drain(r, req);
    const fast = await drain(indexed, req);
    t.deepEqual(fast, plain, text);
    t.true(plain.some((c) => (c.groups ?? []).length > 0) || text.includes('nope') || text.includes("AND host = 'b'"), `${text} selects something`);
  }
});
