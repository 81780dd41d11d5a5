import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext, TestFn as AvaTestFn } from 'ava';
import type { MetaData, MetaStore, ShardGroupInfo } from '../contracts/meta-store.js';
import { hasCode, type ErrorCode } from '../errors.js';

/** ava's `test` function (the default export of 'ava'). */
export type TestFn = AvaTestFn;

/** Options of the MetaStore conformance suite. */
export interface MetaStoreSuiteOptions {
  readonly test: TestFn;
  /** Prefix of every test title (e.g. the plugin name). */
  readonly name: string;
  /** Builds a store (not started) keeping its files under `dir`; called again with the same dir to restart. */
  readonly factory: (dir: string) => Promise<MetaStore> | MetaStore;
}

const H = 3_600_000_000_000n;
const D = 24n * H;
const T0 = 946_684_800_000_000_000n; // 2000-01-01T00:00:00Z

/**
 * The MetaStore conformance suite: isolation, lifecycle traits, databases, policies, shard groups and
 * owners, soft delete, continuous queries, users, nodes, change notifications and (when
 * `supports.persistent`) restart traits. Every test gets its own temp dir, removed afterwards.
 */
export function metaStoreSuite(options: MetaStoreSuiteOptions): void {
  const { test, name, factory } = options;
  const dirs: string[] = [];
  const stores: MetaStore[] = [];

  async function fresh(dir?: string): Promise<{ store: MetaStore; dir: string }> {
    const d = dir ?? (await mkdtemp(join(tmpdir(), 'tessera-meta-suite-')));
    if (dir === undefined) dirs.push(d);
    const store = await factory(d);
    stores.push(store);
    return { store, dir: d };
  }

  async function started(dir?: string): Promise<{ store: MetaStore; dir: string }> {
    const s = await fresh(dir);
    await s.store.start();
    return s;
  }

  test.after.always(async () => {
    for (const s of stores) await s.stop().catch(() => undefined);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function rejectsWith(t: ExecutionContext, p: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    t.true(hasCode(err, code), `expected ${code}, got ${String(err)}`);
    if (message !== undefined) t.is((err as Error).message, message);
  }

  test(`${name}: two instances are isolated`, async (t) => {
    const a = await started();
    const b = await started();
    await a.store.createDatabase('only_a');
    t.truthy(a.store.database('only_a'));
    t.is(b.store.database('only_a'), undefined);
    t.deepEqual(b.store.data().databases, []);
  });

  test(`${name}: calls before start fail with ERR_SERVICE_NOT_STARTED, after stop with ERR_SERVICE_STOPPED`, async (t) => {
    const { store } = await fresh();
    const reads: [string, () => unknown][] = [
      ['nodeId', () => store.nodeId()],
      ['data', () => store.data()],
      ['database', () => store.database('x')],
      ['retentionPolicy', () => store.retentionPolicy('x', '')],
      ['shardGroupsByTimeRange', () => store.shardGroupsByTimeRange('x', '', 0n, 1n)],
    ];
    const writes: [string, () => Promise<unknown>][] = [
      ['createShardGroupIfNotExists', () => store.createShardGroupIfNotExists('x', '', 0n)],
      ['deleteShardGroup', () => store.deleteShardGroup('x', '', 1)],
      ['dropShard', () => store.dropShard(1)],
      ['createDatabase', () => store.createDatabase('x')],
      ['dropDatabase', () => store.dropDatabase('x')],
      ['createRetentionPolicy', () => store.createRetentionPolicy('x', { name: 'r', durationNs: H, replicaN: 1 }, false)],
      ['alterRetentionPolicy', () => store.alterRetentionPolicy('x', 'r', { replicaN: 1 }, false)],
      ['dropRetentionPolicy', () => store.dropRetentionPolicy('x', 'r')],
      ['createContinuousQuery', () => store.createContinuousQuery('x', 'c', 'q')],
      ['dropContinuousQuery', () => store.dropContinuousQuery('x', 'c')],
      ['createUser', () => store.createUser('u', 'h', false)],
      ['dropUser', () => store.dropUser('u')],
      ['setUserPassword', () => store.setUserPassword('u', 'h')],
      ['setAdminPrivilege', () => store.setAdminPrivilege('u', true)],
      ['setPrivilege', () => store.setPrivilege('u', 'x', 'READ')],
      ['addNode', () => store.addNode('h:1')],
      ['removeNode', () => store.removeNode(2, false)],
      ['sync', () => store.sync()],
    ];
    const check = async (code: ErrorCode) => {
      for (const [what, call] of reads) t.throws(call, { code } as never, `${what} ${code}`);
      for (const [, call] of writes) await rejectsWith(t, call(), code);
    };
    await check('ERR_SERVICE_NOT_STARTED');
    await store.start();
    await store.stop();
    await check('ERR_SERVICE_STOPPED');
  });

  test(`${name}: start and stop are idempotent; stop before start is a no-op`, async (t) => {
    const { store } = await fresh();
    await Promise.all([store.start(), store.start()]);
    await store.start();
    t.is(store.nodeId(), 1);
    await Promise.all([store.stop(), store.stop()]);
    await store.stop();
    const other = await fresh();
    await other.store.stop();
    t.pass();
  });

  test(`${name}: a new store registers its node as ID 1 and sync resolves`, async (t) => {
    const { store } = await started();
    t.is(store.nodeId(), 1);
    t.deepEqual(store.data().nodes.map((n) => n.id), [1]);
    t.not(store.data().clusterId, '');
    await store.sync();
  });

  test(`${name}: databases get autogen; create is idempotent; drop of a missing one is fine`, async (t) => {
    const { store } = await started();
    const db = await store.createDatabase('db');
    t.is(db.defaultRetentionPolicy, 'autogen');
    const rp = store.retentionPolicy('db', '')!;
    t.deepEqual([rp.name, rp.durationNs, rp.shardGroupDurationNs, rp.replicaN], ['autogen', 0n, 7n * D, 1]);
    await store.createDatabase('db');
    t.is(store.data().databases.length, 1);
    await store.dropDatabase('db');
    t.is(store.database('db'), undefined);
    await store.dropDatabase('db');
    await rejectsWith(t, store.createDatabase(''), 'ERR_META_INVALID_NAME', 'invalid name');
  });

  test(`${name}: CREATE DATABASE WITH a policy; a conflicting repeat fails`, async (t) => {
    const { store } = await started();
    const spec = { name: 'three_days', durationNs: 3n * D, replicaN: 1, shardGroupDurationNs: H };
    await store.createDatabase('db2', spec);
    t.is(store.retentionPolicy('db2', '')?.name, 'three_days');
    await store.createDatabase('db2', spec);
    await rejectsWith(
      t,
      store.createDatabase('db2', { name: 'three_days', durationNs: 5n * D }),
      'ERR_META_RP_CONFLICT',
      'retention policy conflicts with an existing policy',
    );
  });

  test(`${name}: retention policies: create, re-create, alter, default, drop, errors`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db');
    const rp1 = await store.createRetentionPolicy('db', { name: 'rp1', durationNs: 2n * H, replicaN: 1 }, false);
    t.is(rp1.shardGroupDurationNs, H);
    await store.createRetentionPolicy('db', { name: 'rp1', durationNs: 2n * H, replicaN: 1 }, false);
    await rejectsWith(t, store.createRetentionPolicy('db', { name: 'rp1', durationNs: 3n * H, replicaN: 1 }, false), 'ERR_META_RP_EXISTS', 'retention policy already exists');
    await rejectsWith(t, store.createRetentionPolicy('nodb', { name: 'x', durationNs: D, replicaN: 1 }, false), 'ERR_META_DATABASE_NOT_FOUND', 'database not found: nodb');
    await rejectsWith(t, store.createRetentionPolicy('db', { name: 's', durationNs: H / 2n, replicaN: 1 }, false), 'ERR_META_RP_DURATION_TOO_LOW', 'retention policy duration must be at least 1h0m0s');
    await rejectsWith(t, store.createRetentionPolicy('db', { name: 'z', durationNs: H, replicaN: 0 }, false), 'ERR_META_REPLICATION_FACTOR');
    await store.alterRetentionPolicy('db', 'rp1', { durationNs: 4n * H }, true);
    t.is(store.retentionPolicy('db', '')?.name, 'rp1');
    t.is(store.retentionPolicy('db', 'rp1')?.durationNs, 4n * H);
    await rejectsWith(t, store.alterRetentionPolicy('db', 'nope', { durationNs: 4n * H }, false), 'ERR_META_RP_NOT_FOUND', 'retention policy not found: nope');
    await rejectsWith(t, store.alterRetentionPolicy('db', 'rp1', { shardGroupDurationNs: 5n * H }, false), 'ERR_META_RP_DURATION_SHARD');
    await store.dropRetentionPolicy('db', 'rp1');
    await store.dropRetentionPolicy('db', 'nope');
    t.is(store.retentionPolicy('db', 'rp1'), undefined);
    t.is(store.retentionPolicy('db', ''), undefined, 'the dropped default resolves to nothing');
  });

  test(`${name}: shard groups: created once, owned by this node, found by time range`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db', { name: 'rp', durationNs: D, replicaN: 1 });
    const g = await store.createShardGroupIfNotExists('db', 'rp', T0 + 10n);
    t.is(g.startTime, T0);
    t.is(g.endTime, T0 + H);
    t.deepEqual(g.shards.map((s) => s.owners), [[store.nodeId()]]);
    const same = await store.createShardGroupIfNotExists('db', '', T0 + H - 1n);
    t.is(same.id, g.id);
    t.deepEqual(store.shardGroupsByTimeRange('db', 'rp', T0 - D, T0 + D).map((x) => x.id), [g.id]);
    t.deepEqual(store.shardGroupsByTimeRange('db', 'rp', T0 + H, T0 + D), []);
    await rejectsWith(t, store.createShardGroupIfNotExists('nodb', '', T0), 'ERR_META_DATABASE_NOT_FOUND');
    await rejectsWith(t, store.createShardGroupIfNotExists('db', 'nope', T0), 'ERR_META_RP_NOT_FOUND');
  });

  test(`${name}: concurrent misses for one group make one group`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db');
    const groups = await Promise.all(Array.from({ length: 20 }, (_, i) => store.createShardGroupIfNotExists('db', '', T0 + BigInt(i) * H)));
    t.is(new Set(groups.map((g: ShardGroupInfo) => g.id)).size, 1);
    t.is(store.data().maxShardGroupId, 1);
    const two = await Promise.all([store.createShardGroupIfNotExists('db', '', T0), store.createShardGroupIfNotExists('db', '', T0 + 8n * D)]);
    t.not(two[0].id, two[1].id);
  });

  test(`${name}: soft-deleted groups stay as tombstones and IDs are never reused`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db');
    const g = await store.createShardGroupIfNotExists('db', 'autogen', T0);
    await store.deleteShardGroup('db', 'autogen', g.id);
    const rp = store.retentionPolicy('db', 'autogen')!;
    t.is(rp.shardGroups.length, 1);
    t.not(rp.shardGroups[0]!.deletedAt, undefined);
    t.deepEqual(store.shardGroupsByTimeRange('db', 'autogen', T0, T0 + 1n), []);
    const again = await store.createShardGroupIfNotExists('db', 'autogen', T0);
    t.true(again.id > g.id);
    t.true(again.shards[0]!.id > g.shards[0]!.id);
    await rejectsWith(t, store.deleteShardGroup('db', 'autogen', 999), 'ERR_META_SHARD_GROUP_NOT_FOUND', 'shard group not found');
  });

  test(`${name}: DROP SHARD removes the shard; the last one soft-deletes its group; unknown IDs are fine`, async (t) => {
    const { store } = await started();
    await store.addNode('other:8088');
    await store.createDatabase('db'); // RF 1 on 2 nodes: 2 shards per group
    const g = await store.createShardGroupIfNotExists('db', '', T0);
    t.is(g.shards.length, 2);
    await store.dropShard(g.shards[0]!.id);
    t.deepEqual(store.shardGroupsByTimeRange('db', '', T0, T0)[0]!.shards.map((s) => s.id), [g.shards[1]!.id]);
    await store.dropShard(g.shards[1]!.id);
    t.deepEqual(store.shardGroupsByTimeRange('db', '', T0, T0), []);
    await store.dropShard(12345);
    const again = await store.createShardGroupIfNotExists('db', '', T0);
    t.true(again.id > g.id);
  });

  test(`${name}: continuous queries`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db');
    await store.createContinuousQuery('db', 'cq', 'CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT 1 END');
    await store.createContinuousQuery('db', 'cq', 'CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT 1 END');
    await rejectsWith(t, store.createContinuousQuery('db', 'cq', 'other'), 'ERR_META_CQ_EXISTS', 'continuous query already exists');
    t.deepEqual(store.database('db')?.continuousQueries.map((c) => c.name), ['cq']);
    await store.dropContinuousQuery('db', 'cq');
    await store.dropContinuousQuery('db', 'cq');
    t.deepEqual(store.database('db')?.continuousQueries, []);
  });

  test(`${name}: users and privileges`, async (t) => {
    const { store } = await started();
    await store.createDatabase('db');
    await store.createUser('u', 'hash1', false);
    await rejectsWith(t, store.createUser('u', 'hash2', false), 'ERR_META_USER_EXISTS', 'user already exists');
    await store.setUserPassword('u', 'hash3');
    await store.setAdminPrivilege('u', true);
    await store.setPrivilege('u', 'db', 'WRITE');
    t.deepEqual(store.data().users, [{ name: 'u', hash: 'hash3', admin: true, privileges: { db: 'WRITE' } }]);
    await rejectsWith(t, store.setPrivilege('nobody', 'db', 'READ'), 'ERR_META_USER_NOT_FOUND', 'user not found');
    await store.dropUser('u');
    await rejectsWith(t, store.dropUser('u'), 'ERR_META_USER_NOT_FOUND');
  });

  test(`${name}: nodes: add, owners round robin, remove`, async (t) => {
    const { store } = await started();
    const n2 = await store.addNode('other:8088', 'other:8086');
    t.is(n2.id, 2);
    await rejectsWith(t, store.addNode('other:8088'), 'ERR_META_NODE_EXISTS', 'node already exists');
    await store.createDatabase('db', { name: 'rp', durationNs: 0n, replicaN: 2 });
    const g = await store.createShardGroupIfNotExists('db', 'rp', T0);
    t.deepEqual([...g.shards[0]!.owners].sort(), [1, 2]);
    await store.removeNode(2, false);
    t.deepEqual(store.data().nodes.map((n) => n.id), [1]);
    t.deepEqual(store.retentionPolicy('db', 'rp')!.shardGroups[0]!.shards[0]!.owners, [1]);
    await rejectsWith(t, store.removeNode(1, true), 'ERR_META_LAST_NODE');
  });

  test(`${name}: onChange sees each applied state until unsubscribed; data is frozen`, async (t) => {
    const { store } = await started();
    const seen: MetaData[] = [];
    const off = store.onChange((d) => seen.push(d));
    await store.createDatabase('a');
    t.is(seen.length, 1);
    t.is(seen[0], store.data());
    t.truthy(seen[0]!.databases.find((d) => d.name === 'a'));
    t.true(Object.isFrozen(store.data()) && Object.isFrozen(store.data().databases));
    off();
    await store.createDatabase('b');
    t.is(seen.length, 1);
  });

  test(`${name}: a throwing change listener does not fail the command or other listeners`, async (t) => {
    const { store } = await started();
    let calls = 0;
    store.onChange(() => {
      throw new Error('listener bug');
    });
    store.onChange(() => calls++);
    await store.createDatabase('db');
    t.is(calls, 1);
    t.truthy(store.database('db'));
  });

  test(`${name}: stop lets accepted proposals finish`, async (t) => {
    const { store, dir } = await started();
    const pending = [store.createDatabase('x'), store.createDatabase('y')];
    await store.stop();
    await Promise.all(pending);
    if (store.supports.persistent) {
      const again = await started(dir);
      t.deepEqual(again.store.data().databases.map((d) => d.name), ['x', 'y']);
      await again.store.stop();
    } else {
      t.pass();
    }
  });

  test(`${name}: a failed command changes nothing`, async (t) => {
    const { store } = await started();
    const before = store.data();
    await rejectsWith(t, store.createRetentionPolicy('nodb', { name: 'r', durationNs: H, replicaN: 1 }, false), 'ERR_META_DATABASE_NOT_FOUND');
    t.is(store.data(), before);
  });

  test(`${name}: restart keeps the state (when persistent)`, async (t) => {
    const first = await started();
    if (!first.store.supports.persistent) {
      t.log('supports.persistent is false: restart traits skipped');
      t.pass();
      return;
    }
    const { store, dir } = first;
    await store.createDatabase('db');
    await store.createRetentionPolicy('db', { name: 'rp', durationNs: 2n * D, replicaN: 1 }, true);
    await store.createUser('u', 'h', true);
    await store.createContinuousQuery('db', 'cq', 'q');
    const g = await store.createShardGroupIfNotExists('db', '', T0);
    await store.deleteShardGroup('db', 'rp', g.id);
    await store.createShardGroupIfNotExists('db', 'autogen', T0);
    const before = store.data();
    await store.stop();
    const second = await started(dir);
    t.deepEqual(second.store.data(), before);
    t.is(second.store.nodeId(), 1);
    const next = await second.store.createShardGroupIfNotExists('db', 'rp', T0);
    t.is(next.id, before.maxShardGroupId + 1, 'IDs continue after a restart');
    await second.store.stop();
  });
}
