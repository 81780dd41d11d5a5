import test from 'ava';
import {
  type ClusterMessage,
  decodeMessage,
  encodeMapShardRequest,
  encodeMapShardResponse,
  encodeWriteShardRequest,
  encodeWriteShardResponse,
  errorResult,
  type MapShardResponse,
  OK,
  resultError,
} from '../../../core/cluster/codec.js';
import { exchange, readFrames } from '../../../core/cluster/framing.js';
import { serverHandshake } from '../../../core/cluster/handshake.js';
import { MessageType } from '../../../core/cluster/schema.js';
import type { ConnPool } from '../../../core/contracts/conn-pool.js';
import { type Conn, MuxByte } from '../../../core/contracts/transport.js';
import { hasCode, TesseraError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import type { Point } from '../../../core/model/point.js';
import { ChannelPool, channelPoolOptions, poolChannelPlugin } from '../../../plugins/pool-channel/index.js';
import { TcpTransport } from '../../../plugins/transport-tcp/tcp-transport.js';

const tcp = (): TcpTransport => new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });

/** A minimal cluster service: handshake, then write-shard and map-shard requests over one connection. */
async function startServer(secret: string, writeDelayMs = 0) {
  const server = tcp();
  await server.start();
  const writes: { shardId: number; points: readonly Point[] }[] = [];
  let accepted = 0;
  const bound = await server.listen('127.0.0.1:0', (conn: Conn, mux) => {
    if (mux !== MuxByte.CLUSTER) return conn.destroy();
    accepted++;
    serverHandshake(conn, { secret, timeoutMs: 2000 }).then(
      () =>
        readFrames(conn, { frameTimeoutMs: 2000 }, {
          onFrame: (frame) => {
            const m: ClusterMessage = decodeMessage(frame);
            if (m.type === MessageType.WRITE_SHARD_REQUEST) {
              const reply = (): void => {
                if (m.body.shardId === 99) {
                  conn.write(encodeWriteShardResponse(errorResult(new TesseraError('ERR_TSDB_SHARD_NOT_FOUND', 'write shard 99: failed to write'))));
                } else {
                  writes.push(m.body);
                  conn.write(encodeWriteShardResponse(OK));
                }
              };
              if (writeDelayMs > 0) setTimeout(reply, writeDelayMs);
              else reply();
            } else if (m.type === MessageType.MAP_SHARD_REQUEST) {
              const base = { ...OK, tagSets: [] as string[], fields: [] as string[] };
              conn.write(encodeMapShardResponse({ ...base, tagSets: ['host=a'], fields: ['value'], chunk: { n: 1, shard: m.body.shardId } }));
              conn.write(encodeMapShardResponse({ ...base, chunk: { n: 2, t: 5n } }));
              conn.write(encodeMapShardResponse({ ...base, chunk: null }));
            }
          },
        }),
      () => {},
    );
  });
  return { server, bound, writes, accepted: () => accepted };
}

async function startPool(address: string, overrides: Record<string, unknown>): Promise<{ pool: ConnPool; transport: TcpTransport }> {
  const transport = tcp();
  await transport.start();
  const config = poolChannelPlugin.parseConfig({ initial: 0, handshake: true, ...overrides }, 'pool-channel', []);
  const pool = new ChannelPool(transport, { data: () => ({ nodes: [{ id: 2, address }] }) }, { ...channelPoolOptions(config), logger: silentLogger() });
  await pool.start();
  return { pool, transport };
}

/** What a ShardWriter does: borrow, one request, one response, give back. */
async function writeShard(pool: ConnPool, shardId: number, points: Point[]): Promise<void> {
  const pc = await pool.get(2);
  let response: ClusterMessage | undefined;
  try {
    await exchange(pc.conn, encodeWriteShardRequest({ shardId, points }), { timeoutMs: 2000 }, (f) => {
      response = decodeMessage(f);
      return true;
    });
  } catch (err) {
    pc.markUnusable();
    throw err;
  }
  pc.release();
  if (response?.type !== MessageType.WRITE_SHARD_RESPONSE) throw new Error('unexpected response');
  if (response.body.code !== 0) throw resultError(response.body);
}

const cpu: Point = { measurement: 'cpu', tags: [['host', 'server01']], fields: [['value', 100n]], time: 1_000_000_000n, key: 'cpu,host=server01' };

test('write-shard through the pool reaches the remote store exactly, and a second write reuses the connection (items 4, 5)', async (t) => {
  const s = await startServer('secret');
  const c = await startPool(s.bound.address, { secret: 'secret' });
  try {
    await writeShard(c.pool, 1, [cpu]);
    await writeShard(c.pool, 1, [cpu]);
    t.is(s.writes.length, 2);
    t.deepEqual(s.writes[0], { shardId: 1, points: [cpu] });
    t.is(s.accepted(), 1);
  } finally {
    await c.pool.stop();
    await c.transport.stop();
    await s.server.stop();
  }
});

test('a remote failure comes back with its message and error code (item 6)', async (t) => {
  const s = await startServer('');
  const c = await startPool(s.bound.address, {});
  try {
    const err = await t.throwsAsync(writeShard(c.pool, 99, [cpu]));
    t.true(hasCode(err, 'ERR_TSDB_SHARD_NOT_FOUND'));
    t.is(err?.message, 'write shard 99: failed to write');
    t.deepEqual(c.pool.stats(2), { idle: 1, live: 1, waiting: 0 }, 'an error answer leaves the connection usable');
  } finally {
    await c.pool.stop();
    await c.transport.stop();
    await s.server.stop();
  }
});

test('max 1 connection, a slow remote and a 100ms wait: the second write fails "timed out waiting for free connection" (item 9)', async (t) => {
  const s = await startServer('', 400);
  const c = await startPool(s.bound.address, { max: 1, 'get-timeout': '100ms' });
  try {
    const first = writeShard(c.pool, 1, [cpu]);
    const err = await t.throwsAsync(writeShard(c.pool, 1, [cpu]));
    t.true(hasCode(err, 'ERR_POOL_TIMEOUT'));
    t.is(err?.message, 'timed out waiting for free connection');
    await first;
  } finally {
    await c.pool.stop();
    await c.transport.stop();
    await s.server.stop();
  }
});

test('a wrong cluster secret fails the dial with ERR_CLUSTER_AUTH_FAILED and frees the slot', async (t) => {
  const s = await startServer('right');
  const c = await startPool(s.bound.address, { secret: 'wrong' });
  try {
    const err = await t.throwsAsync(c.pool.get(2));
    t.true(hasCode(err, 'ERR_CLUSTER_AUTH_FAILED'), String(err));
    t.deepEqual(c.pool.stats(2), { idle: 0, live: 0, waiting: 0 });
  } finally {
    await c.pool.stop();
    await c.transport.stop();
    await s.server.stop();
  }
});

test('map-shard streams chunks until the one without data; tag sets come first', async (t) => {
  const s = await startServer('');
  const c = await startPool(s.bound.address, {});
  try {
    const pc = await c.pool.get(2);
    const responses: MapShardResponse[] = [];
    await exchange(pc.conn, encodeMapShardRequest({ shardId: 4, request: { version: 1 }, chunkSize: 100 }), { timeoutMs: 2000 }, (f) => {
      const m = decodeMessage(f);
      if (m.type !== MessageType.MAP_SHARD_RESPONSE) throw new Error('unexpected');
      responses.push(m.body);
      return m.body.chunk === null;
    });
    pc.release();
    t.deepEqual(responses.map((r) => r.chunk), [{ n: 1, shard: 4 }, { n: 2, t: 5n }, null]);
    t.deepEqual(responses[0]!.tagSets, ['host=a']);
    await writeShard(c.pool, 1, [cpu]);
    t.is(s.accepted(), 1, 'the same connection carried the map stream and the next write');
  } finally {
    await c.pool.stop();
    await c.transport.stop();
    await s.server.stop();
  }
});
