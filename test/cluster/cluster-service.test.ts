import net from 'node:net';
import test from 'ava';
import { decodeMessage, encodeWriteShardRequest, encodeWriteShardResponse, OK } from '../../core/cluster/codec.js';
import { encodeFrame, FrameReader } from '../../core/cluster/framing.js';
import { MessageType } from '../../core/cluster/schema.js';
import { MuxByte } from '../../core/contracts/transport.js';
import { hasCode } from '../../core/errors.js';
import { makePoint } from '../../core/testing/points.js';
import { startCluster, type TestNode } from './cluster-harness.js';

const T0 = 1_000_000_000n;
const cpu = makePoint('cpu', { host: 'server01' }, { value: 100n }, T0);

/** Dials the node's cluster port with mux byte 2, sends `bytes`, and resolves when the server closes. */
function sendAndWaitClose(n: TestNode, bytes: Buffer): Promise<{ closed: boolean; received: number }> {
  return new Promise((resolve) => {
    const [host, port] = n.address.split(':') as [string, string];
    const s = net.connect(Number(port), host);
    let received = 0;
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ closed: false, received });
    }, 3000);
    s.on('data', (c: Buffer) => (received += c.length));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received });
    });
    s.write(Buffer.concat([Buffer.of(MuxByte.CLUSTER), bytes]));
  });
}

test('an unknown message type closes the connection without an answer, and counts', async (t) => {
  const c = await startCluster(1);
  try {
    const n = c.nodes[0]!;
    t.deepEqual(await sendAndWaitClose(n, encodeFrame(9, Buffer.from('hello'))), { closed: true, received: 0 });
    t.is(n.service.stats.badConnections, 1);
  } finally {
    await c.stop();
  }
});

test('a response type sent to the service, or a frame with an undecodable body, closes the connection', async (t) => {
  const c = await startCluster(1);
  try {
    const n = c.nodes[0]!;
    t.true((await sendAndWaitClose(n, encodeWriteShardResponse(OK))).closed);
    t.true((await sendAndWaitClose(n, encodeFrame(1, Buffer.from([0xff, 0xff, 0xff])))).closed);
    t.true((await sendAndWaitClose(n, Buffer.from([1, 0, 0, 0, 0]))).closed, 'zero length');
    t.true((await sendAndWaitClose(n, Buffer.from([1, 0xff, 0xff, 0xff, 0xff]))).closed, 'oversized');
    t.is(n.service.stats.badConnections, 4);
  } finally {
    await c.stop();
  }
});

test('requests pipelined on one connection are answered in order, one response each', async (t) => {
  const c = await startCluster(1);
  try {
    const n = c.nodes[0]!;
    await n.meta.createDatabase('db');
    const shard = (await n.meta.createShardGroupIfNotExists('db', '', T0)).shards[0]!.id;
    const req = encodeWriteShardRequest({ shardId: shard, points: [cpu] });
    const bad = encodeWriteShardRequest({ shardId: shard, points: [makePoint('cpu', { host: 'server01' }, { value: 1.5 }, T0 + 1n)] });
    const expectedBytes = encodeWriteShardResponse(OK).length * 19 + encodeWriteShardResponse({ ...OK, message: 'field type conflict: input field "value" on measurement "cpu" is type float, already exists as type integer', dropped: 1 }).length;
    const got = await new Promise<Buffer>((resolve) => {
      const [host, port] = n.address.split(':') as [string, string];
      const s = net.connect(Number(port), host);
      const parts: Buffer[] = [];
      let received = 0;
      s.on('data', (d: Buffer) => {
        parts.push(d);
        received += d.length;
        if (received >= expectedBytes) {
          s.destroy();
          resolve(Buffer.concat(parts));
        }
      });
      s.write(Buffer.concat([Buffer.of(MuxByte.CLUSTER), ...Array.from({ length: 10 }, () => req), bad, ...Array.from({ length: 9 }, () => req)]));
    });
    const dropped: number[] = [];
    new FrameReader().push(got, (f) => {
      const m = decodeMessage(f);
      if (m.type === MessageType.WRITE_SHARD_RESPONSE) dropped.push(m.body.dropped ?? 0);
    });
    t.deepEqual(dropped, [...Array(10).fill(0), 1, ...Array(9).fill(0)]);
    t.is(n.service.stats.writeShardReq, 20);
  } finally {
    await c.stop();
  }
});

test('with a cluster secret, only peers that pass the handshake are served', async (t) => {
  const good = await startCluster(2, { secret: 's3cret', pool: { handshake: true, secret: 's3cret' } });
  try {
    const [n1, n2] = good.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = (await n1.meta.createShardGroupIfNotExists('db', '', T0)).shards.find((s) => s.owners[0] === n2.id)!.id;
    t.deepEqual(await n1.shardWriter.writeShard(shard, n2.id, [cpu]), { dropped: 0 });
    // A peer that skips the handshake is refused (its frame is not a handshake).
    t.true((await sendAndWaitClose(n2, encodeWriteShardRequest({ shardId: shard, points: [cpu] }))).closed);
    t.is(n2.service.stats.handshakeFailures, 1);
  } finally {
    await good.stop();
  }
  const wrong = await startCluster(2, { secret: 's3cret', pool: { handshake: true, secret: 'guess' } });
  try {
    const [n1, n2] = wrong.nodes as [TestNode, TestNode];
    const err = await t.throwsAsync(n1.shardWriter.writeShard(1, n2.id, [cpu]));
    t.true(hasCode(err, 'ERR_CLUSTER_AUTH_FAILED'), String(err));
  } finally {
    await wrong.stop();
  }
});

test('without a secret, a peer may still run the handshake (version check) before its requests', async (t) => {
  const c = await startCluster(2, { pool: { handshake: true } });
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = (await n1.meta.createShardGroupIfNotExists('db', '', T0)).shards.find((s) => s.owners[0] === n2.id)!.id;
    t.deepEqual(await n1.shardWriter.writeShard(shard, n2.id, [cpu]), { dropped: 0 });
    t.is(n2.service.stats.handshakeFailures, 0);
  } finally {
    await c.stop();
  }
});

test('stop() lets a request in progress finish, then closes connections; later connections are refused', async (t) => {
  const c = await startCluster(2);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    const shard = (await n1.meta.createShardGroupIfNotExists('db', '', T0)).shards.find((s) => s.owners[0] === n2.id)!.id;
    const many = Array.from({ length: 20_000 }, (_, i) => makePoint('cpu', { host: `h${i % 50}` }, { value: BigInt(i) }, T0 + BigInt(i)));
    const write = n1.shardWriter.writeShard(shard, n2.id, many);
    // Wait until the request is being processed, then stop the service.
    while (n2.service.stats.writeShardReq === 0) await new Promise((r) => setTimeout(r, 1));
    await n2.service.stop();
    t.deepEqual(await write, { dropped: 0 });
    t.is(n2.store.reader(shard).series('cpu').length, 50);
    t.true((await sendAndWaitClose(n2, encodeWriteShardRequest({ shardId: shard, points: [cpu] }))).closed);
  } finally {
    await c.stop();
  }
});

test('a peer that half-closes after its requests still gets every answer, then the end of the stream', async (t) => {
  const c = await startCluster(1);
  try {
    const n = c.nodes[0]!;
    await n.meta.createDatabase('db');
    const shard = (await n.meta.createShardGroupIfNotExists('db', '', T0)).shards[0]!.id;
    const req = encodeWriteShardRequest({ shardId: shard, points: [cpu] });
    const got = await new Promise<Buffer>((resolve) => {
      const [host, port] = n.address.split(':') as [string, string];
      const s = net.connect(Number(port), host);
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => resolve(Buffer.concat(parts)));
      s.end(Buffer.concat([Buffer.of(MuxByte.CLUSTER), req, req, req]));
    });
    let answers = 0;
    new FrameReader().push(got, (f) => {
      if (decodeMessage(f).type === MessageType.WRITE_SHARD_RESPONSE) answers++;
    });
    t.is(answers, 3);
    t.is(n.service.stats.badConnections, 0);
  } finally {
    await c.stop();
  }
});
