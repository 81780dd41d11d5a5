import net from 'node:net';
import test from 'ava';
import { ClusterMux } from '../../core/cluster/cluster-mux.js';
import { silentLogger } from '../../core/logger.js';
import { TcpTransport } from '../../plugins/transport-tcp/tcp-transport.js';

// Reference items 76-77 (tcp/mux_test.go): routing by the first byte over a real TCP listener.

async function started(): Promise<{ mux: ClusterMux; transport: TcpTransport; port: number }> {
  const transport = new TcpTransport({ dialTimeoutMs: 1000, muxTimeoutMs: 300, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  await transport.start();
  const mux = new ClusterMux(transport, '127.0.0.1:0', silentLogger());
  mux.handle(5, (conn) => {
    conn.once('data', (d: Buffer) => conn.end(`OK ${d.toString()}`));
  });
  await mux.start();
  return { mux, transport, port: mux.address().port };
}

function exchange(port: number, bytes: Buffer | null): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, 3000);
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    if (bytes) s.write(bytes);
  });
}

test('a connection goes to the handler of its first byte, which reads the rest (item 76)', async (t) => {
  const { mux, transport, port } = await started();
  try {
    t.deepEqual(await exchange(port, Buffer.concat([Buffer.of(5), Buffer.from('hello')])), { text: 'OK hello', closed: true });
    t.is(mux.stats.accepted, 1);
  } finally {
    await mux.stop();
    await transport.stop();
  }
});

test('an unknown first byte, or none at all, closes the connection (item 76)', async (t) => {
  const { mux, transport, port } = await started();
  try {
    t.deepEqual(await exchange(port, Buffer.of(9, 1, 2, 3)), { text: '', closed: true });
    t.is(mux.stats.unknownMuxByte, 1);
    t.deepEqual(await exchange(port, null), { text: '', closed: true }, 'no mux byte within the transport timeout');
  } finally {
    await mux.stop();
    await transport.stop();
  }
});

test('registering a byte twice is a programmer error (item 77)', async (t) => {
  const { mux, transport } = await started();
  try {
    t.throws(() => mux.handle(5, () => undefined), { instanceOf: TypeError, message: 'mux byte 5 already has a handler' });
    t.throws(() => mux.handle(256, () => undefined), { instanceOf: TypeError });
  } finally {
    await mux.stop();
    await transport.stop();
  }
});
