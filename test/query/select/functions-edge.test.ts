// Functions on edge cases, end to end over tsdb-memory: empty buckets, one point, integers, int64
// overflow, selectors' times, transformations.
import test from 'ava';
import { makePoint } from '../../../core/testing/points.js';
import { openDb, simple, type Db } from './harness.js';

const S = 1_000_000_000n;

async function withDb(fn: (db: Db) => Promise<void>): Promise<void> {
  const db = await openDb('e');
  try {
    await fn(db);
  } finally {
    await db.stop();
  }
}

test('sum of integers stays integer and wraps at int64 like Go', async (t) => {
  await withDb(async (db) => {
    const max = 9223372036854775807n;
    await db.write([makePoint('m', {}, { i: max }, 1n * S), makePoint('m', {}, { i: 1n }, 2n * S)]);
    const [s] = await db.query('SELECT sum(i), max(i), spread(i) FROM m');
    t.deepEqual(s?.values, [[0n, -9223372036854775808n, max, max - 1n]]);
  });
});

test('mean of integers is a float; count is an integer', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { i: 1n }, 1n * S), makePoint('m', {}, { i: 2n }, 2n * S)]);
    const [s] = await db.query('SELECT mean(i), count(i), median(i) FROM m');
    t.deepEqual(s?.values, [[0n, 1.5, 2n, 1.5]]);
  });
});

test('one point: stddev is null, percentile(x,0) is null, selectors report the point time', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { v: 4.5 }, 7n * S)]);
    t.deepEqual((await db.query('SELECT stddev(v), percentile(v, 0), percentile(v, 100) FROM m'))[0]?.values, [[0n, null, null, 4.5]]);
    t.deepEqual((await db.query('SELECT max(v) FROM m'))[0]?.values, [[7n * S, 4.5]]);
    t.deepEqual((await db.query('SELECT first(v) FROM m WHERE time >= 5s'))[0]?.values, [[7n * S, 4.5]]);
    t.deepEqual((await db.query('SELECT mean(v) FROM m WHERE time >= 5s'))[0]?.values, [[5n * S, 4.5]]);
  });
});

test('empty buckets: null by default, 0 for count, dropped by fill(none), previous and linear fill', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { v: 1 }, 0n), makePoint('m', {}, { v: 4 }, 30n * S)]);
    const q = (x: string): Promise<unknown[]> => db.query(`SELECT ${x} FROM m WHERE time >= 0s AND time < 40s GROUP BY time(10s)`).then((r) => (r[0]?.values ?? []).map((row) => row[1]));
    t.deepEqual(await q('mean(v)'), [1, null, null, 4]);
    t.deepEqual(await q('count(v)'), [1n, 0n, 0n, 1n]);
    t.deepEqual(
      (await db.query('SELECT mean(v) FROM m WHERE time >= 0s AND time < 40s GROUP BY time(10s) fill(none)'))[0]?.values.map((r) => r[1]),
      [1, 4],
    );
    t.deepEqual(
      (await db.query('SELECT mean(v) FROM m WHERE time >= 0s AND time < 40s GROUP BY time(10s) fill(previous)'))[0]?.values.map((r) => r[1]),
      [1, 1, 1, 4],
    );
    t.deepEqual(
      (await db.query('SELECT mean(v) FROM m WHERE time >= 0s AND time < 40s GROUP BY time(10s) fill(linear)'))[0]?.values.map((r) => r[1]),
      [1, 2, 3, 4],
    );
  });
});

test('no data in range gives no series', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { v: 1 }, 0n)]);
    t.deepEqual(await db.query('SELECT mean(v) FROM m WHERE time > 100s'), []);
    t.deepEqual(await db.query('SELECT v FROM nope'), []);
  });
});

test('transformations: difference keeps integers, elapsed, moving_average, cumulative_sum', async (t) => {
  await withDb(async (db) => {
    await db.write([1n, 2n, 4n, 7n].map((i, k) => makePoint('m', {}, { i }, BigInt(k) * 10n * S)));
    const col = async (q: string): Promise<unknown[]> => ((await db.query(q))[0]?.values ?? []).map((r) => r[1]);
    t.deepEqual(await col('SELECT difference(i) FROM m'), [1n, 2n, 3n]);
    t.deepEqual(await col('SELECT elapsed(i, 1s) FROM m'), [10n, 10n, 10n]);
    t.deepEqual(await col('SELECT moving_average(i, 2) FROM m'), [1.5, 3, 5.5]);
    t.deepEqual(await col('SELECT cumulative_sum(i) FROM m'), [1n, 3n, 7n, 14n]);
    t.deepEqual(await col('SELECT derivative(i, 10s) FROM m'), [1, 2, 3]);
  });
});

test('top/bottom with tags, SELECT INTO writes and reports the count', async (t) => {
  await withDb(async (db) => {
    await db.write([
      makePoint('m', { h: 'a' }, { v: 5 }, 1n * S),
      makePoint('m', { h: 'a' }, { v: 9 }, 2n * S),
      makePoint('m', { h: 'b' }, { v: 7 }, 3n * S),
    ]);
    t.deepEqual(simple(await db.query('SELECT top(v, h, 2) FROM m'))[0], {
      name: 'm',
      columns: ['time', 'top', 'h'],
      values: [['1970-01-01T00:00:02Z', 9, 'a'], ['1970-01-01T00:00:03Z', 7, 'b']],
    });
    const [r] = await db.query('SELECT v INTO m2 FROM m GROUP BY *');
    t.deepEqual(r, { name: 'result', columns: ['time', 'written'], values: [[0n, 3n]] });
    t.deepEqual((await db.query('SELECT count(v) FROM m2 GROUP BY h')).map((s) => [s.tags, s.values[0]?.[1]]), [
      [{ h: 'a' }, 2n],
      [{ h: 'b' }, 1n],
    ]);
  });
});

test('a long series comes in pieces of chunkSize rows, partial on all but the last', async (t) => {
  await withDb(async (db) => {
    await db.write(Array.from({ length: 5 }, (_, k) => makePoint('m', {}, { v: k }, BigInt(k) * S)));
    const ps = await db.pieces('SELECT v FROM m', { chunkSize: 2 });
    t.deepEqual(ps.map((p) => [p.values.length, p.partial === true]), [[2, true], [2, true], [1, false]]);
  });
});
