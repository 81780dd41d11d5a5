import type { TestFn } from 'ava';
import type { ConnPool, NodeDirectory } from '../contracts/conn-pool.js';
import type { NodeInfo } from '../contracts/meta-store.js';
import { type Conn, MuxByte, type Transport } from '../contracts/transport.js';
import { hasCode } from '../errors.js';

/** Capacity settings every pool under test is built with. */
export interface ConnPoolSettings {
  readonly initial: number;
  readonly max: number;
  /** Idle connections kept per node (0 = max). */
  readonly maxIdle: number;
  readonly globalMax: number;
  readonly getTimeoutMs: number;
  /** 0 = never expire. */
  readonly idleTimeoutMs: number;
}

/** Options of the ConnPool conformance suite. */
export interface ConnPoolSuiteOptions {
  /** ava's `test`. */
  readonly test: TestFn;
  /** Names the implementation in test titles. */
  readonly name: string;
  /** A new, not yet started pool dialling through `transport`, finding addresses in `directory`. */
  readonly factory: (env: { transport: Transport; directory: NodeDirectory; settings: ConnPoolSettings }) => ConnPool | Promise<ConnPool>;
  /** A new, not yet started transport; instances must reach each other. */
  readonly transport: () => Transport | Promise<Transport>;
  /** Address to listen on with a free port (e.g. `127.0.0.1:0`). */
  readonly listenAddress: string;
}

const DEFAULTS: ConnPoolSettings = { initial: 1, max: 3, maxIdle: 0, globalMax: 100, getTimeoutMs: 2000, idleTimeoutMs: 0 };

/** A cluster of fake remote nodes: each listens on its own address, echoes, and counts connections. */
class Remotes {
  readonly nodes: NodeInfo[] = [];
  readonly accepted = new Map<number, Conn[]>();
  readonly muxBytes: number[] = [];
  constructor(readonly server: Transport) {}

  async add(id: number, listenAddress: string): Promise<void> {
    const list: Conn[] = [];
    this.accepted.set(id, list);
    const bound = await this.server.listen(listenAddress, (conn, mux) => {
      this.muxBytes.push(mux);
      list.push(conn);
      conn.on('error', () => {});
      conn.pipe(conn);
    });
    this.nodes.push({ id, address: bound.address });
  }

  /** Connections accepted for a node that are still open. */
  open(id: number): number {
    return (this.accepted.get(id) ?? []).filter((c) => !c.destroyed && !c.closed).length;
  }
}

/**
 * The ConnPool conformance suite: InfluxDB's pool tests (reference §10 items 9, 16–25) as behaviours,
 * plus FIFO waiters, global cap, idle expiry, closeNode, dial failures and the idle-list-full accounting.
 */
export function connPoolSuite(options: ConnPoolSuiteOptions): void {
  const { test, name, listenAddress } = options;
  const title = (t: string): string => `${name}: ${t}`;

  interface Env {
    pool: ConnPool;
    remotes: Remotes;
    directory: { data(): { nodes: readonly NodeInfo[] }; onChange(l: (d: { nodes: readonly NodeInfo[] }) => void): () => void; remove(id: number): void };
    makePool(settings?: Partial<ConnPoolSettings>): Promise<ConnPool>;
    close(): Promise<void>;
  }

  async function setup(settings: Partial<ConnPoolSettings> = {}, nodeIds = [1, 2]): Promise<Env> {
    const server = await options.transport();
    const client = await options.transport();
    await server.start();
    await client.start();
    const remotes = new Remotes(server);
    for (const id of nodeIds) await remotes.add(id, listenAddress);
    const listeners = new Set<(d: { nodes: readonly NodeInfo[] }) => void>();
    const directory = {
      data: () => ({ nodes: remotes.nodes }),
      onChange(l: (d: { nodes: readonly NodeInfo[] }) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      remove(id: number) {
        const i = remotes.nodes.findIndex((n) => n.id === id);
        if (i >= 0) remotes.nodes.splice(i, 1);
        for (const l of listeners) l({ nodes: remotes.nodes });
      },
    };
    const pools: ConnPool[] = [];
    const makePool = async (s: Partial<ConnPoolSettings> = {}): Promise<ConnPool> => {
      const p = await options.factory({ transport: client, directory, settings: { ...DEFAULTS, ...settings, ...s } });
      await p.start();
      pools.push(p);
      return p;
    };
    const pool = await makePool();
    return {
      pool,
      remotes,
      directory,
      makePool,
      close: async () => {
        for (const p of pools) await p.stop();
        await client.stop();
        await server.stop();
      },
    };
  }

  test(title('two pools are isolated: borrowing from one or stopping it leaves the other untouched'), async (t) => {
    const env = await setup({ initial: 0 });
    try {
      const other = await env.makePool({ initial: 0 });
      const a = await env.pool.get(1);
      t.is(env.pool.stats(1).live, 1);
      t.is(other.stats(1).live, 0);
      await env.pool.stop();
      const b = await other.get(1);
      t.deepEqual(await roundTrip(b.conn, 'isolated'), 'isolated');
      b.release();
      t.deepEqual(other.stats(1), { idle: 1, live: 1, waiting: 0 });
      a.release();
    } finally {
      await env.close();
    }
  });

  test(title('lifecycle: get fails before start and after stop; start/stop idempotent; stop rejects waiters and closes idle connections'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const fresh = await options.factory({ transport: await options.transport(), directory: env.directory, settings: DEFAULTS });
      await t.throwsAsync(fresh.get(1), { code: 'ERR_SERVICE_NOT_STARTED' } as never);
      await fresh.stop();
      const pool = env.pool;
      await pool.start();
      const held = await pool.get(1);
      const waiter = pool.get(1, { timeoutMs: 5000 });
      const spare = await env.makePool({ initial: 0 });
      (await spare.get(1)).release();
      await eventually(() => env.remotes.open(1) === 2);
      await pool.stop();
      await pool.stop();
      const err = await t.throwsAsync(waiter);
      t.true(hasCode(err, 'ERR_POOL_CLOSED'), String(err));
      await t.throwsAsync(pool.get(1), { code: 'ERR_SERVICE_STOPPED' } as never);
      held.release(); // after stop: closed, no throw
      t.deepEqual(pool.stats(), { idle: 0, live: 0, waiting: 0 }, 'a stopped pool holds nothing (item 22)');
      await spare.stop();
      await eventually(() => env.remotes.open(1) === 0);
      t.pass();
    } finally {
      await env.close();
    }
  });

  test(title('creating a node pool dials `initial` connections with the CLUSTER mux byte (items 16, 21)'), async (t) => {
    const env = await setup({ initial: 5, max: 30 });
    try {
      const pc = await env.pool.get(1);
      await eventually(() => env.pool.stats(1).idle === 4);
      t.deepEqual(env.pool.stats(1), { idle: 4, live: 5, waiting: 0 });
      await eventually(() => env.remotes.accepted.get(1)!.length === 5);
      t.true(env.remotes.muxBytes.every((b) => b === MuxByte.CLUSTER));
      pc.release();
      t.is(env.pool.stats(1).idle, 5);
    } finally {
      await env.close();
    }
  });

  test(title('get takes idle connections first, then dials new ones below max (items 17, 18)'), async (t) => {
    const env = await setup({ initial: 5, max: 30 });
    try {
      const first = await env.pool.get(1);
      await eventually(() => env.pool.stats(1).idle === 4);
      const four = await Promise.all([1, 2, 3, 4].map(() => env.pool.get(1)));
      t.is(env.pool.stats(1).idle, 0);
      t.is(env.pool.stats(1).live, 5);
      const sixth = await env.pool.get(1);
      t.is(env.pool.stats(1).live, 6);
      await eventually(() => env.remotes.accepted.get(1)!.length === 6);
      for (const pc of [first, ...four, sixth]) pc.release();
      t.deepEqual(env.pool.stats(1), { idle: 6, live: 6, waiting: 0 });
    } finally {
      await env.close();
    }
  });

  test(title('released connections return to the idle list; after closeNode a release closes them (item 19)'), async (t) => {
    const env = await setup({ initial: 0, max: 30 });
    try {
      const all = await Promise.all(Array.from({ length: 30 }, () => env.pool.get(1)));
      t.is(env.pool.stats(1).live, 30);
      for (const pc of all) pc.release();
      t.deepEqual(env.pool.stats(1), { idle: 30, live: 30, waiting: 0 });
      const one = await env.pool.get(1);
      await env.pool.closeNode(1);
      t.deepEqual(env.pool.stats(1), { idle: 0, live: 0, waiting: 0 });
      t.is(env.pool.stats().live, 1, 'the borrowed connection still holds its slot');
      one.release();
      t.is(env.pool.stats().live, 0);
      t.true(one.conn.destroyed);
      await eventually(() => env.remotes.open(1) === 0);
    } finally {
      await env.close();
    }
  });

  test(title('markUnusable closes the connection and frees its slot (item 20)'), async (t) => {
    const env = await setup({ initial: 0, max: 3 });
    try {
      const a = await env.pool.get(1);
      const b = await env.pool.get(1);
      a.release();
      t.is(env.pool.stats(1).live, 2);
      b.markUnusable();
      b.markUnusable(); // ignored
      b.release(); // ignored
      t.true(b.conn.destroyed);
      t.deepEqual(env.pool.stats(1), { idle: 1, live: 1, waiting: 0 });
      await eventually(() => env.remotes.open(1) === 1);
    } finally {
      await env.close();
    }
  });

  test(title('at max live connections a get times out with ERR_POOL_TIMEOUT "timed out waiting for free connection" (item 9)'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const held = await env.pool.get(1);
      const err = await t.throwsAsync(env.pool.get(1, { timeoutMs: 100 }));
      t.true(hasCode(err, 'ERR_POOL_TIMEOUT'));
      t.is(err?.message, 'timed out waiting for free connection');
      t.is(env.pool.stats(1).waiting, 0);
      t.is(env.pool.stats(1).live, 1);
      held.release();
    } finally {
      await env.close();
    }
  });

  test(title('waiters are served first come, first served'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const held = await env.pool.get(1);
      const order: number[] = [];
      const waiters = [1, 2, 3].map((i) =>
        env.pool.get(1, { timeoutMs: 5000 }).then((pc) => {
          order.push(i);
          return pc;
        }),
      );
      await eventually(() => env.pool.stats(1).waiting === 3);
      held.release();
      const w1 = await waiters[0]!;
      t.is(w1.conn, held.conn, 'the released connection is handed over, not a new one');
      w1.release();
      const w2 = await waiters[1]!;
      w2.release();
      (await waiters[2]!).release();
      t.deepEqual(order, [1, 2, 3]);
      await eventually(() => env.remotes.accepted.get(1)!.length === 1);
      t.is(env.pool.stats(1).live, 1);
    } finally {
      await env.close();
    }
  });

  test(title('a broken connection frees its slot for a waiter, which gets a new dial'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const held = await env.pool.get(1);
      const waiter = env.pool.get(1, { timeoutMs: 5000 });
      await eventually(() => env.pool.stats(1).waiting === 1);
      held.markUnusable();
      const next = await waiter;
      t.not(next.conn, held.conn);
      await eventually(() => env.remotes.accepted.get(1)!.length === 2);
      t.is(await roundTrip(next.conn, 'fresh'), 'fresh');
      next.release();
      t.deepEqual(env.pool.stats(1), { idle: 1, live: 1, waiting: 0 });
    } finally {
      await env.close();
    }
  });

  test(title('the global cap bounds live connections across nodes; an idle connection elsewhere makes room'), async (t) => {
    const env = await setup({ initial: 0, max: 2, globalMax: 2 });
    try {
      const a1 = await env.pool.get(1);
      const a2 = await env.pool.get(1);
      const waiting = env.pool.get(2, { timeoutMs: 5000 });
      await eventually(() => env.pool.stats().waiting === 1);
      t.is(env.pool.stats().live, 2);
      a1.release(); // becomes idle on node 1, then is closed to make room for node 2
      const b = await waiting;
      t.is(b.nodeId, 2);
      t.is(env.pool.stats().live, 2);
      t.is(env.pool.stats(1).idle, 0);
      await t.throwsAsync(env.pool.get(2, { timeoutMs: 50 }), { code: 'ERR_POOL_TIMEOUT' } as never);
      a2.release();
      b.release();
      t.true(env.pool.stats().live <= 2);
    } finally {
      await env.close();
    }
  });

  test(title('idle connections expire after the idle timeout'), async (t) => {
    const env = await setup({ initial: 0, idleTimeoutMs: 100 });
    try {
      const pc = await env.pool.get(1);
      pc.release();
      t.is(env.pool.stats(1).idle, 1);
      await eventually(() => env.pool.stats(1).live === 0);
      t.deepEqual(env.pool.stats(1), { idle: 0, live: 0, waiting: 0 });
      await eventually(() => env.remotes.open(1) === 0);
      const again = await env.pool.get(1);
      t.is(await roundTrip(again.conn, 'after expiry'), 'after expiry');
      again.release();
    } finally {
      await env.close();
    }
  });

  test(title('closeNode rejects the node\'s waiters, closes its idle connections and leaves other nodes alone'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const held = await env.pool.get(1);
      const other = await env.pool.get(2);
      other.release();
      const waiter = env.pool.get(1, { timeoutMs: 5000 });
      await eventually(() => env.pool.stats(1).waiting === 1);
      await env.pool.closeNode(1);
      const err = await t.throwsAsync(waiter);
      t.true(hasCode(err, 'ERR_POOL_CLOSED'), String(err));
      held.release();
      t.true(held.conn.destroyed);
      t.deepEqual(env.pool.stats(2), { idle: 1, live: 1, waiting: 0 });
      // The node is still in the directory here, so a later get builds a fresh pool.
      const again = await env.pool.get(1);
      again.release();
      t.is(env.pool.stats(1).live, 1);
    } finally {
      await env.close();
    }
  });

  test(title('a node removed from the directory has its pool closed, and get then fails with ERR_POOL_UNKNOWN_NODE'), async (t) => {
    const env = await setup({ initial: 0 });
    try {
      (await env.pool.get(1)).release();
      env.directory.remove(1);
      await eventually(() => env.pool.stats(1).live === 0);
      await t.throwsAsync(env.pool.get(1), { code: 'ERR_POOL_UNKNOWN_NODE' } as never);
      await t.throwsAsync(env.pool.get(99), { code: 'ERR_POOL_UNKNOWN_NODE' } as never);
    } finally {
      await env.close();
    }
  });

  test(title('a returned connection that finds the idle list full is closed and its slot freed'), async (t) => {
    const env = await setup({ initial: 0, max: 3, maxIdle: 1 });
    try {
      const all = await Promise.all([1, 2, 3].map(() => env.pool.get(1)));
      for (const pc of all) pc.release();
      t.deepEqual(env.pool.stats(1), { idle: 1, live: 1, waiting: 0 });
      const again = await Promise.all([1, 2, 3].map(() => env.pool.get(1)));
      t.is(env.pool.stats(1).live, 3, 'slots were given back, so three can be live again');
      for (const pc of again) pc.release();
    } finally {
      await env.close();
    }
  });

  test(title('a connection closed by the peer while idle is dropped and replaced by a new dial'), async (t) => {
    const env = await setup({ initial: 0 });
    try {
      const pc = await env.pool.get(1);
      pc.release();
      await eventually(() => env.remotes.accepted.get(1)!.length === 1);
      for (const c of env.remotes.accepted.get(1)!) c.destroy();
      await eventually(() => env.pool.stats(1).live === 0);
      const next = await env.pool.get(1);
      t.not(next.conn, pc.conn);
      t.is(await roundTrip(next.conn, 'replaced'), 'replaced');
      next.release();
    } finally {
      await env.close();
    }
  });

  test(title('a dial failure rejects the get with the transport error and frees the slot'), async (t) => {
    const env = await setup({ initial: 0, max: 1 });
    try {
      const dead = await options.transport();
      await dead.start();
      const bound = await dead.listen(listenAddress, () => {});
      await dead.stop();
      env.remotes.nodes.push({ id: 7, address: bound.address });
      const err = await t.throwsAsync(env.pool.get(7));
      t.true(hasCode(err, 'ERR_TRANSPORT_DIAL_FAILED'), String(err));
      t.deepEqual(env.pool.stats(7), { idle: 0, live: 0, waiting: 0 });
    } finally {
      await env.close();
    }
  });

  test(title('data written through a pooled connection is read back (item 24)'), async (t) => {
    const env = await setup();
    try {
      const pc = await env.pool.get(1);
      t.is(await roundTrip(pc.conn, 'hello pool'), 'hello pool');
      pc.release();
      const again = await env.pool.get(1);
      t.is(again.conn, pc.conn, 'the same connection is reused');
      t.is(await roundTrip(again.conn, 'second request'), 'second request');
      again.release();
    } finally {
      await env.close();
    }
  });

  test(title('concurrent get/release cycles complete within max, and stop racing with them does not break (items 23, 25)'), async (t) => {
    const env = await setup({ initial: 1, max: 3 });
    try {
      let peak = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const pc = await env.pool.get(1, { timeoutMs: 5000 });
          peak = Math.max(peak, env.pool.stats(1).live);
          await new Promise((r) => setTimeout(r, 5));
          pc.release();
        }),
      );
      t.true(peak <= 3);
      t.deepEqual(env.pool.stats(1).waiting, 0);
      const racing = Array.from({ length: 30 }, async () => {
        try {
          const pc = await env.pool.get(1, { timeoutMs: 2000 });
          await new Promise((r) => setTimeout(r, 1));
          pc.release();
          return 'ok';
        } catch (err) {
          return hasCode(err, 'ERR_POOL_CLOSED') || hasCode(err, 'ERR_SERVICE_STOPPED') ? 'closed' : String(err);
        }
      });
      await new Promise((r) => setTimeout(r, 2));
      await env.pool.stop();
      const outcomes = await Promise.all(racing);
      t.true(outcomes.every((o) => o === 'ok' || o === 'closed'), outcomes.join(','));
    } finally {
      await env.close();
    }
  });
}

/** Writes text and reads the same number of bytes back (the remote echoes); leaves the stream readable. */
async function roundTrip(conn: Conn, text: string): Promise<string> {
  const want = Buffer.byteLength(text);
  const chunks: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      chunks.push(c);
      n += c.length;
      if (n >= want) {
        conn.removeListener('data', onData);
        conn.removeListener('error', reject);
        conn.pause();
        resolve();
      }
    };
    conn.on('data', onData);
    conn.once('error', reject);
  });
  conn.write(text);
  await done;
  return Buffer.concat(chunks).toString();
}

/** Polls a condition (no fixed sleeps in assertions). */
async function eventually(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
