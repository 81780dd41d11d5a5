import type { TSDBStore } from '../contracts/tsdb-store.js';
import { MAX_TIME, MIN_TIME, type Point } from '../model/point.js';
import { makePoint } from './points.js';
import {
  expectCode,
  expectTypeError,
  Harness,
  prng,
  type SuiteContext,
  scanAll,
  type TSDBStoreFactory,
  type TSDBStoreSuiteOptions,
} from './suite-harness.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

async function started(t: SuiteContext, factory: TSDBStoreFactory): Promise<TSDBStore> {
  const store = await (await Harness.create(t, factory)).store();
  await store.createShard('db', 'autogen', 1);
  return store;
}

/** Shards, writes and reads: values and types, ordering, overwrites, out-of-order, conflicts, listings. */
export function dataTests({ test, name, factory }: TSDBStoreSuiteOptions): void {
  test(`${name}: createShard is idempotent; shardIds ascending; shardInfo; deleteShard removes data`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    t.deepEqual(store.shardIds(), []);
    t.is(store.shardInfo(3), undefined);
    await store.createShard('db1', 'rp1', 3);
    await store.createShard('db1', 'rp1', 3);
    await store.createShard('db2', 'autogen', 1);
    await store.createShard('db1', 'rp1', 20);
    t.deepEqual(store.shardIds(), [1, 3, 20]);
    t.deepEqual(store.shardInfo(3), { db: 'db1', rp: 'rp1' });
    t.deepEqual(store.shardInfo(1), { db: 'db2', rp: 'autogen' });
    await store.writeToShard(3, [makePoint('m', {}, { v: 1 }, 1n)]);
    await store.writeToShard(1, [makePoint('other', {}, { v: 2 }, 1n)]);
    t.deepEqual(store.reader(3).measurements(), ['m'], 'shards hold their own data');
    t.deepEqual(store.reader(1).measurements(), ['other']);
    t.deepEqual(scanAll(t, store.reader(1), 'm', 'v').times, []);
    await store.deleteShard(3);
    t.deepEqual(store.reader(1).measurements(), ['other'], 'deleting a shard leaves the others alone');
    await store.deleteShard(3);
    await store.deleteShard(999);
    t.deepEqual(store.shardIds(), [1, 20]);
    t.is(store.shardInfo(3), undefined);
    await store.createShard('db1', 'rp1', 3);
    t.deepEqual(store.reader(3).measurements(), [], 'a re-created shard starts empty');
    t.deepEqual(scanAll(t, store.reader(3), 'm', 'v').times, []);
    await store.writeToShard(3, [makePoint('m', {}, { v: 1n }, 1n)]);
    t.deepEqual(store.reader(3).fields('m'), [{ name: 'v', type: 'integer' }], 'field types went with the deleted shard');
  });

  test(`${name}: operations on a missing shard fail with ERR_TSDB_SHARD_NOT_FOUND`, async (t) => {
    const store = await started(t, factory);
    const p = makePoint('m', {}, { v: 1 }, 1n);
    await expectCode(t, () => store.writeToShard(2, [p]), 'ERR_TSDB_SHARD_NOT_FOUND', 'writeToShard');
    await expectCode(t, () => store.reader(2), 'ERR_TSDB_SHARD_NOT_FOUND', 'reader');
    await expectCode(t, () => store.deleteSeries(2, ['m'], MIN_TIME, MAX_TIME), 'ERR_TSDB_SHARD_NOT_FOUND', 'deleteSeries');
    await expectCode(t, () => store.deleteMeasurement(2, 'm'), 'ERR_TSDB_SHARD_NOT_FOUND', 'deleteMeasurement');
    await store.deleteShard(1);
    await expectCode(t, () => store.writeToShard(1, [p]), 'ERR_TSDB_SHARD_NOT_FOUND', 'writeToShard after deleteShard');
  });

  test(`${name}: programmer mistakes are TypeErrors`, async (t) => {
    const store = await started(t, factory);
    const bad = <T>(v: unknown): T => v as T;
    await expectTypeError(t, () => store.createShard('db', 'rp', bad(-1)), 'negative shard id');
    await expectTypeError(t, () => store.createShard('db', 'rp', bad(1.5)), 'fractional shard id');
    await expectTypeError(t, () => store.writeToShard(1, bad(null)), 'points not an array');
    await expectTypeError(t, () => store.writeToShard(1, [bad({ ...makePoint('m', {}, { v: 1 }, 1n), time: 1 })]), 'number time');
    await expectTypeError(t, () => store.writeToShard(1, [makePoint('m', {}, { v: 1 }, MAX_TIME + 1n)]), 'time beyond MAX_TIME');
    await expectTypeError(t, () => store.deleteSeries(1, ['m'], bad(0), MAX_TIME), 'number tmin');
  });

  test(`${name}: values and types read back exactly (int64 extremes, ns timestamps)`, async (t) => {
    const store = await started(t, factory);
    const times = [MIN_TIME, -1n, 0n, 1577836800123456789n, MAX_TIME];
    const ints = [INT64_MIN, -1n, 0n, 9007199254740993n, INT64_MAX];
    const floats = [-1.7976931348623157e308, -0, 5e-324, 0.1 + 0.2, 1.5];
    const strings = ['', 'a "quoted" string', 'tab\tnewline\n', 'ünïcødé ✓ 🚀', 'x'.repeat(4096)];
    const bools = [true, false, false, true, true];
    const points = times.map((time, i) =>
      makePoint('types', { t: 'x' }, { f: floats[i]!, i: ints[i]!, s: strings[i]!, b: bools[i]! }, time),
    );
    t.deepEqual(await store.writeToShard(1, points), { dropped: 0 });
    const r = store.reader(1);
    const f = scanAll(t, r, 'types,t=x', 'f');
    t.deepEqual(f.times, times, 'ns timestamps exact, MIN_TIME and MAX_TIME included');
    t.true(Object.is(f.values[1], -0), '-0 kept');
    t.deepEqual(f.values, floats);
    t.deepEqual([...f.kinds], ['Float64Array']);
    const i = scanAll(t, r, 'types,t=x', 'i');
    t.deepEqual(i.values, ints, 'int64 extremes exact');
    t.deepEqual([...i.kinds], ['BigInt64Array']);
    t.deepEqual(scanAll(t, r, 'types,t=x', 's').values, strings);
    t.deepEqual(scanAll(t, r, 'types,t=x', 'b').values, bools);
    t.deepEqual(r.fields('types'), [
      { name: 'b', type: 'boolean' },
      { name: 'f', type: 'float' },
      { name: 'i', type: 'integer' },
      { name: 's', type: 'string' },
    ]);
    t.deepEqual(scanAll(t, r, 'types,t=x', 'nope').times, [], 'unknown field: no blocks');
    t.deepEqual(scanAll(t, r, 'types,t=y', 'f').times, [], 'unknown series: no blocks');
  });

  test(`${name}: scans return ascending times within inclusive bounds`, async (t) => {
    const store = await started(t, factory);
    const points: Point[] = [];
    for (let i = 0; i < 5000; i++) points.push(makePoint('seq', {}, { v: i }, BigInt(i) * 10n));
    await store.writeToShard(1, points);
    const r = store.reader(1);
    const all = scanAll(t, r, 'seq', 'v');
    t.is(all.times.length, 5000);
    t.is(all.values[4999], 4999);
    const part = scanAll(t, r, 'seq', 'v', 100n, 200n);
    t.deepEqual(part.times, [100n, 110n, 120n, 130n, 140n, 150n, 160n, 170n, 180n, 190n, 200n], 'both bounds inclusive');
    t.deepEqual(scanAll(t, r, 'seq', 'v', 101n, 109n).times, [], 'range between points');
    t.deepEqual(scanAll(t, r, 'seq', 'v', 300n, 200n).times, [], 'tmin > tmax');
    t.deepEqual(scanAll(t, r, 'seq', 'v', 49990n, MAX_TIME).times, [49990n]);
  });

  test(`${name}: an overwrite at the same time replaces that field only (newest wins)`, async (t) => {
    const store = await started(t, factory);
    await store.writeToShard(1, [makePoint('dup', { t: 'a' }, { v: 1, w: 10 }, 1000n)]);
    await store.writeToShard(1, [makePoint('dup', { t: 'a' }, { v: 2 }, 1000n)]);
    await store.writeToShard(1, [makePoint('dup', { t: 'b' }, { v: 1 }, 1000n), makePoint('dup', { t: 'b' }, { v: 3 }, 1000n)]);
    const r = store.reader(1);
    t.deepEqual(scanAll(t, r, 'dup,t=a', 'v').values, [2]);
    t.deepEqual(scanAll(t, r, 'dup,t=a', 'w').values, [10], 'fields not in the newer point are kept');
    t.deepEqual(scanAll(t, r, 'dup,t=b', 'v').values, [3], 'within one batch the later point wins');
  });

  test(`${name}: out-of-order writes and overwrites read back sorted and deduplicated`, async (t) => {
    const store = await started(t, factory);
    const rand = prng(42);
    const model = new Map<bigint, number>();
    for (let batch = 0; batch < 20; batch++) {
      const points: Point[] = [];
      for (let i = 0; i < 250; i++) {
        const time = BigInt(Math.floor(rand() * 3000)) * 1_000_000n - 1_000_000_000n;
        const v = batch * 1000 + i;
        points.push(makePoint('ooo', { k: 'v' }, { v }, time));
        model.set(time, v);
      }
      await store.writeToShard(1, points);
      if (batch % 7 === 3) scanAll(t, store.reader(1), 'ooo,k=v', 'v'); // reads between writes
    }
    const expected = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const got = scanAll(t, store.reader(1), 'ooo,k=v', 'v');
    t.deepEqual(got.times, expected.map((e) => e[0]));
    t.deepEqual(got.values, expected.map((e) => e[1]));
  });

  test(`${name}: decoded block values do not change with later writes`, async (t) => {
    const store = await started(t, factory);
    await store.writeToShard(1, [makePoint('snap', {}, { v: 1 }, 10n), makePoint('snap', {}, { v: 2 }, 20n)]);
    const [block] = store.reader(1).scan('snap', 'v', MIN_TIME, MAX_TIME);
    const decoded = block!.decode();
    await store.writeToShard(1, [makePoint('snap', {}, { v: 9 }, 10n), makePoint('snap', {}, { v: 0 }, 5n)]);
    scanAll(t, store.reader(1), 'snap', 'v');
    t.deepEqual([...decoded.times], [10n, 20n]);
    t.deepEqual([...(decoded.values as Float64Array)], [1, 2]);
    t.deepEqual(scanAll(t, store.reader(1), 'snap', 'v').values, [0, 9, 2]);
  });

  test(`${name}: a field type conflict drops the point with InfluxDB's message, the rest is written`, async (t) => {
    const store = await started(t, factory);
    await store.createShard('db', 'autogen', 2);
    t.deepEqual(await store.writeToShard(1, [makePoint('tc', {}, { v: 1.5 }, 1n)]), { dropped: 0 });
    const r1 = await store.writeToShard(1, [makePoint('tc', {}, { v: 2n }, 2n), makePoint('tc', {}, { v: 3 }, 3n)]);
    t.deepEqual(r1, {
      dropped: 1,
      error: 'field type conflict: input field "v" on measurement "tc" is type integer, already exists as type float',
    });
    t.deepEqual(scanAll(t, store.reader(1), 'tc', 'v').values, [1.5, 3]);
    // Within one batch the first type seen wins; the error names the first conflict.
    const r2 = await store.writeToShard(1, [
      makePoint('tc2', {}, { v: 2n }, 2n),
      makePoint('tc2', {}, { v: 3 }, 3n),
      makePoint('tc2', {}, { v: 's' }, 4n),
      makePoint('tc2', {}, { v: 5n }, 5n),
    ]);
    t.deepEqual(r2, {
      dropped: 2,
      error: 'field type conflict: input field "v" on measurement "tc2" is type float, already exists as type integer',
    });
    t.deepEqual(scanAll(t, store.reader(1), 'tc2', 'v').values, [2n, 5n]);
    // A dropped point registers none of its fields.
    const r3 = await store.writeToShard(1, [makePoint('tc', {}, { b: 1n, v: true }, 6n)]);
    t.is(r3.dropped, 1);
    t.is(r3.error, 'field type conflict: input field "v" on measurement "tc" is type boolean, already exists as type float');
    t.deepEqual(store.reader(1).fields('tc'), [{ name: 'v', type: 'float' }]);
    t.deepEqual(await store.writeToShard(1, [makePoint('tc', {}, { b: 'now a string' }, 7n)]), { dropped: 0 });
    // Types are per shard.
    t.deepEqual(await store.writeToShard(2, [makePoint('tc', {}, { v: 'text' }, 1n)]), { dropped: 0 });
    t.deepEqual(store.reader(2).fields('tc'), [{ name: 'v', type: 'string' }]);
    // Same type in another measurement is independent.
    t.deepEqual(await store.writeToShard(1, [makePoint('other', {}, { v: true }, 1n)]), { dropped: 0 });
  });

  test(`${name}: measurements, series and fields are listed sorted`, async (t) => {
    const store = await started(t, factory);
    await store.writeToShard(1, [
      makePoint('zeta', { host: 'b' }, { z: 1, a: 2n }, 1n),
      makePoint('alpha', { host: 'b', dc: 'x' }, { m: 'x' }, 1n),
      makePoint('alpha', { host: 'a' }, { b: true }, 2n),
      makePoint('alpha', {}, { a: 1 }, 3n),
      makePoint('Beta', { 'sp ace': 'v,1' }, { c: 1 }, 3n),
      makePoint('zeta', { host: 'a' }, { y: 1 }, 1n),
    ]);
    const r = store.reader(1);
    t.deepEqual(r.measurements(), ['Beta', 'alpha', 'zeta'], 'byte order: uppercase first');
    t.deepEqual(r.series('alpha'), [
      { key: 'alpha', measurement: 'alpha', tags: [] },
      { key: 'alpha,dc=x,host=b', measurement: 'alpha', tags: [['dc', 'x'], ['host', 'b']] },
      { key: 'alpha,host=a', measurement: 'alpha', tags: [['host', 'a']] },
    ]);
    t.deepEqual(r.series('Beta'), [{ key: 'Beta,sp\\ ace=v\\,1', measurement: 'Beta', tags: [['sp ace', 'v,1']] }]);
    t.deepEqual(r.fields('alpha'), [
      { name: 'a', type: 'float' },
      { name: 'b', type: 'boolean' },
      { name: 'm', type: 'string' },
    ]);
    t.deepEqual(
      r.fields('zeta').map((f) => f.name),
      ['a', 'y', 'z'],
    );
    t.deepEqual(r.series('nope'), []);
    t.deepEqual(r.fields('nope'), []);
    t.deepEqual(scanAll(t, r, 'Beta,sp\\ ace=v\\,1', 'c').values, [1]);
  });

  test(`${name}: concurrent writes to one shard and to several shards all land`, async (t) => {
    const store = await started(t, factory);
    await store.createShard('db', 'autogen', 2);
    const writes: Array<Promise<unknown>> = [];
    for (let w = 0; w < 20; w++) {
      const points: Point[] = [];
      for (let i = 0; i < 100; i++) points.push(makePoint('cc', { w: String(w % 4) }, { v: BigInt(w * 100 + i) }, BigInt(w * 100 + i)));
      writes.push(store.writeToShard(1 + (w % 2), points));
    }
    await Promise.all(writes);
    let count = 0;
    for (const shard of [1, 2]) {
      const r = store.reader(shard);
      for (const s of r.series('cc')) count += scanAll(t, r, s.key, 'v').times.length;
    }
    t.is(count, 2000);
  });

  test(`${name}: an empty write is a no-op; many series in one batch`, async (t) => {
    const store = await started(t, factory);
    t.deepEqual(await store.writeToShard(1, []), { dropped: 0 });
    t.deepEqual(store.reader(1).measurements(), []);
    const points: Point[] = [];
    for (let i = 0; i < 3000; i++) points.push(makePoint('many', { id: String(i % 300).padStart(3, '0') }, { v: BigInt(i) }, BigInt(i)));
    t.deepEqual(await store.writeToShard(1, points), { dropped: 0 });
    const series = store.reader(1).series('many');
    t.is(series.length, 300);
    t.is(series[0]!.key, 'many,id=000');
    let sum = 0n;
    let count = 0;
    for (const s of series) {
      for (const v of scanAll(t, store.reader(1), s.key, 'v').values) {
        sum += v as bigint;
        count++;
      }
    }
    t.is(count, 3000);
    t.is(sum, (2999n * 3000n) / 2n);
  });
}
