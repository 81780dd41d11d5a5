import net from 'node:net';
import test from 'ava';
import type { ConsistencyLevel } from '../../core/cluster/consistency.js';
import { hasCode } from '../../core/errors.js';
import { makePoint } from '../../core/testing/points.js';
import { dumpShard, startCluster, type TestNode } from './cluster-harness.js';

// PointsWriter over three real nodes (reference §4.2, item 3): every shard is owned by nodes 1, 2, 3;
// node 1 writes locally and through its ShardWriter; failures are real (stopped nodes, a silent peer).

const T0 = 1_000_000_000_000n;
const NOW = T0 + 1000n;
const batch = [
  makePoint('cpu', { host: 'a' }, { value: 1.5 }, T0),
  makePoint('cpu', { host: 'b' }, { value: 2.5 }, T0 + 1n),
  makePoint('mem', { host: 'a' }, { used: 7n }, T0 + 2n),
];

async function threeOwners(options: { writeTimeoutMs?: number } = {}) {
  const c = await startCluster(3, { timeoutMs: 3000, ...options });
  await c.nodes[0]!.meta.createDatabase('db', { name: 'rf3', replicaN: 3, durationNs: 0n });
  return c;
}

function write(n: TestNode, consistency: ConsistencyLevel) {
  return n.writer.writePoints('db', '', consistency, batch, NOW);
}

function shardOf(n: TestNode): number {
  return n.meta.retentionPolicy('db', '')!.shardGroups[0]!.shards[0]!.id;
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

test('consistency all, every owner up: acknowledged, and every owner holds the same points', async (t) => {
  const c = await threeOwners();
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    t.deepEqual(await write(n1, 'all'), { written: 3 });
    const shard = shardOf(n1);
    t.deepEqual([...n1.meta.retentionPolicy('db', '')!.shardGroups[0]!.shards[0]!.owners].sort(), [1, 2, 3]);
    const local = dumpShard(n1.store, shard);
    t.is(local.length, 3);
    t.deepEqual(dumpShard(n2.store, shard), local);
    t.deepEqual(dumpShard(n3.store, shard), local);
  } finally {
    await c.stop();
  }
});

test('consistency one: acknowledged once the local write is in; the remote copies still arrive', async (t) => {
  const c = await threeOwners();
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    t.deepEqual(await write(n1, 'one'), { written: 3 });
    const shard = shardOf(n1);
    t.true(await eventually(() => n2.store.shardInfo(shard) !== undefined && n3.store.shardInfo(shard) !== undefined && dumpShard(n3.store, shard).length === 3 && dumpShard(n2.store, shard).length === 3));
  } finally {
    await c.stop();
  }
});

test('one owner down: all -> "partial write", quorum and one -> acknowledged (item 3 cases 5, 8)', async (t) => {
  const c = await threeOwners();
  try {
    const [n1, , n3] = c.nodes as [TestNode, TestNode, TestNode];
    await n3.kill();
    const err = await t.throwsAsync(write(n1, 'all'));
    t.is(err!.message, 'partial write');
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'));
    t.deepEqual(await write(n1, 'quorum'), { written: 3 });
    t.deepEqual(await write(n1, 'one'), { written: 3 });
    t.like(n1.writer.stats, { req: 3, pointReq: 9, pointReqLocal: 9, pointReqRemote: 18, writePartial: 1, writeOk: 2 });
  } finally {
    await c.stop();
  }
});

test('two owners down: quorum -> "partial write", any/one -> acknowledged by the local copy (item 3 cases 6, 7)', async (t) => {
  const c = await threeOwners();
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    await n2.kill();
    await n3.kill();
    t.is((await t.throwsAsync(write(n1, 'quorum')))!.message, 'partial write');
    t.is((await t.throwsAsync(write(n1, 'all')))!.message, 'partial write');
    t.deepEqual(await write(n1, 'one'), { written: 3 });
    t.deepEqual(await write(n1, 'any'), { written: 3 });
  } finally {
    await c.stop();
  }
});

test('no owner can take the write: "write failed: <first error>" (item 3 case 2)', async (t) => {
  const c = await threeOwners();
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    await write(n1, 'all'); // the shard group exists and the local shard is created
    await n2.kill();
    await n3.kill();
    await n1.store.stop();
    const err = await t.throwsAsync(write(n1, 'one'));
    t.regex(err!.message, /^write failed: /);
  } finally {
    await c.stop();
  }
});

test('a silent owner: one is acknowledged at once, all fails with "timeout" at the write timeout', async (t) => {
  const c = await threeOwners({ writeTimeoutMs: 1500 });
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  try {
    const [n1, , n3] = c.nodes as [TestNode, TestNode, TestNode];
    await n3.kill();
    // Node 3's address now answers TCP but never speaks (a hung node).
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    const port = Number(n3.address.split(':')[1]);
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const started = Date.now();
    t.deepEqual(await write(n1, 'one'), { written: 3 });
    t.true(Date.now() - started < 1500, 'not held up by the silent owner');
    const err = await t.throwsAsync(write(n1, 'all'));
    t.is(err!.message, 'timeout');
    t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'));
  } finally {
    for (const s of sockets) s.destroy();
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    await c.stop();
  }
});

test('field type conflicts on a remote-only shard are reported like local ones: written count and InfluxDB reason', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    // Find a series whose shard only node 2 owns.
    const g = await n1.meta.createShardGroupIfNotExists('db', '', T0);
    const remoteShard = g.shards.find((s) => s.owners[0] === n2.id)!.id;
    let host = '';
    for (let i = 0; i < 100 && !host; i++) {
      const p = makePoint('m', { host: `h${i}` }, { v: 1.5 }, T0);
      await n1.writer.writePoints('db', '', 'one', [p], NOW);
      if (n2.store.shardInfo(remoteShard) !== undefined && n2.store.reader(remoteShard).series('m').some((s) => s.key === p.key)) host = `h${i}`;
    }
    t.truthy(host);
    t.is(n1.store.shardInfo(remoteShard), undefined, 'node 1 holds no copy');
    const r = await n1.writer.writePoints('db', '', 'one', [makePoint('m', { host }, { v: 2n }, T0 + 5n)], NOW);
    t.deepEqual(r, {
      written: 0,
      drop: { reason: 'field type conflict: input field "v" on measurement "m" is type integer, already exists as type float', dropped: 1 },
    });
  } finally {
    await c.stop();
  }
});
