import test from 'ava';
import { PointsWriter, type RemoteShardWriter } from '../../core/cluster/points-writer.js';
import type { TesseraError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { fnv1a64 } from '../../core/model/hash.js';
import type { Point } from '../../core/model/point.js';
import { MemoryMetaStore } from '../../core/testing/memory-meta-store.js';
import { makePoint } from '../../core/testing/points.js';
import { MemoryTSDBStore } from '../../plugins/tsdb-memory/memory-tsdb-store.js';

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const T0 = 1_577_836_800_000_000_000n; // 2020-01-01T00:00:00Z, a Wednesday

async function setup(nodes = 1) {
  const meta = new MemoryMetaStore();
  const store = new MemoryTSDBStore();
  await meta.start();
  await store.start();
  for (let i = 1; i < nodes; i++) await meta.addNode(`10.0.0.${i}:8088`);
  await meta.createDatabase('db');
  return { meta, store, writer: new PointsWriter(meta, store, silentLogger()) };
}

function count(store: MemoryTSDBStore, shardId: number, key: string, field = 'v'): number {
  let n = 0;
  for (const b of store.reader(shardId).scan(key, field, -(2n ** 62n), 2n ** 62n)) n += b.count;
  return n;
}

test('points are grouped by shard group: time truncated to the group duration (7d groups start on Monday)', async (t) => {
  const { meta, store, writer } = await setup();
  const p1 = makePoint('m', { h: 'a' }, { v: 1 }, T0);
  const p2 = makePoint('m', { h: 'a' }, { v: 2 }, T0 + 10n * DAY);
  const r = await writer.writePoints('db', '', 'one', [p1, p2], T0 + 20n * DAY);
  t.deepEqual(r, { written: 2 });
  const groups = meta.retentionPolicy('db', '')!.shardGroups;
  t.is(groups.length, 2);
  // 2020-01-01 is a Wednesday: its 7-day group starts Monday 2019-12-30.
  t.is(groups[0]!.startTime, T0 - 2n * DAY);
  t.is(groups[0]!.endTime - groups[0]!.startTime, 7n * DAY);
  t.is(count(store, groups[0]!.shards[0]!.id, p1.key), 1);
  t.is(count(store, groups[1]!.shards[0]!.id, p1.key), 1);
});

test('inside a group the shard is picked by fnv1a64(series key) mod shard count', async (t) => {
  const { meta } = await setup(2); // 2 nodes, replication 1: 2 shards per group
  const remote: Array<{ shardId: number; ownerId: number; points: readonly Point[] }> = [];
  const remoteWriter: RemoteShardWriter = {
    async writeShard(shardId, ownerId, points) {
      remote.push({ shardId, ownerId, points });
    },
  };
  const local = await localStore();
  const w = new PointsWriter(meta, local, silentLogger(), remoteWriter);
  const points = ['a', 'b', 'c', 'd', 'e', 'f'].map((h, i) => makePoint('m', { h }, { v: i }, T0));
  await w.writePoints('db', '', 'one', points, T0);
  const group = meta.retentionPolicy('db', '')!.shardGroups[0]!;
  t.is(group.shards.length, 2);
  for (const p of points) {
    const shard = group.shards[Number(fnv1a64(p.key) % 2n)]!;
    const owner = shard.owners[0]!;
    if (owner !== meta.nodeId()) {
      t.true(remote.some((r) => r.shardId === shard.id && r.ownerId === owner && r.points.includes(p)), p.key);
    } else {
      t.is(count(local, shard.id, p.key), 1, p.key);
    }
  }
});

async function localStore() {
  const s = new MemoryTSDBStore();
  await s.start();
  return s;
}

test('a shard owned by another node without a route fails the write with "write failed"', async (t) => {
  const { meta, writer } = await setup(2);
  // Enough series that both shards of the group get points.
  const points = Array.from({ length: 20 }, (_, i) => makePoint('m', { h: `h${i}` }, { v: i }, T0));
  const err = await t.throwsAsync(writer.writePoints('db', '', 'one', points, T0));
  t.is((err as TesseraError).code, 'ERR_CLUSTER_REMOTE');
  t.regex(err!.message, /^write failed: /);
  t.truthy(meta.retentionPolicy('db', ''));
});

test('consistency all with one of two owners failing is a partial write; any succeeds', async (t) => {
  const { meta } = await setup(2);
  await meta.createRetentionPolicy('db', { name: 'two', durationNs: 0n, replicaN: 2 }, false);
  const failing: RemoteShardWriter = {
    async writeShard() {
      throw new Error('node 2 is down');
    },
  };
  const w = new PointsWriter(meta, await localStore(), silentLogger(), failing);
  const p = [makePoint('m', { h: 'a' }, { v: 1 }, T0)];
  const err = await t.throwsAsync(w.writePoints('db', 'two', 'all', p, T0));
  t.is(err!.message, 'partial write');
  await t.notThrowsAsync(w.writePoints('db', 'two', 'any', p, T0));
  await t.notThrowsAsync(w.writePoints('db', 'two', 'one', p, T0));
});

test('unknown database and retention policy are typed errors worded as InfluxDB', async (t) => {
  const { writer } = await setup();
  const p = [makePoint('m', {}, { v: 1 }, T0)];
  const e1 = await t.throwsAsync(writer.writePoints('nope', '', 'one', p, T0));
  t.is((e1 as TesseraError).code, 'ERR_META_DATABASE_NOT_FOUND');
  t.is(e1!.message, 'database not found: "nope"');
  const e2 = await t.throwsAsync(writer.writePoints('db', 'nope', 'one', p, T0));
  t.is((e2 as TesseraError).code, 'ERR_META_RP_NOT_FOUND');
  t.is(e2!.message, 'retention policy not found: nope');
});

test('points older than the retention period are dropped and reported', async (t) => {
  const { meta, writer } = await setup();
  await meta.createRetentionPolicy('db', { name: 'short', durationNs: HOUR }, false);
  const now = T0 + 10n * HOUR;
  const r = await writer.writePoints('db', 'short', 'one', [makePoint('m', {}, { v: 1 }, T0), makePoint('m', {}, { v: 2 }, now)], now);
  t.deepEqual(r, { written: 1, drop: { reason: 'points beyond retention policy', dropped: 1 } });
});

test('a field type conflict is reported with the store reason and count', async (t) => {
  const { writer } = await setup();
  await writer.writePoints('db', '', 'one', [makePoint('m', {}, { v: 1 }, T0)], T0);
  const r = await writer.writePoints('db', '', 'one', [makePoint('m', {}, { v: 2n }, T0 + 1n), makePoint('m', {}, { w: 'x' }, T0 + 2n)], T0);
  t.is(r.written, 1);
  t.is(r.drop?.dropped, 1);
  t.regex(r.drop!.reason, /^field type conflict: input field "v" on measurement "m" is type integer, already exists as type float/);
});

test('concurrent writes to a new shard create it once', async (t) => {
  const { store, writer } = await setup();
  let creates = 0;
  const orig = store.createShard.bind(store);
  store.createShard = async (...args) => {
    creates++;
    return orig(...args);
  };
  await Promise.all(Array.from({ length: 8 }, (_, i) => writer.writePoints('db', '', 'one', [makePoint('m', {}, { v: i }, T0 + BigInt(i))], T0)));
  t.is(creates, 1);
});
