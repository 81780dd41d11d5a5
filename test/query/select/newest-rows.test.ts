// Raw rows newest first with a LIMIT (SELECT ... ORDER BY time DESC LIMIT n): the local mapper reads only
// the newest blocks, over a reader with scanDescending (tsdb-memory) and over one without (narrowed
// scans), takes a block's first point from its stats, and gives exactly the rows of a full read.
import test from 'ava';
import fc from 'fast-check';
import type { Block, ShardReader } from '../../../core/contracts/tsdb-store.js';
import type { Point } from '../../../core/model/point.js';
import { createLocalMapper } from '../../../core/query/select/local-mapper.js';
import { SELECT_MAP_VERSION, type RawRow, type SelectMapChunk, type SelectMapRequest } from '../../../core/query/select/map-request.js';
import { MemoryShardReader } from '../../../core/query/select/memory-reader.js';
import { FieldCursor } from '../../../core/query/select/series-rows.js';
import type { Value } from '../../../core/query/result.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

const S = 1_000_000_000n;

/** A real reader whose blocks count how many were produced and decoded. */
function counting(r: ShardReader): { reader: ShardReader; produced: () => number; decodes: () => number } {
  let produced = 0;
  let decodes = 0;
  const wrap = (b: Block): Block => {
    produced++;
    return { count: b.count, minTime: b.minTime, maxTime: b.maxTime, ...(b.stats ? { stats: b.stats } : {}), decode: () => (decodes++, b.decode()) };
  };
  const reader: ShardReader = {
    measurements: () => r.measurements(),
    series: (m) => r.series(m),
    fields: (m) => r.fields(m),
    *scan(key, field, tmin, tmax) {
      for (const b of r.scan(key, field, tmin, tmax)) yield wrap(b);
    },
  };
  if (r.scanDescending !== undefined) {
    const desc = r.scanDescending.bind(r);
    reader.scanDescending = function* (key, field, tmin, tmax) {
      for (const b of desc(key, field, tmin, tmax)) yield wrap(b);
    };
  }
  return { reader, produced: () => produced, decodes: () => decodes };
}

async function rows(r: ShardReader, req: SelectMapRequest): Promise<Array<{ key: string; rows: RawRow[] }>> {
  const m = createLocalMapper(r, req, 7);
  await m.open();
  const out: Array<{ key: string; rows: RawRow[] }> = [];
  for (let c = await m.nextChunk(); c !== null; c = await m.nextChunk()) {
    for (const g of (c as SelectMapChunk).groups ?? []) {
      const last = out[out.length - 1];
      if (last !== undefined && last.key === g.key) last.rows.push(...(g.rows as RawRow[]));
      else out.push({ key: g.key, rows: [...(g.rows as RawRow[])] });
    }
  }
  await m.close();
  return out;
}

function request(fields: readonly string[], rowLimit: number, ascending = false): SelectMapRequest {
  return {
    version: SELECT_MAP_VERSION,
    kind: 'data',
    measurement: 'cpu',
    tmin: '0',
    tmax: (1_000_000n * S).toString(),
    condition: null,
    dimensions: ['host'],
    interval: '0',
    offset: '0',
    ascending,
    columns: fields.map((name) => ({ kind: 'field' as const, name })),
    rowLimit,
    aggregates: null,
  };
}

/** 3 hosts × 4 aligned float fields × 100 points, blocks of 10 points with stats. */
function devops(): MemoryShardReader {
  const r = new MemoryShardReader({ blockPoints: 10, stats: true });
  for (const host of ['a', 'b', 'c']) {
    for (let k = 0; k < 100; k++) {
      r.add('cpu', [['host', host]], BigInt(k) * 10n * S, ['f0', 'f1', 'f2', 'f3'].map((f, i) => [f, k * 0.25 + i] as const));
    }
  }
  return r;
}

const FIELDS = ['f0', 'f1', 'f2', 'f3'];

test('DESC LIMIT 1 over stats blocks decodes nothing and reads the newest block of the other fields only', async (t) => {
  const c = counting(devops());
  const got = await rows(c.reader, request(FIELDS, 1));
  t.is(c.decodes(), 0);
  // first host: first field in full (10 blocks), the other three from its newest block on (1 each);
  // the next hosts start from that bound, so one block per field
  t.is(c.produced(), 10 + 3 + 2 * (1 + 3));
  t.deepEqual(
    got.map((g) => g.rows),
    [0, 1, 2].map(() => [[990n * S, 24.75, 25.75, 26.75, 27.75]]),
  );
});

test('DESC LIMIT n equals the first n rows of a full descending read', async (t) => {
  for (const limit of [1, 9, 10, 11, 25, 100, 150]) {
    const all = await rows(devops(), request(FIELDS, 0));
    const some = await rows(devops(), request(FIELDS, limit));
    t.deepEqual(
      some.map((g) => g.rows),
      all.map((g) => g.rows.slice(0, limit)),
      `limit ${limit}`,
    );
  }
});

test('a field cursor takes the first point of a stats block without decoding, and decodes when it moves on', (t) => {
  const c = counting(devops());
  const blocks = [...c.reader.scan('cpu,host=a', 'f1', 0n, 1_000_000n * S)];
  const asc = new FieldCursor(blocks, true);
  t.deepEqual([asc.t, asc.v, c.decodes()], [0n, 1, 0]);
  asc.advance();
  t.deepEqual([asc.t, asc.v, c.decodes()], [10n * S, 1.25, 1]);
  const desc = new FieldCursor([...blocks].reverse(), false);
  t.deepEqual([desc.t, desc.v, c.decodes()], [990n * S, 25.75, 1]);
  const seen: bigint[] = [];
  for (; !desc.done; desc.advance()) seen.push(desc.t);
  t.deepEqual(seen, Array.from({ length: 100 }, (_, k) => BigInt(99 - k) * 10n * S));
});

test('tsdb-memory lists blocks newest first lazily; DESC LIMIT through it matches a full read', async (t) => {
  const store = new MemoryTSDBStore({ maxBlockPoints: 10 });
  await store.start();
  t.teardown(() => store.stop());
  await store.createShard('db', 'rp', 1);
  const points: Point[] = [];
  for (const host of ['a', 'b']) {
    for (let k = 0; k < 95; k++) {
      const fields: Array<[string, number]> = [['f0', k * 1.5]];
      if (k % 3 === 0) fields.push(['f1', -k]);
      points.push({ measurement: 'cpu', tags: [['host', host]], fields, time: BigInt(k) * S, key: `cpu,host=${host}` });
    }
  }
  await store.writeToShard(1, points);
  const reader = store.reader(1);
  t.truthy(reader.scanDescending);
  const desc = [...(reader.scanDescending?.('cpu,host=a', 'f0', 0n, 1000n * S) ?? [])];
  t.deepEqual(desc.map((b) => [b.minTime, b.maxTime]).slice(0, 2), [[85n * S, 94n * S], [75n * S, 84n * S]]);
  t.is(desc.reduce((n, b) => n + b.count, 0), 95);
  const c = counting(reader);
  const got = await rows(c.reader, request(['f0', 'f1'], 2));
  t.true(c.produced() <= 2 * 2 * 2, `only the newest blocks are read (${c.produced()})`);
  const all = await rows(reader, request(['f0', 'f1'], 0));
  t.deepEqual(got.map((g) => g.rows), all.map((g) => g.rows.slice(0, 2)));
  t.deepEqual(got[0]?.rows, [[94n * S, 94 * 1.5, null], [93n * S, 93 * 1.5, -93]]);
});

test('property: DESC and ASC with LIMIT over sparse fields and odd blocks give the full read cut to LIMIT', async (t) => {
  const point = fc.record({ t: fc.integer({ min: 0, max: 60 }), field: fc.integer({ min: 0, max: 2 }), host: fc.integer({ min: 0, max: 2 }), v: fc.integer({ min: -50, max: 50 }) });
  await fc.assert(
    fc.asyncProperty(fc.array(point, { maxLength: 120 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (pts, blockPoints, limit, stats, ascending, nFields) => {
      const make = (): MemoryShardReader => {
        const r = new MemoryShardReader({ blockPoints, stats });
        // MemoryShardReader takes each series' rows in time order
        for (const p of [...pts].sort((a, b) => a.t - b.t)) r.add('cpu', [['host', `h${p.host}`]], BigInt(p.t) * S, [[`f${p.field}`, p.v / 4]]);
        return r;
      };
      const fields = ['f0', 'f1', 'f2'].slice(3 - nFields);
      const all = await rows(make(), request(fields, 0, ascending));
      const some = (await rows(make(), request(fields, limit, ascending))).filter((g) => g.rows.length > 0);
      const expect = all.map((g) => ({ key: g.key, rows: g.rows.slice(0, limit) })).filter((g) => g.rows.length > 0);
      return JSON.stringify(some, (_k, v: Value | unknown) => (typeof v === 'bigint' ? v.toString() : v)) ===
        JSON.stringify(expect, (_k, v: Value | unknown) => (typeof v === 'bigint' ? v.toString() : v));
    }),
    { numRuns: Number(process.env.QPERF_RUNS ?? 150) },
  );
  t.pass();
});
