import { Duplex } from 'node:stream';
import type { BoundAddress, Conn, ConnHandler, Transport, TransportSupports } from '../contracts/transport.js';
import { TesseraError } from '../errors.js';

/**
 * One end of an in-memory connection. Writes land in the peer's read buffer (copied, as a socket would);
 * a write waits while the peer's buffer is full (backpressure); end() is a FIN, destroy() ends the peer's
 * readable side and fails its later writes with ERR_TRANSPORT_CLOSED.
 */
class MemoryConn extends Duplex {
  peer!: MemoryConn;
  /** The peer's write callback, held until this side reads again. */
  private pendingWrite: ((err?: Error | null) => void) | undefined;
  private eofPushed = false;

  constructor() {
    // As net.Socket by default: once the peer's end arrives, this side ends too.
    super({ allowHalfOpen: false });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (peer.destroyed || peer.eofPushed) {
      callback(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed by peer'));
      return;
    }
    if (peer.push(Buffer.from(chunk))) callback();
    else peer.pendingWrite = callback;
  }

  override _read(): void {
    const cb = this.pendingWrite;
    if (cb) {
      this.pendingWrite = undefined;
      cb();
    }
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.peer.pushEof();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed by peer'));
    this.peer.pushEof();
    callback(err);
  }

  private pushEof(): void {
    if (this.eofPushed || this.destroyed) return;
    this.eofPushed = true;
    this.push(null);
  }
}

/** Creates two connected in-memory Duplex ends. */
export function memoryConnPair(): [Conn, Conn] {
  const a = new MemoryConn();
  const b = new MemoryConn();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

interface Endpoint {
  readonly owner: MemoryTransport;
  readonly onConn: ConnHandler;
}

/**
 * The shared "network" of in-memory transports: pass one instance to every MemoryTransport of a test so
 * several nodes in one process reach each other by address. Addresses are `host:port`; port 0 in
 * `listen` picks a free port. `blackHole()` reserves an address whose dials never complete (they time out).
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly holes = new Set<string>();
  private nextPort = 40000;

  /** Reserves and returns an address where dials hang until their timeout. */
  blackHole(host = 'blackhole'): string {
    const address = `${host}:${this.nextPort++}`;
    this.holes.add(address);
    return address;
  }

  /** @internal Binds an address (port 0 = next free port) to a listener. */
  bind(address: string, endpoint: Endpoint): BoundAddress {
    const m = /^(.*):(\d+)$/.exec(address);
    if (!m) throw new TypeError(`invalid address "${address}": expected host:port`);
    const host = m[1] === '' ? '127.0.0.1' : m[1]!;
    let port = Number(m[2]);
    if (port === 0) {
      while (this.endpoints.has(`${host}:${this.nextPort}`)) this.nextPort++;
      port = this.nextPort++;
    }
    const bound = `${host}:${port}`;
    if (this.endpoints.has(bound) || this.holes.has(bound))
      throw new TesseraError('ERR_TRANSPORT_LISTEN_FAILED', `listen on ${bound} failed: address in use`);
    this.endpoints.set(bound, endpoint);
    return { address: bound, host, port };
  }

  /** @internal Unbinds every address a transport holds. */
  unbindAll(owner: MemoryTransport): void {
    for (const [address, ep] of this.endpoints) if (ep.owner === owner) this.endpoints.delete(address);
  }

  /** @internal */
  lookup(address: string): Endpoint | 'hole' | undefined {
    if (this.holes.has(address)) return 'hole';
    return this.endpoints.get(address);
  }
}

type State = 'new' | 'started' | 'stopped';

/**
 * An in-memory Transport with the semantics of transport-tcp: the dialled side's mux byte reaches the
 * listener's handler, a missing address fails the dial (ERR_TRANSPORT_DIAL_FAILED), a black-hole address
 * times out (ERR_TRANSPORT_DIAL_TIMEOUT), `stop` unbinds its addresses and closes every connection it
 * accepted or dialled.
 */
export class MemoryTransport implements Transport {
  readonly supports: TransportSupports = { tls: false };
  private state: State = 'new';
  private readonly conns = new Set<Conn>();
  private readonly pendingDials = new Set<() => void>();

  constructor(
    private readonly network: MemoryNetwork,
    private readonly options: { dialTimeoutMs?: number } = {},
  ) {}

  async start(): Promise<void> {
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    this.network.unbindAll(this);
    for (const cancel of [...this.pendingDials]) cancel();
    for (const c of [...this.conns]) c.destroy();
    this.conns.clear();
  }

  async listen(address: string, onConn: ConnHandler): Promise<BoundAddress> {
    this.assertStarted();
    return this.network.bind(address, { owner: this, onConn });
  }

  async dial(address: string, muxByte: number, options?: { timeoutMs?: number }): Promise<Conn> {
    this.assertStarted();
    if (!Number.isInteger(muxByte) || muxByte < 0 || muxByte > 255) throw new TypeError(`invalid mux byte ${muxByte}`);
    const timeoutMs = options?.timeoutMs ?? this.options.dialTimeoutMs ?? 5000;
    const target = this.network.lookup(address);
    if (target === undefined)
      throw new TesseraError('ERR_TRANSPORT_DIAL_FAILED', `dial ${address} failed: connection refused`);
    if (target === 'hole') {
      await new Promise<void>((resolve, reject) => {
        const cancel = (): void => {
          clearTimeout(timer);
          this.pendingDials.delete(cancel);
          reject(new TesseraError('ERR_SERVICE_STOPPED', `dial ${address}: transport stopped`));
        };
        const timer = setTimeout(() => {
          this.pendingDials.delete(cancel);
          resolve();
        }, timeoutMs);
        this.pendingDials.add(cancel);
      });
      throw new TesseraError('ERR_TRANSPORT_DIAL_TIMEOUT', `dial ${address} timed out after ${timeoutMs}ms`);
    }
    // Connect on a later tick, as a socket would.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.assertStarted();
    const [client, server] = memoryConnPair();
    if (!target.owner.adopt(server)) {
      throw new TesseraError('ERR_TRANSPORT_DIAL_FAILED', `dial ${address} failed: connection refused`);
    }
    this.adopt(client);
    setImmediate(() => {
      if (!server.destroyed) target.onConn(server, muxByte);
    });
    return client;
  }

  /** @internal Tracks a connection end until it closes; false when this transport is not started. */
  adopt(conn: Conn): boolean {
    if (this.state !== 'started') return false;
    this.conns.add(conn);
    conn.on('error', () => {}); // errors surface to the owner's listeners; never crash the process
    conn.once('close', () => this.conns.delete(conn));
    return true;
  }

  private assertStarted(): void {
    if (this.state === 'new') throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'memory transport is not started');
    if (this.state === 'stopped') throw new TesseraError('ERR_SERVICE_STOPPED', 'memory transport is stopped');
  }
}
