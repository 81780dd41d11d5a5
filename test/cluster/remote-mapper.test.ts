// Serial: several tests move tens of MB through one process; run together they starve each other's deadlines.
import net from 'node:net';
import test from 'ava';
import { encodeMapShardResponse, OK } from '../../core/cluster/codec.js';
import { ClusterMux } from '../../core/cluster/cluster-mux.js';
import { ClusterService } from '../../core/cluster/cluster-service.js';
import { RemoteMapper } from '../../core/cluster/remote-mapper.js';
import type { Mapper, MapRequest } from '../../core/contracts/mapper.js';
import { hasCode, TesseraError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { SELECT_MAP_VERSION } from '../../core/query/select/map-request.js';
import { makePoint } from '../../core/testing/points.js';
import { TcpTransport } from '../../plugins/transport-tcp/tcp-transport.js';
import { startCluster, type TestNode } from './cluster-harness.js';

// Remote maps over real TCP (reference §2.5, §2.7, item 12, 81; DESIGN §2: failover to the next owner).

const T0 = 1_000_000_000_000n;

/** A raw-mode data request for cpu.value grouped by host (the query engine's map request shape). */
const rawRequest: MapRequest = {
  version: SELECT_MAP_VERSION,
  kind: 'data',
  measurement: 'cpu',
  tmin: '0',
  tmax: '9223372036854775806',
  condition: null,
  dimensions: ['host'],
  interval: '0',
  offset: '0',
  ascending: true,
  columns: [{ kind: 'field', name: 'value' }],
  aggregates: null,
};

function points(n: number, hosts = 3) {
  return Array.from({ length: n }, (_, i) => makePoint('cpu', { host: `h${i % hosts}` }, { value: i * 0.5 }, T0 + BigInt(i) * 1_000_000_000n));
}

async function drain(m: Mapper): Promise<{ tagSets: string[]; fields: string[]; chunks: unknown[] }> {
  await m.open();
  const tagSets = m.tagSets();
  const fields = m.fields();
  const chunks: unknown[] = [];
  try {
    for (let c = await m.nextChunk(); c !== null; c = await m.nextChunk()) chunks.push(c);
  } finally {
    await m.close();
  }
  return { tagSets, fields, chunks };
}

/**
 * The shard meta gives to holders[0] in the first group, written directly to each of `holders` (they all
 * hold a copy, whatever meta says about the others).
 */
async function shardOn(writerNode: TestNode, holders: TestNode[], n: number): Promise<number> {
  await writerNode.meta.createDatabase('db');
  const g = await writerNode.meta.createShardGroupIfNotExists('db', '', T0);
  const id = g.shards.find((s) => s.owners.includes(holders[0]!.id))!.id;
  for (const h of holders) await writerNode.shardWriter.writeShard(id, h.id, points(n));
  return id;
}

test.serial('a remote map streams the same chunks as the local mapper on the owner, tag sets first, and gives the connection back', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    const shard = await shardOn(n1, [n2], 50);
    const local = await drain(n2.shardMapper.localMapper(shard, rawRequest, 7));
    const mapper = await n1.shardMapper.createMapper({ id: shard, owners: [n2.id] }, rawRequest, 7);
    t.true(mapper instanceof RemoteMapper);
    const remote = await drain(mapper);
    t.true(local.chunks.length > 3, 'several chunks');
    t.deepEqual(remote, local);
    t.deepEqual(remote.tagSets.length, 3);
    t.is(n2.service.stats.mapShardReq, 1);
    t.is(n2.service.stats.mapShardResp, local.chunks.length + 1, 'the last response carries no chunk');
    t.deepEqual(n1.pool.stats(n2.id), { idle: 1, live: 1, waiting: 0 }, 'a stream read to its end releases the connection');
  } finally {
    await c.stop();
  }
});

test.serial('a shard owned here but never written maps as empty; one not owned here is an error response', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const g = await n1.meta.createShardGroupIfNotExists('db', '', T0);
    const mine = g.shards.find((s) => s.owners.includes(n2.id))!;
    const empty = await drain(await n1.shardMapper.createMapper(mine, rawRequest, 10));
    t.deepEqual(empty.chunks, []);
    const err = await t.throwsAsync(drain(await n1.shardMapper.createMapper({ id: 4242, owners: [n2.id] }, rawRequest, 10)));
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'));
    t.regex(err!.message, /error code 1: shard 4242 not found on node 2/);
    t.is(n2.service.stats.mapShardFail, 1);
  } finally {
    await c.stop();
  }
});

test.serial('killing the remote mid-stream fails the query with a clear error within the deadline', async (t) => {
  const c = await startCluster(2, { timeoutMs: 3000 });
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    // ~30 MB of rows (1 KB strings), more than socket buffers and the mapper's read-ahead hold: the
    // remote is still producing the stream when it dies (a stream already fully received would
    // legitimately end cleanly).
    await n1.meta.createDatabase('db');
    const g = await n1.meta.createShardGroupIfNotExists('db', '', T0);
    const shard = g.shards.find((s) => s.owners.includes(n2.id))!.id;
    const big = Array.from({ length: 30_000 }, (_, i) => makePoint('cpu', { host: `h${i % 3}` }, { value: `${'x'.repeat(1000)}${i}` }, T0 + BigInt(i)));
    await n1.shardWriter.writeShard(shard, n2.id, big);
    const mapper = await n1.shardMapper.createMapper({ id: shard, owners: [n2.id] }, rawRequest, 100);
    await mapper.open();
    t.not(await mapper.nextChunk(), null);
    const killedAt = Date.now();
    await n2.kill();
    const err = await t.throwsAsync(async () => {
      while ((await mapper.nextChunk()) !== null);
    });
    const elapsed = Date.now() - killedAt;
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'), String(err));
    t.regex(err!.message, new RegExp(`^map shard ${shard} on node ${n2.id}: connection (ended mid-frame|closed)`));
    t.true(elapsed < 3000, `error after ${elapsed}ms`);
    await mapper.close();
    t.is(n1.pool.stats(n2.id).live, 0, 'the broken connection is not reused');
  } finally {
    await c.stop();
  }
});

test.serial('a remote that stalls mid-stream: ERR_CLUSTER_TIMEOUT after the chunk deadline', async (t) => {
  // A peer that answers the first response and then goes silent (a hung node).
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => s.write(encodeMapShardResponse({ ...OK, tagSets: ['a'], fields: ['value'], chunk: { n: 1 } })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = await startCluster(1, { timeoutMs: 1500 });
  try {
    const n1 = c.nodes[0]!;
    const ghost = await c.log.addNode(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    const mapper = await n1.shardMapper.createMapper({ id: 3, owners: [ghost] }, rawRequest, 10);
    await mapper.open();
    t.deepEqual(mapper.tagSets(), ['a']);
    t.deepEqual(await mapper.nextChunk(), { n: 1 });
    const started = Date.now();
    const err = await t.throwsAsync(mapper.nextChunk());
    t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'), String(err));
    t.regex(err!.message, /no response within 1500ms/);
    t.true(Date.now() - started < 5000);
    t.is(n1.pool.stats(ghost).live, 0);
  } finally {
    await c.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test.serial('replication 2 with one owner dead: the map fails over to the live owner, whichever is tried first', async (t) => {
  const c = await startCluster(3);
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    const shard = await shardOn(n1, [n2, n3], 40);
    const expected = await drain(n3.shardMapper.localMapper(shard, rawRequest, 8));
    await n2.kill();
    const served: number[] = [];
    for (let i = 0; i < 2; i++) {
      // The first owner tried rotates: one of these two starts with the dead node.
      const m = await n1.shardMapper.createMapper({ id: shard, owners: [n2.id, n3.id] }, rawRequest, 8);
      t.deepEqual(await drain(m), expected);
      served.push((m as RemoteMapper).nodeId);
    }
    t.deepEqual(served, [n3.id, n3.id]);
  } finally {
    await c.stop();
  }
});

test.serial('an owner that answers with an error before its first chunk: the next owner is asked; all failing names each', async (t) => {
  const c = await startCluster(3);
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    const shard = await shardOn(n1, [n3], 10);
    const m = new RemoteMapper({ pool: n1.pool, shardId: shard, owners: [n2.id, n3.id], request: rawRequest, chunkSize: 100, chunkTimeoutMs: 2000 });
    const got = await drain(m);
    t.is(m.nodeId, n3.id);
    t.deepEqual(got, await drain(n3.shardMapper.localMapper(shard, rawRequest, 100)));
    await n3.kill();
    const bad = new RemoteMapper({ pool: n1.pool, shardId: shard, owners: [n2.id, n3.id], request: rawRequest, chunkSize: 100, chunkTimeoutMs: 2000 });
    const err = await t.throwsAsync(bad.open());
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'));
    t.regex(err!.message, new RegExp(`no owner answered \\(map shard ${shard} on node ${n2.id}: error code 1: .*; map shard ${shard} on node ${n3.id}: `));
  } finally {
    await c.stop();
  }
});

test.serial('an error on the remote mid-stream arrives as a coded response and fails the mapper (item 81)', async (t) => {
  const c = await startCluster(2, { timeoutMs: 3000 });
  // No real store fails on demand in the middle of a stream, so node 2 gets a second cluster port whose
  // service wraps its real local mapper with a fault: the third chunk throws. Everything else is real.
  const transport = new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  await transport.start();
  const mux = new ClusterMux(transport, '127.0.0.1:0', silentLogger());
  await mux.start();
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    const shard = await shardOn(n1, [n2], 60);
    const faulty = new ClusterService({
      mux,
      store: n2.store,
      meta: n2.meta,
      logger: silentLogger(),
      openMapper: (id, req, size) => {
        const inner = n2.shardMapper.localMapper(id, req, size);
        let served = 0;
        return {
          open: () => inner.open(),
          tagSets: () => inner.tagSets(),
          fields: () => inner.fields(),
          close: () => inner.close(),
          nextChunk: async () => {
            if (++served === 3) throw new TesseraError('ERR_TSDB_CORRUPT', 'block 7 failed its checksum');
            return inner.nextChunk();
          },
        };
      },
    });
    await faulty.start();
    const port2 = await c.log.addNode(mux.address().address);
    const mapper = await n1.shardMapper.createMapper({ id: shard, owners: [port2] }, rawRequest, 5);
    await mapper.open();
    t.not(await mapper.nextChunk(), null);
    t.not(await mapper.nextChunk(), null);
    const err = await t.throwsAsync(mapper.nextChunk());
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'), String(err));
    t.is(err!.message, 'error code 1: block 7 failed its checksum');
    t.is((err as { details?: { remoteErrorCode?: string } }).details?.remoteErrorCode, 'ERR_TSDB_CORRUPT');
    t.is(faulty.stats.mapShardFail, 1);
    t.is(await mapper.nextChunk(), null, 'the stream is over');
    await mapper.close();
    t.deepEqual(n1.pool.stats(port2), { idle: 1, live: 1, waiting: 0 }, 'an error response ends the stream cleanly');
    await faulty.stop();
  } finally {
    await c.stop();
    await mux.stop();
    await transport.stop();
  }
});

test.serial('an owner that hangs is tried last after it failed once: later maps do not wait for its deadline', async (t) => {
  const c = await startCluster(3, { timeoutMs: 800 });
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    const shard = await shardOn(n1, [n2, n3], 30);
    const expected = await drain(n3.shardMapper.localMapper(shard, rawRequest, 8));
    await n2.kill();
    // Node 2's address now accepts connections and never answers (a hung node).
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server!.listen(Number(n2.address.split(':')[1]), '127.0.0.1', r));
    const slow: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const m = await n1.shardMapper.createMapper({ id: shard, owners: [n2.id, n3.id] }, rawRequest, 8);
      t.deepEqual(await drain(m), expected);
      if (Date.now() - started >= 800) slow.push(i);
    }
    t.true(slow.length <= 1, `maps that waited for the hung owner: ${slow.join(',')}`);
  } finally {
    for (const s of sockets) s.destroy();
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    await c.stop();
  }
});

test.serial('a consumer that closes a remote mapper early: the connection is discarded and the remote stops streaming', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const g = await n1.meta.createShardGroupIfNotExists('db', '', T0);
    const shard = g.shards.find((s) => s.owners.includes(n2.id))!.id;
    const big = Array.from({ length: 30_000 }, (_, i) => makePoint('cpu', { host: `h${i % 3}` }, { value: `${'z'.repeat(1000)}${i}` }, T0 + BigInt(i)));
    await n1.shardWriter.writeShard(shard, n2.id, big);
    const mapper = await n1.shardMapper.createMapper({ id: shard, owners: [n2.id] }, rawRequest, 100);
    await mapper.open();
    t.not(await mapper.nextChunk(), null);
    await mapper.close();
    t.is(n1.pool.stats(n2.id).live, 0, 'a half-read stream is not given back');
    const started = Date.now();
    await n2.service.stop(); // waits for requests in progress: the abandoned stream must end promptly
    t.true(Date.now() - started < 1000, `stop took ${Date.now() - started} ms`);
    t.is(n2.service.stats.badConnections, 0, 'a peer going away is not a protocol error');
    t.true(n2.service.stats.mapShardResp < 300, `${n2.service.stats.mapShardResp} of 301 responses sent`);
  } finally {
    await c.stop();
  }
});
