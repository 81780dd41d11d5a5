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

test('raw and plain aggregates without an upper bound include future points; GROUP BY time stops at now()', async (t) => {
  await withDb(async (db) => {
    const now = 1_000_000n * S;
    await db.write([
      makePoint('m', { t: 'past' }, { v: 1 }, now - 100n * S),
      makePoint('m', { t: 'now' }, { v: 2 }, now - 1n * S),
      makePoint('m', { t: 'future' }, { v: 3 }, now + 200_000n * S),
    ]);
    const opts = { nowNs: now };
    t.is((await db.query('SELECT v FROM m WHERE time > now() - 1h', opts))[0]?.values.length, 3);
    t.deepEqual((await db.query('SELECT count(v) FROM m WHERE time > now() - 1h', opts))[0]?.values[0]?.[1], 3n);
    const gbt = await db.query('SELECT count(v) FROM m WHERE time > now() - 1h GROUP BY time(1h) fill(none)', opts);
    t.deepEqual(gbt[0]?.values.map((r) => r[1]), [2n]);
    t.deepEqual((await db.query('SELECT v FROM m WHERE time > now() + 1d', opts))[0]?.values, [[now + 200_000n * S, 3]]);
  });
});

test('SELECT * leaves out the tags grouped by; DESC lists tag sets in reverse', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', { h: 'a', r: 'x' }, { v: 1 }, 1n * S), makePoint('m', { h: 'b', r: 'x' }, { v: 2 }, 2n * S)]);
    const s = await db.query('SELECT * FROM m GROUP BY h ORDER BY time DESC');
    t.deepEqual(s.map((x) => [x.tags, x.columns]), [
      [{ h: 'b' }, ['time', 'r', 'v']],
      [{ h: 'a' }, ['time', 'r', 'v']],
    ]);
  });
});

test('math on incompatible types is a type error worded as InfluxDB words it', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', { h: 'a' }, { v: 1, s: 'x', i: 2n }, 1n * S)]);
    await t.throwsAsync(db.query("SELECT v + 'x' FROM m"), { message: "type error: v::float + 'x': incompatible types: float and string" });
    await t.throwsAsync(db.query('SELECT i + h FROM m'), { message: 'type error: i::integer + h::tag: incompatible types: integer and tag' });
    await t.throwsAsync(db.query('SELECT v & 1 FROM m'), { message: 'type error: v::float & 1: incompatible types: float and integer' });
  });
});

test('integral across GROUP BY time buckets interpolates at bucket ends and skips empty buckets', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { v: 1 }, 100n * S), makePoint('m', {}, { v: 3 }, 160n * S), makePoint('m', {}, { v: 5 }, 400n * S)]);
    const [s] = await db.query('SELECT integral(v) FROM m WHERE time >= 0s AND time < 600s GROUP BY time(120s)');
    t.deepEqual(s?.values.map((r) => r[0]), [0n, 120n * S, 360n * S]);
    const vals = s?.values.map((r) => r[1] as number) ?? [];
    t.true(Math.abs((vals[0] as number) - 80 / 3) < 1e-9);
    t.true(Math.abs((vals[1] as number) - 360) < 1e-9);
    t.true(Math.abs((vals[2] as number) - 2080 / 3) < 1e-9);
  });
});

test('a transformation of an aggregate reads the bucket before the range; cumulative_sum does not', async (t) => {
  await withDb(async (db) => {
    await db.write([0n, 60n, 120n, 180n].map((sec, k) => makePoint('m', {}, { v: k * 10 }, sec * S)));
    const q = async (f: string): Promise<unknown[][]> =>
      ((await db.query(`SELECT ${f} FROM m WHERE time >= 120s AND time < 240s GROUP BY time(60s)`))[0]?.values ?? []).map((r) => [r[0], r[1]]);
    t.deepEqual(await q('difference(mean(v))'), [[120n * S, 10], [180n * S, 10]]);
    t.deepEqual(await q('cumulative_sum(mean(v))'), [[120n * S, 20], [180n * S, 50]]);
  });
});

test('derivative in descending order divides by the absolute elapsed time', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', {}, { v: 1 }, 0n), makePoint('m', {}, { v: 4 }, 60n * S)]);
    const [s] = await db.query('SELECT derivative(v, 1m) FROM m ORDER BY time DESC');
    t.deepEqual(s?.values, [[0n, -3]]);
  });
});

test('ORDER BY time DESC: fill(previous) and transformations run in output order; SLIMIT counts tag sets in key order', async (t) => {
  await withDb(async (db) => {
    await db.write([makePoint('m', { h: 'a' }, { v: 1 }, 0n), makePoint('m', { h: 'a' }, { v: 4 }, 120n * S), makePoint('m', { h: 'b' }, { v: 9 }, 0n)]);
    const fill = await db.query("SELECT mean(v) FROM m WHERE h = 'a' AND time >= 0s AND time < 180s GROUP BY time(60s) fill(previous) ORDER BY time DESC");
    t.deepEqual(fill[0]?.values, [[120n * S, 4], [60n * S, 4], [0n, 1]]);
    const diff = await db.query("SELECT difference(mean(v)) FROM m WHERE h = 'a' AND time >= 0s AND time < 180s GROUP BY time(60s) fill(previous) ORDER BY time DESC");
    t.deepEqual(diff[0]?.values, [[60n * S, 0], [0n, -3]]);
    const sl = await db.query('SELECT mean(v) FROM m GROUP BY h ORDER BY time DESC SLIMIT 1');
    t.deepEqual(sl.map((s) => s.tags), [{ h: 'a' }]);
  });
});

test('rows of different series at equal times: ordered by string aux values (sorted by name), else in Go heap order', async (t) => {
  await withDb(async (db) => {
    // a has points at 0,1,2,3; b at 0,1,3 (seconds): InfluxDB answers `SELECT v` with b before a at 3s
    // (its merge heap), and `SELECT v, dc` with a (dc=x) before b (dc=y) everywhere.
    const pts = [0n, 1n, 2n, 3n].map((k) => makePoint('m', { h: 'a', dc: 'x' }, { v: Number(k) }, k * S));
    for (const k of [0n, 1n, 3n]) pts.push(makePoint('m', { h: 'b', dc: 'y' }, { v: 10 + Number(k) }, k * S));
    await db.write(pts);
    const v = (await db.query('SELECT v FROM m'))[0]?.values.map((r) => r[1]);
    t.deepEqual(v, [0, 10, 1, 11, 2, 13, 3]);
    const vd = (await db.query('SELECT v, dc FROM m'))[0]?.values.map((r) => r[1]);
    t.deepEqual(vd, [0, 10, 1, 11, 2, 3, 13]);
  });
});
