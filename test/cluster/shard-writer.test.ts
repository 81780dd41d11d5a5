import net from 'node:net';
import test from 'ava';
import { hasCode } from '../../core/errors.js';
import { ShardWriter } from '../../core/cluster/shard-writer.js';
import { makePoint } from '../../core/testing/points.js';
import { startCluster, type TestNode } from './cluster-harness.js';

// Reference §10 items 4-9 and 80, over real TCP: node 1's ShardWriter, through its pool, to node 2's
// cluster service. Meta is shared through SharedMetaLog (a stand-in for Raft replication).

const cpu = makePoint('cpu', { host: 'server01' }, { value: 100n }, 1_000_000_000n);
const T0 = 1_000_000_000n;

/** A shard of `db` whose only owner is `owner` (2 nodes, replication 1: one shard per node per group). */
async function shardOwnedBy(meta: { createShardGroupIfNotExists(db: string, rp: string, t: bigint): Promise<{ shards: readonly { id: number; owners: readonly number[] }[] }> }, db: string, owner: number): Promise<number> {
  const g = await meta.createShardGroupIfNotExists(db, '', T0);
  const s = g.shards.find((x) => x.owners.length === 1 && x.owners[0] === owner);
  if (!s) throw new Error(`no shard owned only by ${owner}`);
  return s.id;
}

/** A TCP server that accepts connections and never answers (reference item 8). */
async function silentServer(): Promise<{ address: string; close(): Promise<void>; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('write-shard to a shard meta knows but the owner has not created: created there, point stored exactly (items 4, 80)', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    t.is(n2.store.shardInfo(shard), undefined);
    const r = await n1.shardWriter.writeShard(shard, n2.id, [cpu]);
    t.deepEqual(r, { dropped: 0 });
    t.deepEqual(n2.store.shardInfo(shard), { db: 'db', rp: 'autogen' });
    t.deepEqual(n2.store.reader(shard).series('cpu').map((s) => s.key), ['cpu,host=server01']);
    const [block] = [...n2.store.reader(shard).scan('cpu,host=server01', 'value', 0n, 2n * T0)];
    const { times, values } = block!.decode();
    t.deepEqual([...times], [T0]);
    t.deepEqual([...(values as BigInt64Array)], [100n]);
    t.is(n2.service.stats.writeShardReq, 1);
    t.is(n2.service.stats.writeShardPointsReq, 1);
  } finally {
    await c.stop();
  }
});

test('two writes reuse one pooled connection (item 5)', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    await n1.shardWriter.writeShard(shard, n2.id, [cpu]);
    await n1.shardWriter.writeShard(shard, n2.id, [makePoint('cpu', { host: 'server02' }, { value: 1n }, T0)]);
    t.is(n2.service.stats.connections, 1);
    t.deepEqual(n1.pool.stats(n2.id), { idle: 1, live: 1, waiting: 0 });
    t.is(n2.store.reader(shard).series('cpu').length, 2);
  } finally {
    await c.stop();
  }
});

test('a failing remote write comes back as ERR_CLUSTER_REMOTE "error code 1: write shard N: ..." and the connection stays usable (item 6)', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    await n2.store.stop(); // the remote store refuses every call
    const err = await t.throwsAsync(n1.shardWriter.writeShard(shard, n2.id, [cpu]));
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'));
    t.regex(err!.message, new RegExp(`^error code 1: write shard ${shard}: .*stopped`));
    const local = t.throws(() => n2.store.shardInfo(shard));
    t.is((err as { details?: { remoteErrorCode?: string } }).details?.remoteErrorCode, (local as { code?: string }).code, 'the remote error code travels');
    t.is(n2.service.stats.writeShardFail, 1);
    t.deepEqual(n1.pool.stats(n2.id), { idle: 1, live: 1, waiting: 0 });
  } finally {
    await c.stop();
  }
});

test('a remote that never answers: ERR_CLUSTER_TIMEOUT after the read deadline and the connection is discarded (item 8)', async (t) => {
  const silent = await silentServer();
  const c = await startCluster(1, { timeoutMs: 400, pool: { 'get-timeout': '5s' } });
  try {
    const n1 = c.nodes[0]!;
    const ghost = await c.log.addNode(silent.address);
    const started = Date.now();
    const err = await t.throwsAsync(n1.shardWriter.writeShard(7, ghost, [cpu]));
    t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'), String(err));
    t.regex(err!.message, /read deadline of 400ms exceeded/);
    t.true(Date.now() - started < 2000);
    t.deepEqual(n1.pool.stats(ghost), { idle: 0, live: 0, waiting: 0 });
    t.is(n1.shardWriter.stats.connectionFailures, 1);
  } finally {
    await c.stop();
    await silent.close();
  }
});

test('a dead owner: the dial error comes back and nothing is left in the pool (item 7, refused instead of timed out)', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n2.kill();
    const err = await t.throwsAsync(n1.shardWriter.writeShard(1, n2.id, [cpu]));
    t.true(hasCode(err, 'ERR_TRANSPORT_DIAL_FAILED') || hasCode(err, 'ERR_TRANSPORT_DIAL_TIMEOUT'), String(err));
    t.is(n1.pool.stats(n2.id).live, 0);
  } finally {
    await c.stop();
  }
});

test('a dial that cannot complete in time: ERR_TRANSPORT_DIAL_TIMEOUT (item 7)', async (t) => {
  const c = await startCluster(1, { timeoutMs: 1000, pool: { 'get-timeout': '1ms' } });
  try {
    const n1 = c.nodes[0]!;
    // A non-routable address: the connection attempt can only end by the 1 ms dial deadline (or at
    // once where the network refuses it, which is the other branch below).
    const ghost = await c.log.addNode('10.255.255.1:9');
    const err = await t.throwsAsync(n1.shardWriter.writeShard(1, ghost, [cpu]));
    t.true(hasCode(err, 'ERR_TRANSPORT_DIAL_TIMEOUT') || hasCode(err, 'ERR_TRANSPORT_DIAL_FAILED'), String(err));
    if (hasCode(err, 'ERR_TRANSPORT_DIAL_TIMEOUT')) t.regex(err!.message, /timed out/);
    t.log(String(err));
    t.is(n1.pool.stats(ghost).live, 0);
  } finally {
    await c.stop();
  }
});

test('max 1 connection, held by another request: a write fails "timed out waiting for free connection" (item 9)', async (t) => {
  const c = await startCluster(2, { timeoutMs: 300, pool: { max: 1, 'get-timeout': '5s' } });
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    const busy = await n1.pool.get(n2.id); // the only connection, borrowed by a request in progress
    const err = await t.throwsAsync(n1.shardWriter.writeShard(shard, n2.id, [cpu]));
    t.true(hasCode(err, 'ERR_POOL_TIMEOUT'), String(err));
    t.is(err!.message, 'timed out waiting for free connection');
    busy.release();
    t.deepEqual(await n1.shardWriter.writeShard(shard, n2.id, [cpu]), { dropped: 0 }, 'the freed connection serves the next write');
  } finally {
    await c.stop();
  }
});

test('a write for a shard whose group was deleted succeeds and is dropped (§2.4, item 80)', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const g = await n1.meta.createShardGroupIfNotExists('db', '', T0);
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    await n1.meta.deleteShardGroup('db', 'autogen', g.id);
    t.deepEqual(await n1.shardWriter.writeShard(shard, n2.id, [cpu]), { dropped: 0 });
    t.is(n2.store.shardInfo(shard), undefined);
    t.is(n2.service.stats.writeShardDropped, 1);
    // A shard ID newer than anything meta has seen is NOT dropped: it may belong to a group this node
    // has not applied yet, so it is an error answer (see cluster-service-meta-lag.test.ts).
    const err = await t.throwsAsync(n1.shardWriter.writeShard(9999, n2.id, [cpu]));
    t.regex(err!.message, /not in this node's meta data yet/);
    t.is(n2.service.stats.writeShardDropped, 1);
  } finally {
    await c.stop();
  }
});

test('field type conflicts on the remote: the other points are written, the drop comes back with InfluxDB\'s text', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    await n1.shardWriter.writeShard(shard, n2.id, [makePoint('m', {}, { v: 1.5 }, T0)]);
    const r = await n1.shardWriter.writeShard(shard, n2.id, [makePoint('m', {}, { v: 2n }, T0 + 1n), makePoint('m', { a: 'b' }, { v: 2.5 }, T0 + 2n)]);
    t.is(r.dropped, 1);
    t.is(r.error, 'field type conflict: input field "v" on measurement "m" is type integer, already exists as type float');
    t.is(n2.store.reader(shard).series('m').length, 2);
  } finally {
    await c.stop();
  }
});

test('a write larger than maxPointsPerRequest goes as several requests on one connection; drops add up', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = await shardOwnedBy(n1.meta, 'db', n2.id);
    const writer = new ShardWriter(n1.pool, { timeoutMs: 2000, maxPointsPerRequest: 7 });
    await writer.writeShard(shard, n2.id, [makePoint('m', {}, { v: 1.5 }, T0)]);
    // 50 points, two of them (in different parts) conflicting with the float already stored.
    const pts = Array.from({ length: 50 }, (_, i) => makePoint('m', { k: `s${i}` }, { v: i === 3 || i === 40 ? BigInt(i) : i + 0.5 }, T0 + BigInt(i)));
    const r = await writer.writeShard(shard, n2.id, pts);
    t.is(r.dropped, 2);
    t.is(r.error, 'field type conflict: input field "v" on measurement "m" is type integer, already exists as type float');
    t.is(n2.service.stats.writeShardReq, 1 + 8);
    t.is(n2.store.reader(shard).series('m').length, 1 + 48);
    t.is(n2.service.stats.connections, 1);
  } finally {
    await c.stop();
  }
});
