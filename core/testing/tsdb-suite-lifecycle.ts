import type { TSDBStore } from '../contracts/tsdb-store.js';
import { MAX_TIME, MIN_TIME } from '../model/point.js';
import { makePoint } from './points.js';
import { expectCode, Harness, scanAll, type SuiteContext, type TSDBStoreSuiteOptions } from './suite-harness.js';

/** Every public method of a TSDBStore (and of a reader), called with valid arguments on shard 1. */
function calls(store: TSDBStore): Array<[string, () => unknown]> {
  const p = makePoint('m', { h: 'a' }, { v: 1 }, 1n);
  return [
    ['createShard', () => store.createShard('db', 'rp', 1)],
    ['deleteShard', () => store.deleteShard(1)],
    ['shardIds', () => store.shardIds()],
    ['shardInfo', () => store.shardInfo(1)],
    ['writeToShard', () => store.writeToShard(1, [p])],
    ['reader', () => store.reader(1)],
    ['deleteSeries', () => store.deleteSeries(1, [p.key], MIN_TIME, MAX_TIME)],
    ['deleteMeasurement', () => store.deleteMeasurement(1, 'm')],
  ];
}

async function allFail(t: SuiteContext, store: TSDBStore, when: string): Promise<void> {
  for (const [name, call] of calls(store)) await expectCode(t, call, 'ERR_SERVICE_NOT_STARTED', `${name} ${when}`);
}

/** Lifecycle traits: never started, started, stopped, restarted; idempotent start/stop. */
export function lifecycleTests({ test, name, factory }: TSDBStoreSuiteOptions): void {
  test(`${name}: two instances are isolated`, async (t) => {
    const a = await (await Harness.create(t, factory)).store();
    const b = await (await Harness.create(t, factory)).store();
    await a.createShard('db', 'autogen', 1);
    t.deepEqual(b.shardIds(), [], 'a shard created in one instance is absent from the other');
    await b.createShard('db', 'autogen', 1);
    await a.writeToShard(1, [makePoint('cpu', { host: 'a' }, { v: 1 }, 10n)]);
    await b.writeToShard(1, [makePoint('cpu', { host: 'a' }, { v: 2 }, 10n), makePoint('mem', {}, { f: 3n }, 5n)]);
    t.deepEqual(scanAll(t, a.reader(1), 'cpu,host=a', 'v').values, [1]);
    t.deepEqual(scanAll(t, b.reader(1), 'cpu,host=a', 'v').values, [2]);
    t.deepEqual(a.reader(1).measurements(), ['cpu']);
    t.deepEqual(b.reader(1).measurements(), ['cpu', 'mem']);
    await a.deleteShard(1);
    t.deepEqual(b.shardIds(), [1], 'deleting a shard in one instance leaves the other alone');
  });

  test(`${name}: every method fails with ERR_SERVICE_NOT_STARTED before start()`, async (t) => {
    const store = await (await Harness.create(t, factory)).store(false);
    await allFail(t, store, 'before start');
    await store.stop();
    await allFail(t, store, 'after stop() of a never-started store');
  });

  test(`${name}: every method works once started`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    for (const [method, call] of calls(store)) {
      let error: unknown;
      try {
        await call();
      } catch (err) {
        error = err;
      }
      t.is(error, undefined, `${method} works when started`);
      if (method === 'deleteShard') await store.createShard('db', 'rp', 1);
    }
  });

  test(`${name}: every method fails with ERR_SERVICE_NOT_STARTED after stop(), readers too`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    await store.createShard('db', 'rp', 1);
    await store.writeToShard(1, [makePoint('m', { h: 'a' }, { v: 1 }, 1n)]);
    const reader = store.reader(1);
    await store.stop();
    await allFail(t, store, 'after stop');
    await expectCode(t, () => reader.measurements(), 'ERR_SERVICE_NOT_STARTED', 'reader.measurements after stop');
    await expectCode(t, () => reader.series('m'), 'ERR_SERVICE_NOT_STARTED', 'reader.series after stop');
    await expectCode(t, () => reader.fields('m'), 'ERR_SERVICE_NOT_STARTED', 'reader.fields after stop');
    await expectCode(t, () => [...reader.scan('m,h=a', 'v', MIN_TIME, MAX_TIME)], 'ERR_SERVICE_NOT_STARTED', 'reader.scan after stop');
  });

  test(`${name}: a restarted instance works again and keeps its shards and data`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    await store.createShard('db', 'rp', 7);
    await store.writeToShard(7, [makePoint('m', { h: 'a' }, { v: 1.5, i: 3n }, 100n)]);
    await store.stop();
    await store.start();
    t.deepEqual(store.shardIds(), [7]);
    t.deepEqual(store.shardInfo(7), { db: 'db', rp: 'rp' });
    t.deepEqual(scanAll(t, store.reader(7), 'm,h=a', 'v').values, [1.5]);
    t.deepEqual(scanAll(t, store.reader(7), 'm,h=a', 'i').values, [3n]);
    const r = await store.writeToShard(7, [makePoint('m', { h: 'a' }, { v: 2.5 }, 200n)]);
    t.is(r.dropped, 0);
    t.deepEqual(scanAll(t, store.reader(7), 'm,h=a', 'v').times, [100n, 200n]);
    for (const [method, call] of calls(store)) {
      let error: unknown;
      try {
        await call();
      } catch (err) {
        error = err;
      }
      t.is(error, undefined, `${method} works after a restart`);
      if (method === 'deleteShard') await store.createShard('db', 'rp', 1);
    }
    await store.deleteShard(7);
    t.deepEqual(store.shardIds(), [1]);
  });

  test(`${name}: start() and stop() are idempotent, also when called concurrently`, async (t) => {
    const store = await (await Harness.create(t, factory)).store(false);
    await Promise.all([store.start(), store.start()]);
    await store.start();
    await store.createShard('db', 'rp', 1);
    t.deepEqual(store.shardIds(), [1]);
    await Promise.all([store.stop(), store.stop()]);
    await store.stop();
    await expectCode(t, () => store.shardIds(), 'ERR_SERVICE_NOT_STARTED', 'shardIds after double stop');
    await store.start();
    await store.start();
    t.deepEqual(store.shardIds(), [1]);
  });

  test(`${name}: stop() waits for writes in flight`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    await store.createShard('db', 'rp', 1);
    const points = Array.from({ length: 2000 }, (_, i) => makePoint('m', { h: String(i % 10) }, { v: i }, BigInt(i)));
    const writes = [store.writeToShard(1, points.slice(0, 1000)), store.writeToShard(1, points.slice(1000))];
    const stopped = store.stop();
    const results = await Promise.all(writes);
    await stopped;
    t.deepEqual(
      results.map((r) => r.dropped),
      [0, 0],
      'writes accepted before stop() complete',
    );
    await store.start();
    let total = 0;
    for (const s of store.reader(1).series('m')) total += scanAll(t, store.reader(1), s.key, 'v').times.length;
    t.is(total, 2000, 'every point of the in-flight writes is readable after restart');
  });
}
