import { once } from 'node:events';
import net from 'node:net';
import test from 'ava';
import type { ConfigProblem } from '../../../core/config-schema.js';
import { Transport } from '../../../core/contracts/transport.js';
import { rootContainer } from '../../../core/di.js';
import { silentLogger } from '../../../core/logger.js';
import { parseHostPort, TcpTransport, transportTcpPlugin } from '../../../plugins/transport-tcp/index.js';

const make = (muxTimeoutMs = 5000): TcpTransport =>
  new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs, keepAliveMs: 0, noDelay: true, logger: silentLogger() });

test('a connection that sends no mux byte in time is closed and counted, and never reaches the handler', async (t) => {
  const tr = make(150);
  await tr.start();
  try {
    let handed = 0;
    const bound = await tr.listen('127.0.0.1:0', () => handed++);
    const raw = net.connect(bound.port, bound.host);
    raw.on('error', () => {});
    raw.resume();
    await once(raw, 'close');
    t.is(handed, 0);
    t.is(tr.stats().muxTimeouts, 1);
    t.is(tr.stats().accepted, 0);
  } finally {
    await tr.stop();
  }
});

test('a connection that ends before its mux byte is closed and counted as a mux failure', async (t) => {
  const tr = make();
  await tr.start();
  try {
    const bound = await tr.listen('127.0.0.1:0', () => t.fail('handler called'));
    const raw = net.connect(bound.port, bound.host);
    raw.on('error', () => {});
    raw.resume();
    await once(raw, 'connect');
    raw.end();
    await once(raw, 'close');
    while (tr.stats().muxFailures === 0) await new Promise((r) => setTimeout(r, 5));
    t.is(tr.stats().muxFailures, 1);
  } finally {
    await tr.stop();
  }
});

test('bytes sent in the same packet as the mux byte reach a handler that listens with on("data")', async (t) => {
  const tr = make();
  await tr.start();
  try {
    const got = new Promise<{ mux: number; data: string }>((resolve) => {
      void tr.listen('127.0.0.1:0', (conn, mux) => {
        let data = '';
        conn.on('data', (c: Buffer) => {
          data += c.toString();
          if (data.length >= 5) resolve({ mux, data });
        });
      }).then((b) => {
        const raw = net.connect(b.port, b.host, () => raw.write(Buffer.concat([Buffer.of(3), Buffer.from('hello')])));
        raw.on('error', () => {});
      });
    });
    t.deepEqual(await got, { mux: 3, data: 'hello' });
    t.is(tr.stats().accepted, 1);
  } finally {
    await tr.stop();
  }
});

test('listen on a port already in use fails with ERR_TRANSPORT_LISTEN_FAILED', async (t) => {
  const tr = make();
  await tr.start();
  try {
    const bound = await tr.listen('127.0.0.1:0', () => {});
    await t.throwsAsync(tr.listen(bound.address, () => {}), { code: 'ERR_TRANSPORT_LISTEN_FAILED' } as never);
  } finally {
    await tr.stop();
  }
});

test('an invalid mux byte or address is a programming error (TypeError)', async (t) => {
  const tr = make();
  await tr.start();
  try {
    await t.throwsAsync(tr.dial('127.0.0.1:1', 256), { instanceOf: TypeError });
    await t.throwsAsync(tr.dial('nonsense', 2), { instanceOf: TypeError });
  } finally {
    await tr.stop();
  }
});

test('parseHostPort reads host:port, [v6]:port and :port', (t) => {
  t.deepEqual(parseHostPort('10.0.0.1:8088'), { host: '10.0.0.1', port: 8088 });
  t.deepEqual(parseHostPort('[::1]:8088'), { host: '::1', port: 8088 });
  t.deepEqual(parseHostPort(':8088'), { host: '127.0.0.1', port: 8088 });
  t.throws(() => parseHostPort('host:99999'), { instanceOf: TypeError });
});

test('plugin config: defaults, durations, unknown keys and non-positive timeouts are reported', (t) => {
  const ok: ConfigProblem[] = [];
  const cfg = transportTcpPlugin.parseConfig({ 'dial-timeout': '250ms' }, 'transport-tcp', ok);
  t.deepEqual(ok, []);
  t.is(cfg['dial-timeout'], 250);
  t.is(cfg['mux-timeout'], 30_000);
  t.true(Object.isFrozen(cfg));
  const bad: ConfigProblem[] = [];
  transportTcpPlugin.parseConfig({ 'mux-timeout': '0', bogus: 1 }, 'transport-tcp', bad);
  t.deepEqual(bad.map((p) => p.path).sort(), ['transport-tcp.bogus', 'transport-tcp.mux-timeout']);
});

test('plugin registers one Transport per container', async (t) => {
  const problems: ConfigProblem[] = [];
  const config = transportTcpPlugin.parseConfig(undefined, 'transport-tcp', problems);
  const ctx = {
    nodeDir: '/nonexistent',
    logger: silentLogger(),
    node: { dir: '/nonexistent', httpBindAddress: '', clusterBindAddress: '', metaPeers: [], metaJoin: [] },
  };
  const c1 = rootContainer.createChildContainer();
  const c2 = rootContainer.createChildContainer();
  transportTcpPlugin.register(c1, config, ctx);
  transportTcpPlugin.register(c2, config, ctx);
  const a = c1.resolve(Transport);
  t.true(a instanceof TcpTransport);
  t.is(c1.resolve(Transport), a);
  t.not(c2.resolve(Transport), a);
  t.deepEqual(transportTcpPlugin.manifest.provides, [Transport]);
});
