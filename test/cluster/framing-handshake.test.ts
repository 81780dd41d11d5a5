import test from 'ava';
import { encodeFrame, readFrames } from '../../core/cluster/framing.js';
import { clientHandshake, type HandshakeOptions, serverHandshake } from '../../core/cluster/handshake.js';
import { SCHEMA_VERSION } from '../../core/cluster/schema.js';
import { MuxByte } from '../../core/contracts/transport.js';
import { hasCode } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { memoryConnPair } from '../../core/testing/memory-transport.js';
import { TcpTransport } from '../../plugins/transport-tcp/tcp-transport.js';

async function both(client: Partial<HandshakeOptions>, server: Partial<HandshakeOptions>) {
  const [a, b] = memoryConnPair();
  const [c, s] = await Promise.allSettled([
    clientHandshake(a, { timeoutMs: 2000, ...client }),
    serverHandshake(b, { timeoutMs: 2000, ...server }),
  ]);
  return { c, s, a, b };
}

function code(r: PromiseSettledResult<void>): string {
  return r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? String(r.reason));
}

test('without a secret, peers of the same schema version shake hands', async (t) => {
  const { c, s } = await both({}, {});
  t.is(code(c), 'ok');
  t.is(code(s), 'ok');
});

test('with the same secret, both sides prove it and shake hands', async (t) => {
  const { c, s } = await both({ secret: 's3cret' }, { secret: 's3cret' });
  t.is(code(c), 'ok');
  t.is(code(s), 'ok');
});

test('different secrets fail on both sides with ERR_CLUSTER_AUTH_FAILED', async (t) => {
  const { c, s } = await both({ secret: 'one' }, { secret: 'two' });
  t.is(code(c), 'ERR_CLUSTER_AUTH_FAILED');
  t.is(code(s), 'ERR_CLUSTER_AUTH_FAILED');
});

test('a secret on one side only fails clearly on both sides', async (t) => {
  const r1 = await both({ secret: 'x' }, {});
  t.is(code(r1.c), 'ERR_CLUSTER_AUTH_FAILED');
  t.is(code(r1.s), 'ERR_CLUSTER_AUTH_FAILED');
  t.regex((r1.c as PromiseRejectedResult).reason.message, /no cluster secret/);
  const r2 = await both({}, { secret: 'x' });
  t.is(code(r2.c), 'ERR_CLUSTER_AUTH_FAILED');
  t.regex((r2.c as PromiseRejectedResult).reason.message, /requires a cluster secret/);
});

test('mixed schema versions fail with ERR_CLUSTER_VERSION_MISMATCH naming both versions', async (t) => {
  const { c, s } = await both({ schemaVersion: SCHEMA_VERSION + 1 }, {});
  t.is(code(c), 'ERR_CLUSTER_VERSION_MISMATCH');
  t.is(code(s), 'ERR_CLUSTER_VERSION_MISMATCH');
  t.is((c as PromiseRejectedResult).reason.message, `peer speaks cluster schema version ${SCHEMA_VERSION}, this node speaks ${SCHEMA_VERSION + 1}`);
});

test('a peer that never answers times out with ERR_CLUSTER_TIMEOUT', async (t) => {
  const [a] = memoryConnPair();
  const err = await t.throwsAsync(clientHandshake(a, { timeoutMs: 80 }));
  t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'));
  t.true(a.destroyed);
});

test('bytes that are not a handshake are refused', async (t) => {
  const [a, b] = memoryConnPair();
  a.write(Buffer.alloc(64, 0x41));
  const err = await t.throwsAsync(serverHandshake(b, { timeoutMs: 1000 }));
  t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'));
});

test('over TCP, frames sent right behind the handshake reach the frame reader', async (t) => {
  const server = new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  const client = new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  await server.start();
  await client.start();
  try {
    const received = new Promise<string>((resolve, reject) => {
      void server.listen('127.0.0.1:0', (conn) => {
        serverHandshake(conn, { secret: 'k', timeoutMs: 2000 }).then(
          () => readFrames(conn, {}, { onFrame: (f) => resolve(`${f.type}:${f.body}`), onError: reject }),
          reject,
        );
      }).then(async (bound) => {
        const conn = await client.dial(bound.address, MuxByte.CLUSTER);
        await clientHandshake(conn, { secret: 'k', timeoutMs: 2000 });
        conn.write(encodeFrame(1, Buffer.from('after handshake')));
      }, reject);
    });
    t.is(await received, '1:after handshake');
  } finally {
    await client.stop();
    await server.stop();
  }
});
