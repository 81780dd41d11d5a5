import test from 'ava';
import { MAX_TIME, MIN_TIME, type Point } from '../../../core/index.js';
import { makePoint } from '../../../core/testing/index.js';
import { BlockCache } from '../../../plugins/tsdb-file/block-cache.js';
import type { BlockRef } from '../../../plugins/tsdb-file/segment-format.js';
import type { SegmentReader } from '../../../plugins/tsdb-file/segment-reader.js';
import { openStore, tempDir } from './helpers.js';

function seg(): SegmentReader {
  return { closed: false } as unknown as SegmentReader;
}
function ref(minTime: bigint, maxTime: bigint): BlockRef {
  return { offset: 0, length: 0, minTime, maxTime, count: 2 };
}
function run(n: number): { times: BigInt64Array; values: Float64Array } {
  return { times: new BigInt64Array(n), values: new Float64Array(n) };
}

test('the block cache keeps decoded blocks within its budget, least recently used out first', (t) => {
  const cache = new BlockCache(3 * 16 * 10); // three blocks of 10 points (8 B time + 8 B value each)
  const s = seg();
  const refs = [0, 1, 2, 3].map((i) => ref(BigInt(i) * 100n, BigInt(i) * 100n + 99n));
  for (const r of refs.slice(0, 3)) cache.put(s, r, run(10));
  t.truthy(cache.get(s, refs[0]!), 'refs[0] used: now the most recent');
  cache.put(s, refs[3]!, run(10));
  t.truthy(cache.get(s, refs[0]!));
  t.is(cache.get(s, refs[1]!), undefined, 'the least recently used block left');
  t.truthy(cache.get(s, refs[2]!));
  t.truthy(cache.get(s, refs[3]!));
  t.is(cache.stats().bytes, 3 * 160);
  cache.put(s, ref(0n, 1n), run(100));
  t.is(cache.stats().entries, 3, 'a block larger than the whole budget is not kept');
});

test('putting a block again replaces its entry: one entry, the new bytes counted once', (t) => {
  const cache = new BlockCache(1 << 20);
  const s = seg();
  const r = ref(0n, 1000n);
  cache.put(s, r, run(5));
  const second = run(10);
  cache.put(s, r, second);
  t.is(cache.get(s, r), second);
  t.is(cache.stats().entries, 1);
  t.is(cache.stats().bytes, 160);
  t.deepEqual([cache.stats().hits, cache.stats().misses], [1, 0]);
  t.is(cache.get(s, ref(0n, 1000n)), undefined, 'another ref (another block) misses');
  t.is(cache.stats().misses, 1);
});

test('the block cache forgets a segment dropped from it, and never serves a block for another segment', (t) => {
  const cache = new BlockCache(1 << 20);
  const a = seg();
  const b = seg();
  const ra = ref(0n, 10n);
  const rb = ref(0n, 10n);
  cache.put(a, ra, run(4));
  cache.put(b, rb, run(4));
  t.is(cache.get(b, ra), undefined);
  cache.dropSegment(a);
  t.is(cache.get(a, ra), undefined);
  t.truthy(cache.get(b, rb));
  t.is(cache.stats().bytes, 64);
  const closed = { closed: true } as unknown as SegmentReader;
  cache.put(closed, ref(0n, 1n), run(4));
  t.is(cache.stats().entries, 1, 'blocks of a closed segment are not kept');
});

function points(from: number, to: number, value: (i: number) => number): Point[] {
  const out: Point[] = [];
  for (let i = from; i < to; i++) out.push(makePoint('cpu', { h: 'a' }, { v: value(i) }, BigInt(i) * 10n));
  return out;
}

for (const [name, bytes] of [
  ['off', 0],
  ['a few blocks', 3 * 16 * 50],
  ['default', undefined],
] as const) {
  test(`scans of random windows read the same points with the block cache ${name}, across overwrites and a compaction`, async (t) => {
    const dir = await tempDir(t);
    const s = await openStore(t, dir, { maxBlockPoints: 50, compaction: false, ...(bytes === undefined ? {} : { blockCacheBytes: bytes }) });
    await s.createShard('db', 'rp', 1);
    const want = new Map<bigint, number>();
    const write = async (ps: Point[]): Promise<void> => {
      for (const p of ps) want.set(p.time, p.fields[0]![1] as number);
      await s.writeToShard(1, ps);
      await s.flush(1);
    };
    await write(points(0, 1000, (i) => Math.sin(i) * 1000));
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const check = (round: string): void => {
      const reader = s.reader(1);
      for (let k = 0; k < 150; k++) {
        const a = BigInt(rand(10_100)) - 50n;
        const b = a + BigInt(rand(3_000));
        const got: Array<[bigint, number]> = [];
        for (const blk of reader.scan('cpu,h=a', 'v', a, b)) {
          const d = blk.decode();
          for (let i = 0; i < d.times.length; i++) got.push([d.times[i]!, (d.values as Float64Array)[i]!]);
        }
        const expected = [...want].filter(([time]) => time >= a && time <= b).sort((p, q) => (p[0] < q[0] ? -1 : 1));
        t.deepEqual(got, expected, `${round}: window [${a}, ${b}]`);
      }
    };
    check('one segment');
    await write(points(400, 460, (i) => -i)); // a newer segment overlapping blocks the cache may hold
    check('two segments');
    await s.compactFull(1);
    t.is(s.stats(1).segments, 1);
    check('after compaction');
    const stats = s.blockCacheStats();
    if (bytes === 0) t.is(stats, undefined);
    else {
      t.true(stats!.hits > 0, 'repeated windows were served from the cache');
      t.true(stats!.bytes <= (bytes ?? 32 * 1024 ** 2));
    }
  });
}

test('a whole-range scan after a compaction reads the new segment, not blocks cached from the replaced ones', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { maxBlockPoints: 50, compaction: false });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points(0, 200, (i) => i));
  await s.flush(1);
  const sum = (): number => {
    let total = 0;
    for (const b of s.reader(1).scan('cpu,h=a', 'v', MIN_TIME, MAX_TIME)) for (const v of b.decode().values as Float64Array) total += v;
    return total;
  };
  t.is(sum(), (199 * 200) / 2);
  t.true(s.blockCacheStats()!.entries > 0);
  await s.deleteSeries(1, ['cpu,h=a'], 0n, 990n); // points 0..99 go
  await s.compactFull(1);
  t.is(sum(), (199 * 200) / 2 - (99 * 100) / 2);
});
