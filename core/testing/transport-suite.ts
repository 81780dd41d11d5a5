import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { TestFn } from 'ava';
import { type Conn, MuxByte, type Transport } from '../contracts/transport.js';
import { hasCode } from '../errors.js';

/** Options of the Transport conformance suite. */
export interface TransportSuiteOptions {
  /** ava's `test`. */
  readonly test: TestFn;
  /** Names the implementation in test titles. */
  readonly name: string;
  /** A new, not yet started transport. Instances from one factory must be able to reach each other. */
  readonly factory: () => Transport | Promise<Transport>;
  /** An address to listen on with a free port picked by the transport (e.g. `127.0.0.1:0`). */
  readonly listenAddress: string;
  /** An address whose dials never complete (they must time out), and how to release it. */
  readonly blackHole: () => Promise<{ readonly address: string; close(): Promise<void> }>;
}

/**
 * The Transport conformance suite: isolation of two instances, lifecycle traits, mux routing, data both
 * ways, dial timeout and dial failure codes, and `stop` closing live connections. Every transport
 * (first- or third-party) runs it in a few lines.
 */
export function transportSuite(options: TransportSuiteOptions): void {
  const { test, name, factory, listenAddress } = options;
  const title = (t: string): string => `${name}: ${t}`;

  const started = async (): Promise<Transport> => {
    const tr = await factory();
    await tr.start();
    return tr;
  };

  test(title('two instances are isolated: stopping one leaves the other listening and connected'), async (t) => {
    const a = await started();
    const b = await started();
    try {
      const seen: number[] = [];
      const boundA = await a.listen(listenAddress, (conn, mux) => {
        seen.push(mux);
        conn.pipe(conn);
      });
      const boundB = await b.listen(listenAddress, (conn) => conn.destroy());
      t.not(boundA.address, boundB.address);
      const conn = await b.dial(boundA.address, MuxByte.CLUSTER, { timeoutMs: 2000 });
      await b.stop();
      await t.throwsAsync(a.dial(boundB.address, MuxByte.CLUSTER, { timeoutMs: 2000 }), {
        code: 'ERR_TRANSPORT_DIAL_FAILED',
      } as never);
      const again = await a.dial(boundA.address, MuxByte.RAFT, { timeoutMs: 2000 });
      t.deepEqual(await echo(again, Buffer.from('still here')), Buffer.from('still here'));
      again.destroy();
      t.true(conn.destroyed || conn.readableEnded || (await closed(conn)));
      t.deepEqual(seen, [MuxByte.CLUSTER, MuxByte.RAFT]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test(title('lifecycle: listen and dial fail before start and after stop; start and stop are idempotent; restart works'), async (t) => {
    const tr = await factory();
    await t.notThrowsAsync(tr.stop()); // stop before start is a no-op
    await t.throwsAsync(tr.listen(listenAddress, () => {}), { code: 'ERR_SERVICE_NOT_STARTED' } as never);
    await t.throwsAsync(tr.dial(listenAddress, 2, { timeoutMs: 100 }), { code: 'ERR_SERVICE_NOT_STARTED' } as never);
    await tr.start();
    await tr.start();
    const bound = await tr.listen(listenAddress, (conn) => conn.pipe(conn));
    await tr.stop();
    await tr.stop();
    await t.throwsAsync(tr.listen(listenAddress, () => {}), { code: 'ERR_SERVICE_STOPPED' } as never);
    await t.throwsAsync(tr.dial(bound.address, 2, { timeoutMs: 100 }), { code: 'ERR_SERVICE_STOPPED' } as never);
    await tr.start();
    try {
      const again = await tr.listen(listenAddress, (conn) => conn.pipe(conn));
      const conn = await tr.dial(again.address, MuxByte.META_RPC, { timeoutMs: 2000 });
      t.deepEqual(await echo(conn, Buffer.from('restarted')), Buffer.from('restarted'));
      conn.destroy();
    } finally {
      await tr.stop();
    }
  });

  test(title('routes each connection by its first byte and hands over the rest of the stream'), async (t) => {
    const server = await started();
    const client = await started();
    try {
      const received = new Map<number, Promise<Buffer>>();
      const bytes = [MuxByte.RAFT, MuxByte.CLUSTER, MuxByte.SHARD_COPY, MuxByte.META_RPC, 0, 200, 255];
      let allHandled!: () => void;
      const handled = new Promise<void>((resolve) => (allHandled = resolve));
      const { address } = await server.listen(listenAddress, (conn, mux) => {
        received.set(mux, readUntilEnd(conn));
        if (received.size === bytes.length) allHandled();
      });
      const conns = await Promise.all(bytes.map((b) => client.dial(address, b, { timeoutMs: 2000 })));
      conns.forEach((c, i) => c.end(`payload-${bytes[i]}`));
      await handled;
      for (const b of bytes) t.is((await received.get(b)!).toString(), `payload-${b}`);
    } finally {
      await client.stop();
      await server.stop();
    }
  });

  test(title('carries data both ways, in order, across many writes'), async (t) => {
    const server = await started();
    const client = await started();
    try {
      const fromServer = randomBytes(256 * 1024);
      let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
      const bound = await server.listen(listenAddress, (conn) => {
        serverGot = readUntilEnd(conn);
        for (let i = 0; i < fromServer.length; i += 1000) conn.write(fromServer.subarray(i, i + 1000));
        conn.end();
      });
      const conn = await client.dial(bound.address, MuxByte.CLUSTER, { timeoutMs: 2000 });
      const clientGot = readUntilEnd(conn);
      const fromClient = randomBytes(512 * 1024);
      for (let i = 0; i < fromClient.length; i += 7000) conn.write(fromClient.subarray(i, i + 7000));
      conn.end();
      t.true((await clientGot).equals(fromServer));
      t.true((await serverGot).equals(fromClient));
    } finally {
      await client.stop();
      await server.stop();
    }
  });

  test(title('dial to an address that never answers fails with ERR_TRANSPORT_DIAL_TIMEOUT'), async (t) => {
    const tr = await started();
    const hole = await options.blackHole();
    try {
      const t0 = Date.now();
      const err = await t.throwsAsync(tr.dial(hole.address, MuxByte.CLUSTER, { timeoutMs: 200 }));
      t.true(hasCode(err, 'ERR_TRANSPORT_DIAL_TIMEOUT'), String(err));
      t.true(Date.now() - t0 >= 150, 'waited for the timeout');
    } finally {
      await tr.stop();
      await hole.close();
    }
  });

  test(title('dial to a closed address fails with ERR_TRANSPORT_DIAL_FAILED'), async (t) => {
    const server = await started();
    const client = await started();
    try {
      const bound = await server.listen(listenAddress, () => {});
      await server.stop();
      const err = await t.throwsAsync(client.dial(bound.address, MuxByte.CLUSTER, { timeoutMs: 2000 }));
      t.true(hasCode(err, 'ERR_TRANSPORT_DIAL_FAILED'), String(err));
    } finally {
      await client.stop();
    }
  });

  test(title('stop closes accepted and dialled connections'), async (t) => {
    const server = await started();
    const client = await started();
    const other = await started();
    try {
      const accepted: Conn[] = [];
      const bound = await server.listen(listenAddress, (conn) => {
        accepted.push(conn);
        conn.resume();
      });
      const c1 = await client.dial(bound.address, MuxByte.CLUSTER, { timeoutMs: 2000 });
      const c2 = await other.dial(bound.address, MuxByte.CLUSTER, { timeoutMs: 2000 });
      c1.resume();
      c2.resume();
      while (accepted.length < 2) await new Promise((r) => setTimeout(r, 5));
      // The dialler's stop closes its own end; the server sees the connection end.
      const acceptedClosed = accepted.map((c) => closed(c));
      await client.stop();
      t.true(c1.destroyed);
      // The listener's stop closes what it accepted; the remote dialler sees its connection close.
      const c2Closed = closed(c2);
      await server.stop();
      t.true(await c2Closed);
      t.deepEqual(await Promise.all(acceptedClosed), [true, true]);
    } finally {
      await client.stop();
      await other.stop();
      await server.stop();
    }
  });
}

/** Resolves true once the stream has closed. */
function closed(conn: Conn): Promise<boolean> {
  if (conn.closed) return Promise.resolve(true);
  return once(conn, 'close').then(() => true);
}

/** Reads a stream to its end. */
async function readUntilEnd(conn: Conn): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of conn) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes `data` and reads back the same number of bytes. */
async function echo(conn: Conn, data: Buffer): Promise<Buffer> {
  conn.write(data);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of conn) {
    chunks.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= data.length) break;
  }
  return Buffer.concat(chunks).subarray(0, data.length);
}
