import { type ConnPool, type ConnPoolStats, type ConnPoolSupports, type Conn, type Logger, MuxByte, type NodeDirectory, type PooledConn, TesseraError, type Transport } from '../../core/index.js';

/** Settings of a ChannelPool (milliseconds). */
export interface ChannelPoolOptions {
  readonly initial: number;
  readonly max: number;
  /** Idle connections kept per node (<= max; 0 = max). */
  readonly maxIdle: number;
  readonly globalMax: number;
  readonly getTimeoutMs: number;
  /** 0 = idle connections never expire. */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
  /**
   * Runs on each new connection before it is handed out (e.g. the cluster handshake). A rejection closes
   * the connection and fails the dial like a transport error.
   */
  readonly prepare?: (conn: Conn, nodeId: number) => Promise<void>;
}

/** Counters of a ChannelPool since it was created. */
export interface ChannelPoolCounters {
  readonly dials: number;
  readonly dialFailures: number;
  readonly timeouts: number;
  readonly expired: number;
  readonly unusable: number;
}

interface IdleConn {
  readonly conn: Conn;
  readonly since: number;
  readonly onGone: () => void;
  readonly onReadable: () => void;
  readonly onEnd: () => void;
}

function unwatch(ic: IdleConn): void {
  ic.conn.removeListener('close', ic.onGone);
  ic.conn.removeListener('readable', ic.onReadable);
  ic.conn.removeListener('end', ic.onEnd);
}

interface NodePool {
  readonly id: number;
  readonly idle: IdleConn[];
  /** Idle + borrowed + dialling. */
  live: number;
  dialling: number;
  closed: boolean;
}

interface Waiter {
  readonly node: NodePool;
  readonly resolve: (pc: PooledConn) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

type State = 'new' | 'started' | 'stopped';

const TIMEOUT_MESSAGE = 'timed out waiting for free connection';

/**
 * ConnPool over a Transport (mux byte CLUSTER). Per node: `initial` dials when its pool is created, at
 * most `max` live connections; across nodes at most `globalMax` (an idle connection of another node is
 * closed to make room). Waiters are served FIFO and time out with ERR_POOL_TIMEOUT. A broken connection
 * (`markUnusable`, or closed by the peer while idle) frees its slot at once; idle connections expire.
 */
export class ChannelPool implements ConnPool {
  readonly supports: ConnPoolSupports = { globalCap: true };
  private state: State = 'new';
  private readonly pools = new Map<number, NodePool>();
  private readonly waiters: Waiter[] = [];
  private readonly borrowed = new Set<PooledConnImpl>();
  private total = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly maxIdle: number;
  private counts = { dials: 0, dialFailures: 0, timeouts: 0, expired: 0, unusable: 0 };

  constructor(
    private readonly transport: Pick<Transport, 'dial'>,
    private readonly directory: NodeDirectory,
    private readonly options: ChannelPoolOptions,
  ) {
    if (options.initial < 0 || options.max < 1 || options.initial > options.max || options.globalMax < 1)
      throw new TypeError('invalid pool capacity settings');
    this.maxIdle = options.maxIdle > 0 ? Math.min(options.maxIdle, options.max) : options.max;
  }

  async start(): Promise<void> {
    if (this.state === 'started') return;
    this.state = 'started';
    if (this.options.idleTimeoutMs > 0) {
      const every = Math.max(10, Math.min(1000, Math.floor(this.options.idleTimeoutMs / 2)));
      this.sweeper = setInterval(() => this.expireIdle(), every);
      this.sweeper.unref();
    }
    this.unsubscribe = this.directory.onChange?.((data) => {
      const present = new Set(data.nodes.map((n) => n.id));
      for (const id of [...this.pools.keys()]) if (!present.has(id)) void this.closeNode(id);
    });
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    clearInterval(this.sweeper);
    this.unsubscribe?.();
    for (const w of this.waiters.splice(0)) this.fail(w, new TesseraError('ERR_POOL_CLOSED', 'pool stopped'));
    for (const id of [...this.pools.keys()]) await this.closeNode(id);
    for (const pc of [...this.borrowed]) pc.conn.destroy();
  }

  async get(nodeId: number, options?: { timeoutMs?: number }): Promise<PooledConn> {
    this.assertStarted();
    let node = this.pools.get(nodeId);
    if (!node) {
      if (!this.addressOf(nodeId))
        throw new TesseraError('ERR_POOL_UNKNOWN_NODE', `no address known for node ${nodeId}`);
      node = { id: nodeId, idle: [], live: 0, dialling: 0, closed: false };
      this.pools.set(nodeId, node);
      for (let i = 0; i < this.options.initial && this.canDial(node); i++) this.dial(node);
    }
    const ready = this.takeIdle(node);
    if (ready) return ready;
    const timeoutMs = options?.timeoutMs ?? this.options.getTimeoutMs;
    return new Promise<PooledConn>((resolve, reject) => {
      const w: Waiter = { node: node!, resolve, reject, timer: undefined };
      w.timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        this.counts.timeouts++;
        reject(new TesseraError('ERR_POOL_TIMEOUT', TIMEOUT_MESSAGE));
      }, timeoutMs);
      this.waiters.push(w);
      this.pump();
    });
  }

  stats(nodeId?: number): ConnPoolStats {
    if (nodeId !== undefined) {
      const node = this.pools.get(nodeId);
      const waiting = this.waiters.filter((w) => w.node.id === nodeId).length;
      return { idle: node?.idle.length ?? 0, live: node?.live ?? 0, waiting };
    }
    let idle = 0;
    for (const n of this.pools.values()) idle += n.idle.length;
    return { idle, live: this.total, waiting: this.waiters.length };
  }

  /** Counters (dials, failures, timeouts, expired, unusable) for monitoring and tests. */
  counters(): ChannelPoolCounters {
    return { ...this.counts };
  }

  async closeNode(nodeId: number): Promise<void> {
    const node = this.pools.get(nodeId);
    if (!node) return;
    this.pools.delete(nodeId);
    node.closed = true;
    for (const ic of node.idle.splice(0)) {
      this.discard(ic);
      node.live--;
      this.total--;
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.node !== node) continue;
      this.waiters.splice(i, 1);
      this.fail(w, new TesseraError('ERR_POOL_CLOSED', `pool of node ${nodeId} is closed`));
    }
    // Borrowed connections of a closed pool are closed when given back; their slots stay counted until then.
    this.pump();
  }

  /** @internal Called by PooledConnImpl. */
  giveBack(pc: PooledConnImpl, usable: boolean): void {
    this.borrowed.delete(pc);
    const node = pc.node;
    const conn = pc.conn;
    if (!usable) this.counts.unusable++;
    if (!usable || node.closed || this.state !== 'started' || conn.destroyed || !conn.writable) {
      conn.destroy();
      this.freeSlot(node);
      return;
    }
    const w = this.firstWaiter(node);
    if (w) {
      this.serve(w, node, conn);
      return;
    }
    if (node.idle.length >= this.maxIdle) {
      // The idle list is full: close the connection and give its slot back (InfluxDB 0.10 leaked it here).
      conn.destroy();
      this.freeSlot(node);
      return;
    }
    this.putIdle(node, conn);
    // A waiter of another node may be blocked by the global cap: this idle connection can make room.
    if (this.waiters.length > 0) this.pump();
  }

  private dial(node: NodePool): void {
    node.live++;
    node.dialling++;
    this.total++;
    this.counts.dials++;
    const address = this.addressOf(node.id);
    const prepare = this.options.prepare;
    const dialled = address
      ? this.transport.dial(address, MuxByte.CLUSTER, { timeoutMs: this.options.getTimeoutMs }).then(async (conn) => {
          if (!prepare) return conn;
          try {
            await prepare(conn, node.id);
          } catch (err) {
            conn.destroy();
            throw err;
          }
          return conn;
        })
      : Promise.reject(new TesseraError('ERR_POOL_UNKNOWN_NODE', `no address known for node ${node.id}`));
    dialled.then(
      (conn) => {
        node.dialling--;
        if (node.closed || this.state !== 'started') {
          conn.destroy();
          this.freeSlot(node);
          return;
        }
        const w = this.firstWaiter(node);
        if (w) this.serve(w, node, conn);
        else if (node.idle.length < this.maxIdle) {
          this.putIdle(node, conn);
          if (this.waiters.length > 0) this.pump();
        } else {
          conn.destroy();
          this.freeSlot(node);
        }
      },
      (err: Error) => {
        node.dialling--;
        this.counts.dialFailures++;
        node.live--;
        this.total--;
        const w = this.firstWaiter(node);
        if (w) this.fail(w, err);
        else this.options.logger.warn({ err, node: node.id }, 'pool dial failed');
        this.pump();
      },
    );
  }

  /** Starts dials for waiters not yet covered by a dial in flight, FIFO, within the per-node and global caps. */
  private pump(): void {
    if (this.state !== 'started') return;
    const covered = new Map<NodePool, number>();
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i]!;
      const node = w.node;
      const idle = this.popIdle(node);
      if (idle) {
        this.waiters.splice(i--, 1);
        this.serve(w, node, idle);
        continue;
      }
      const inFlight = covered.get(node) ?? node.dialling;
      if (inFlight > 0) {
        covered.set(node, inFlight - 1);
        continue;
      }
      covered.set(node, 0);
      if (node.live >= this.options.max) continue;
      if (this.total >= this.options.globalMax && !this.evictIdleElsewhere(node)) continue;
      this.dial(node);
      covered.set(node, 0); // the new dial is for this waiter
    }
  }

  private canDial(node: NodePool): boolean {
    return node.live < this.options.max && this.total < this.options.globalMax;
  }

  /** At the global cap, closes the oldest idle connection of another node to make room. */
  private evictIdleElsewhere(node: NodePool): boolean {
    let victim: NodePool | undefined;
    for (const other of this.pools.values()) {
      if (other === node || other.idle.length === 0) continue;
      if (!victim || other.idle[0]!.since < victim.idle[0]!.since) victim = other;
    }
    if (!victim) return false;
    this.discard(victim.idle.shift()!);
    victim.live--;
    this.total--;
    return true;
  }

  private takeIdle(node: NodePool): PooledConn | undefined {
    const conn = this.popIdle(node);
    if (!conn) return undefined;
    const pc = new PooledConnImpl(this, node, conn);
    this.borrowed.add(pc);
    return pc;
  }

  /** Most recently used first, so the others age out; skips connections that died while idle. */
  private popIdle(node: NodePool): Conn | undefined {
    while (node.idle.length > 0) {
      const ic = node.idle.pop()!;
      unwatch(ic);
      if (!ic.conn.destroyed && ic.conn.writable && !ic.conn.readableEnded) return ic.conn;
      ic.conn.destroy();
      node.live--;
      this.total--;
    }
    return undefined;
  }

  /**
   * Parks a connection. While idle it is watched with a 'readable' listener: bytes arriving (a protocol
   * error) or the peer's end close it, and 'close' frees its slot. Removing the 'readable' listener on
   * take lets the borrower's own 'data' listener or iterator read normally.
   */
  private putIdle(node: NodePool, conn: Conn): void {
    const onGone = (): void => {
      const i = node.idle.findIndex((ic) => ic.conn === conn);
      if (i < 0) return;
      const [ic] = node.idle.splice(i, 1);
      unwatch(ic!);
      this.freeSlot(node);
    };
    const onReadable = (): void => {
      if (conn.read() !== null || conn.readableEnded) conn.destroy();
    };
    const onEnd = (): void => {
      conn.destroy();
    };
    conn.once('close', onGone);
    conn.on('readable', onReadable);
    conn.once('end', onEnd);
    node.idle.push({ conn, since: Date.now(), onGone, onReadable, onEnd });
  }

  /** Closes an idle connection already taken off its list (the caller adjusts the counts). */
  private discard(ic: IdleConn): void {
    unwatch(ic);
    ic.conn.destroy();
  }

  private expireIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const node of this.pools.values()) {
      // idle[] is ordered by return time: the oldest are at the front.
      while (node.idle.length > 0 && node.idle[0]!.since <= cutoff) {
        this.discard(node.idle.shift()!);
        this.counts.expired++;
        node.live--;
        this.total--;
      }
    }
    this.pump();
  }

  private freeSlot(node: NodePool): void {
    node.live--;
    this.total--;
    this.pump();
  }

  private firstWaiter(node: NodePool): Waiter | undefined {
    const i = this.waiters.findIndex((w) => w.node === node);
    return i < 0 ? undefined : this.waiters.splice(i, 1)[0];
  }

  private serve(w: Waiter, node: NodePool, conn: Conn): void {
    clearTimeout(w.timer);
    const pc = new PooledConnImpl(this, node, conn);
    this.borrowed.add(pc);
    w.resolve(pc);
  }

  private fail(w: Waiter, err: Error): void {
    clearTimeout(w.timer);
    w.reject(err);
  }

  private addressOf(nodeId: number): string | undefined {
    return this.directory.data().nodes.find((n) => n.id === nodeId)?.address;
  }

  private assertStarted(): void {
    if (this.state === 'new') throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'pool-channel is not started');
    if (this.state === 'stopped') throw new TesseraError('ERR_SERVICE_STOPPED', 'pool-channel is stopped');
  }
}

/** A borrowed connection; the first of release()/markUnusable() counts, later calls are ignored. */
class PooledConnImpl implements PooledConn {
  private done = false;

  constructor(
    private readonly pool: ChannelPool,
    readonly node: NodePool,
    readonly conn: Conn,
  ) {}

  get nodeId(): number {
    return this.node.id;
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.pool.giveBack(this, true);
  }

  markUnusable(): void {
    if (this.done) return;
    this.done = true;
    this.pool.giveBack(this, false);
  }
}
