import { access, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { MAX_TIME, MIN_TIME, type Point } from '../../../core/index.js';
import { makePoint } from '../../../core/testing/index.js';
import { capturingLogger, openStore, readAll, tempDir } from './helpers.js';

function points(key: Record<string, string>, from: number, to: number, value: (i: number) => number): Point[] {
  const out: Point[] = [];
  for (let i = from; i < to; i++) out.push(makePoint('cpu', key, { v: value(i) }, BigInt(i) * 10n));
  return out;
}

test('newest write wins across segments, frozen and active caches, through compaction and restart', async (t) => {
  const dir = await tempDir(t);
  const opts = { maxBlockPoints: 16, compaction: false };
  const s = await openStore(t, dir, opts);
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 100, (i) => i));
  await s.flush(1);
  await s.writeToShard(1, points({ h: 'a' }, 50, 60, (i) => -i)); // overwrite, segment 2
  await s.flush(1);
  await s.writeToShard(1, points({ h: 'a' }, 55, 57, () => 0.5)); // overwrite in the cache
  const expected = Array.from({ length: 100 }, (_, i) => [BigInt(i) * 10n, i >= 55 && i < 57 ? 0.5 : i >= 50 && i < 60 ? -i : i]);
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), expected);
  await s.compactFull(1);
  t.is(s.stats(1).segments, 1);
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), expected);
  await s.stop();
  const s2 = await openStore(t, dir, opts);
  t.deepEqual(readAll(s2.reader(1), 'cpu,h=a', 'v'), expected);
});

test('file blocks carry count/min/max/sum/first/last that match their values', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { maxBlockPoints: 10 });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 35, (i) => Math.sin(i) * 10));
  await s.writeToShard(1, [makePoint('cpu', { h: 'a' }, { n: 5n }, 0n), makePoint('cpu', { h: 'a' }, { n: -7n }, 10n)]);
  await s.flush(1);
  const blocks = [...s.reader(1).scan('cpu,h=a', 'v', MIN_TIME, MAX_TIME)];
  t.deepEqual(
    blocks.map((b) => b.count),
    [10, 10, 10, 5],
  );
  for (const b of blocks) {
    const values = [...(b.decode().values as Float64Array)];
    t.deepEqual(b.stats, {
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      sum: values.reduce((a, x) => a + x, 0),
      first: values[0],
      last: values[values.length - 1],
    });
  }
  const [ib] = [...s.reader(1).scan('cpu,h=a', 'n', MIN_TIME, MAX_TIME)];
  t.deepEqual(ib!.stats, { count: 2, min: -7n, max: 5n, sum: -2n, first: 5n, last: -7n });
  // a range cutting through a block still yields only points inside it
  const cut = [...s.reader(1).scan('cpu,h=a', 'v', 55n, 125n)];
  t.deepEqual(cut.flatMap((b) => [...b.decode().times]), [60n, 70n, 80n, 90n, 100n, 110n, 120n]);
});

test('deletes are tombstones on segments, applied and pruned by compaction, kept across restart', async (t) => {
  const dir = await tempDir(t);
  const opts = { maxBlockPoints: 16, compaction: false };
  const s = await openStore(t, dir, opts);
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, [...points({ h: 'a' }, 0, 100, (i) => i), ...points({ h: 'b' }, 0, 100, (i) => i)]);
  await s.flush(1);
  await s.writeToShard(1, points({ h: 'a' }, 100, 120, (i) => i));
  await s.deleteSeries(1, ['cpu,h=a'], 200n, 1050n); // spans the segment and the cache
  await s.writeToShard(1, points({ h: 'a' }, 30, 31, () => 42)); // rewritten after the delete: visible
  const expected = [
    ...Array.from({ length: 20 }, (_, i) => [BigInt(i) * 10n, i]),
    [300n, 42],
    ...Array.from({ length: 14 }, (_, k) => [BigInt(k + 106) * 10n, k + 106]),
  ];
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), expected);
  t.is(readAll(s.reader(1), 'cpu,h=b', 'v').length, 100);
  t.true(s.stats(1).tombstones);
  await s.compactFull(1);
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), expected);
  t.false(s.stats(1).tombstones, 'tombstones no longer needed are dropped');
  await s.deleteSeries(1, ['cpu,h=b'], MIN_TIME, MAX_TIME);
  t.deepEqual(
    s.reader(1).series('cpu').map((x) => x.key),
    ['cpu,h=a'],
  );
  await s.stop();
  const s2 = await openStore(t, dir, opts);
  t.deepEqual(readAll(s2.reader(1), 'cpu,h=a', 'v'), expected);
  t.deepEqual(
    s2.reader(1).series('cpu').map((x) => x.key),
    ['cpu,h=a'],
  );
});

test('a dropped measurement re-created with another field type reads only the new data', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { compaction: false });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 10, (i) => i));
  await s.flush(1);
  await s.deleteMeasurement(1, 'cpu');
  const r = await s.writeToShard(1, [makePoint('cpu', { h: 'a' }, { v: 'text' }, 50n)]);
  t.is(r.dropped, 0);
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), [[50n, 'text']]);
  await s.compactFull(1);
  t.deepEqual(readAll(s.reader(1), 'cpu,h=a', 'v'), [[50n, 'text']]);
  t.deepEqual(s.reader(1).fields('cpu'), [{ name: 'v', type: 'string' }]);
});

test('background compaction keeps the segment count bounded while writes go on', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { cacheSnapshotBytes: 4096, compactionThreshold: 2, compactionMaxLevel: 8, maxBlockPoints: 50 });
  await s.createShard('db', 'rp', 1);
  for (let k = 0; k < 60; k++) await s.writeToShard(1, points({ h: String(k % 4) }, k * 100, k * 100 + 100, (i) => i / 2));
  await s.flush(1);
  let total = 0;
  for (let h = 0; h < 4; h++) total += readAll(s.reader(1), `cpu,h=${h}`, 'v').length;
  t.is(total, 6000);
  const segs = s.stats(1).segments;
  t.true(segs < 15, `${segs} segments after 60 snapshots`);
  await s.compactFull(1);
  t.is(s.stats(1).segments, 1);
  total = 0;
  for (let h = 0; h < 4; h++) total += readAll(s.reader(1), `cpu,h=${h}`, 'v').length;
  t.is(total, 6000);
});

test('deleteShard removes the shard folder; files live under the store folder', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir);
  await s.createShard('db', 'rp', 3);
  await s.writeToShard(3, points({ h: 'a' }, 0, 10, (i) => i));
  await s.flush(3);
  t.deepEqual(await readdir(dir), ['3']);
  t.true((await readdir(join(dir, '3'))).some((n) => n.endsWith('.seg')));
  await s.deleteShard(3);
  await t.throwsAsync(access(join(dir, '3')));
  t.deepEqual(s.shardIds(), []);
});

test('a cache that stays cold is written to a segment; the WAL it covers is deleted', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { coldSnapshotMs: 50 });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 10, (i) => i));
  for (let i = 0; i < 100 && s.stats(1).segments === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(s.stats(1).segments, 1);
  for (let i = 0; i < 50 && (await readdir(join(dir, '1', 'wal'))).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(await readdir(join(dir, '1', 'wal')), []);
  t.is(readAll(s.reader(1), 'cpu,h=a', 'v').length, 10);
});

test('a damaged shard.json is logged and that shard skipped; the store still starts', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir);
  await s.createShard('db', 'rp', 1);
  await s.createShard('db', 'rp', 2);
  await s.stop();
  await writeFile(join(dir, '2', 'shard.json'), '{"db": ');
  const { logger, records } = capturingLogger();
  const s2 = await openStore(t, dir, { logger });
  t.deepEqual(s2.shardIds(), [1]);
  t.truthy(records.find((r) => r.msg === 'damaged shard.json: shard not loaded'));
});

test('concurrent createShard calls for one shard all succeed and create it once', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir);
  await Promise.all(Array.from({ length: 8 }, () => s.createShard('db', 'rp', 5)));
  t.deepEqual(s.shardIds(), [5]);
  await Promise.all(Array.from({ length: 4 }, (_, k) => s.writeToShard(5, points({ h: String(k) }, 0, 10, (i) => i))));
  t.is(s.reader(5).series('cpu').length, 4);
});

test('a failed snapshot keeps its cache readable and its WAL; the next snapshot retries it first', async (t) => {
  const dir = await tempDir(t);
  const { logger, records } = capturingLogger();
  const s = await openStore(t, dir, { logger, compaction: false });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 10, (i) => i));
  // the first snapshot (seq 1) cannot create its file: a folder sits where it goes
  const blocker = join(dir, '1', '0000000001-01.seg.tmp');
  await mkdir(blocker);
  await s.flush(1);
  t.truthy(records.find((r) => r.msg === 'snapshot failed'));
  t.is(s.stats(1).segments, 0);
  await s.writeToShard(1, points({ h: 'a' }, 10, 20, (i) => i));
  t.is(readAll(s.reader(1), 'cpu,h=a', 'v').length, 20, 'frozen and active caches are both read');
  await rm(blocker, { recursive: true });
  await s.flush(1);
  t.is(s.stats(1).segments, 2, 'the failed one, then the new one');
  t.deepEqual(await readdir(join(dir, '1', 'wal')), []);
  await s.stop();
  const s2 = await openStore(t, dir);
  t.deepEqual(
    readAll(s2.reader(1), 'cpu,h=a', 'v').map(([, v]) => v),
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('reads stay complete while snapshots and compactions install segments underneath', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { cacheSnapshotBytes: 2048, compactionThreshold: 2, maxBlockPoints: 20 });
  await s.createShard('db', 'rp', 1);
  let problems = 0;
  for (let k = 0; k < 150; k++) {
    await s.writeToShard(1, points({ h: 'a' }, k * 10, k * 10 + 10, (i) => i));
    const got = readAll(s.reader(1), 'cpu,h=a', 'v');
    if (got.length !== (k + 1) * 10 || got.some(([time, v], i) => time !== BigInt(i) * 10n || v !== i)) problems++;
    if (k % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  t.is(problems, 0);
  // snapshots run in a worker: on a loaded machine the first may still be in flight (wait generously)
  for (let i = 0; i < 600 && s.stats(1).segments < 1; i++) await new Promise((r) => setTimeout(r, 50));
  t.true(s.stats(1).segments >= 1);
});

test('scans of random time windows over segments (blocks read lazily, decoded only as far as needed) return exactly the points in the window', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { maxBlockPoints: 50, compaction: false });
  await s.createShard('db', 'rp', 1);
  let x = 0.1;
  const value = (i: number): number => {
    x = x + Math.sin(i * 1.7) * 3.3333333333; // full precision: the key-delta float encoding
    return x;
  };
  const want = new Map<bigint, number>();
  const pts = points({ h: 'a' }, 0, 1000, value);
  for (const p of pts) want.set(p.time, p.fields[0]![1] as number);
  await s.writeToShard(1, pts);
  await s.flush(1);
  const over = points({ h: 'a' }, 400, 460, (i) => -i); // a second segment overlapping the first
  for (const p of over) want.set(p.time, p.fields[0]![1] as number);
  await s.writeToShard(1, over);
  await s.flush(1);
  t.is(s.stats(1).segments, 2);
  const reader = s.reader(1);
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let k = 0; k < 200; k++) {
    const a = BigInt(rand(10_100)) - 50n;
    const b = a + BigInt(rand(3_000));
    const got: Array<[bigint, number]> = [];
    let counted = 0;
    for (const blk of reader.scan('cpu,h=a', 'v', a, b)) {
      counted += blk.count;
      const d = blk.decode();
      for (let i = 0; i < d.times.length; i++) got.push([d.times[i]!, (d.values as Float64Array)[i]!]);
    }
    const expected = [...want].filter(([time]) => time >= a && time <= b).sort((p, q) => (p[0] < q[0] ? -1 : 1));
    t.deepEqual(got, expected, `window [${a}, ${b}]`);
    t.is(counted, expected.length, 'block counts add up to the points in the window');
  }
});

test('a block decoded after its segment was closed fails with a clear error instead of losing the points silently', async (t) => {
  const dir = await tempDir(t);
  const { logger, records } = capturingLogger();
  const s = await openStore(t, dir, { maxBlockPoints: 50, compaction: false, logger });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 200, (i) => i + 0.25));
  await s.flush(1);
  const blocks = [...s.reader(1).scan('cpu,h=a', 'v', MIN_TIME, MAX_TIME)];
  t.is(blocks.length, 4);
  t.is(blocks[0]!.decode().times.length, 50, 'read while the segment is open');
  await s.stop(); // closes the segment files
  const err = t.throws(() => blocks[1]!.decode());
  t.regex(err?.message ?? '', /was closed while the query ran/);
  t.falsy(records.find((r) => typeof r.msg === 'string' && /damaged|corrupt/i.test(r.msg)), 'not reported as corruption');
});

test('a block cut by the scan range read after its segment was closed fails with a clear error too', async (t) => {
  const dir = await tempDir(t);
  const { logger, records } = capturingLogger();
  const s = await openStore(t, dir, { maxBlockPoints: 50, compaction: false, logger, blockCacheBytes: 0 });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 200, (i) => i + 0.25));
  await s.flush(1);
  // [255, 1255]: the first and last blocks stick out of the range, so they are read and cut (not deferred)
  const it = s.reader(1).scan('cpu,h=a', 'v', 255n, 1255n)[Symbol.iterator]();
  await s.stop();
  const err = t.throws(() => it.next());
  t.regex(err?.message ?? '', /was closed while the query ran/);
  t.falsy(records.find((r) => typeof r.msg === 'string' && /damaged|corrupt/i.test(r.msg)), 'not reported as corruption');
});

test('compaction copies full blocks as they are: a snapshot tail before one stays a short block instead of shifting and re-encoding the rest', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { maxBlockPoints: 10, compaction: false });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, points({ h: 'a' }, 0, 15, (i) => i * 1.5)); // segment 1: blocks of 10 and 5
  await s.flush(1);
  await s.writeToShard(1, points({ h: 'a' }, 15, 35, (i) => i * 1.5)); // segment 2: blocks of 10 and 10
  await s.flush(1);
  await s.compactFull(1);
  t.is(s.stats(1).segments, 1);
  const counts = [...s.reader(1).scan('cpu,h=a', 'v', MIN_TIME, MAX_TIME)].map((b) => b.count);
  t.deepEqual(counts, [10, 5, 10, 10], 'the 5-point tail is its own block; the full blocks after it were not re-cut');
  t.deepEqual(
    readAll(s.reader(1), 'cpu,h=a', 'v'),
    Array.from({ length: 35 }, (_, i) => [BigInt(i) * 10n, i * 1.5]),
  );
});
