import { MAX_TIME, MIN_TIME } from '../model/point.js';
import { makePoint } from './points.js';
import { Harness, type SuiteContext, scanAll, type TSDBStoreSuiteOptions } from './suite-harness.js';

/** deleteSeries with ranges, deleteMeasurement, and persistence across instances (from `supports`). */
export function deleteAndPersistenceTests({ test, name, factory }: TSDBStoreSuiteOptions): void {
  const setup = async (t: SuiteContext) => {
    const store = await (await Harness.create(t, factory)).store();
    await store.createShard('db', 'autogen', 1);
    const points = [];
    for (let i = 0; i < 10; i++) {
      points.push(makePoint('cpu', { host: 'a' }, { v: i, n: BigInt(i) }, BigInt(i) * 100n));
      points.push(makePoint('cpu', { host: 'b' }, { v: -i }, BigInt(i) * 100n));
    }
    points.push(makePoint('mem', { host: 'a' }, { used: 1n }, 0n));
    await store.writeToShard(1, points);
    return store;
  };

  test(`${name}: deleteSeries removes the points in [tmin, tmax] of the given series only`, async (t) => {
    const store = await setup(t);
    if (!store.supports.deletes) {
      t.log(`skipped: ${name} declares supports.deletes = false`);
      t.is(store.supports.deletes, false);
      return;
    }
    await store.deleteSeries(1, ['cpu,host=a'], 200n, 500n);
    const r = store.reader(1);
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'v').times, [0n, 100n, 600n, 700n, 800n, 900n], 'both bounds inclusive');
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'n').values, [0n, 1n, 6n, 7n, 8n, 9n], 'every field of the series');
    t.is(scanAll(t, r, 'cpu,host=b', 'v').times.length, 10, 'other series untouched');
    await store.deleteSeries(1, ['cpu,host=a', 'cpu,host=zzz', 'nope'], 550n, 650n);
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'v').times, [0n, 100n, 700n, 800n, 900n], 'unknown keys are ignored');
    await store.deleteSeries(1, ['cpu,host=a'], 500n, 100n);
    t.is(scanAll(t, r, 'cpu,host=a', 'v').times.length, 5, 'tmin > tmax deletes nothing');
    await store.writeToShard(1, [makePoint('cpu', { host: 'a' }, { v: 42 }, 300n)]);
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'v').values, [0, 1, 42, 7, 8, 9], 'writes after a delete land normally');
  });

  test(`${name}: a series left empty disappears, then its measurement`, async (t) => {
    const store = await setup(t);
    if (!store.supports.deletes) {
      t.log(`skipped: ${name} declares supports.deletes = false`);
      t.is(store.supports.deletes, false);
      return;
    }
    const r = store.reader(1);
    await store.deleteSeries(1, ['cpu,host=a'], MIN_TIME, 450n);
    await store.deleteSeries(1, ['cpu,host=a'], 450n, MAX_TIME);
    t.deepEqual(
      r.series('cpu').map((s) => s.key),
      ['cpu,host=b'],
    );
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'v').times, []);
    await store.deleteSeries(1, ['cpu,host=b'], -1000n, 10_000n);
    t.deepEqual(r.series('cpu'), []);
    t.deepEqual(r.measurements(), ['mem'], 'an empty measurement is not listed');
    t.deepEqual(r.fields('cpu'), [], 'nor are its fields');
    // As in InfluxDB 1.x, the shard still remembers the field types of the emptied measurement.
    const conflict = await store.writeToShard(1, [makePoint('cpu', { host: 'a' }, { v: 1n }, 1n)]);
    t.is(conflict.dropped, 1);
    t.is(conflict.error, 'field type conflict: input field "v" on measurement "cpu" is type integer, already exists as type float');
    await store.writeToShard(1, [makePoint('cpu', { host: 'c' }, { v: 1 }, 1n)]);
    t.deepEqual(r.measurements(), ['cpu', 'mem']);
    t.deepEqual(
      r.fields('cpu').map((f) => f.name),
      ['n', 'v'],
    );
  });

  test(`${name}: deleteMeasurement removes its series, data and field types`, async (t) => {
    const store = await setup(t);
    if (!store.supports.deletes) {
      t.log(`skipped: ${name} declares supports.deletes = false`);
      t.is(store.supports.deletes, false);
      return;
    }
    const r = store.reader(1);
    await store.deleteMeasurement(1, 'cpu');
    await store.deleteMeasurement(1, 'nope');
    t.deepEqual(r.measurements(), ['mem']);
    t.deepEqual(r.series('cpu'), []);
    t.deepEqual(r.fields('cpu'), []);
    t.deepEqual(scanAll(t, r, 'cpu,host=a', 'v').times, []);
    t.deepEqual(scanAll(t, r, 'mem,host=a', 'used').values, [1n], 'other measurements untouched');
    t.deepEqual(await store.writeToShard(1, [makePoint('cpu', { host: 'z' }, { v: 'now a string' }, 5n)]), { dropped: 0 });
    t.deepEqual(r.fields('cpu'), [{ name: 'v', type: 'string' }], 'a new type is accepted after the drop');
    t.deepEqual(scanAll(t, r, 'cpu,host=z', 'v').values, ['now a string']);
  });

  test(`${name}: data survives stop() and a new instance on the same folder when persistent`, async (t) => {
    const h = await Harness.create(t, factory);
    const first = await h.store();
    if (!first.supports.persistent) {
      t.log(`skipped: ${name} declares supports.persistent = false`);
      t.is(first.supports.persistent, false);
      return;
    }
    await first.createShard('db', 'autogen', 4);
    await first.createShard('db2', 'rp', 9);
    await first.writeToShard(4, [
      makePoint('p', { h: 'a' }, { f: 1.25, i: -(2n ** 63n), s: 'text', b: true }, MIN_TIME),
      makePoint('p', { h: 'a' }, { f: 2.5 }, MAX_TIME),
      makePoint('p', { h: 'b' }, { f: 3 }, 0n),
    ]);
    if (first.supports.deletes) await first.deleteSeries(4, ['p,h=b'], MIN_TIME, MAX_TIME);
    await first.stop();
    const second = await h.store();
    t.deepEqual(second.shardIds(), [4, 9]);
    t.deepEqual(second.shardInfo(9), { db: 'db2', rp: 'rp' });
    const r = second.reader(4);
    t.deepEqual(scanAll(t, r, 'p,h=a', 'f').values, [1.25, 2.5]);
    t.deepEqual(scanAll(t, r, 'p,h=a', 'f').times, [MIN_TIME, MAX_TIME]);
    t.deepEqual(scanAll(t, r, 'p,h=a', 'i').values, [-(2n ** 63n)]);
    t.deepEqual(scanAll(t, r, 'p,h=a', 's').values, ['text']);
    t.deepEqual(scanAll(t, r, 'p,h=a', 'b').values, [true]);
    if (second.supports.deletes) t.deepEqual(r.series('p').map((s) => s.key), ['p,h=a'], 'deletes are persistent too');
    const conflict = await second.writeToShard(4, [makePoint('p', { h: 'a' }, { f: 1n }, 5n)]);
    t.is(conflict.dropped, 1, 'field types survive too');
  });
}
