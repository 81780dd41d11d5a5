import net from 'node:net';
import { type BoundAddress, type Conn, type ConnHandler, type Logger, TesseraError, type Transport, type TransportSupports } from '../../core/index.js';
import { formatHostPort, parseHostPort } from './address.js';

/** Settings of a TcpTransport (milliseconds). */
export interface TcpTransportOptions {
  /** Dial timeout used when `dial` is given none. */
  readonly dialTimeoutMs: number;
  /** An accepted connection that sends no mux byte within this time is closed and counted. */
  readonly muxTimeoutMs: number;
  /** TCP keep-alive initial delay; 0 = off. */
  readonly keepAliveMs: number;
  readonly noDelay: boolean;
  readonly logger: Logger;
}

/** Counters of a TcpTransport since it was created. */
export interface TcpTransportStats {
  /** Connections accepted and handed to a handler (mux byte read). */
  readonly accepted: number;
  /** Accepted connections closed because no mux byte arrived in time. */
  readonly muxTimeouts: number;
  /** Accepted connections that ended or failed before sending a mux byte. */
  readonly muxFailures: number;
  readonly dialled: number;
  readonly dialTimeouts: number;
  readonly dialFailures: number;
  /** Connections (accepted or dialled) currently open. */
  readonly open: number;
}

type State = 'new' | 'started' | 'stopped';

/**
 * Transport over plain TCP. Each accepted connection's first byte picks the service; `stop` closes every
 * listener and every connection it accepted or dialled. `start`/`stop` are idempotent; a stopped
 * transport may be started again (listeners are not reopened: callers listen again).
 */
export class TcpTransport implements Transport {
  readonly supports: TransportSupports = { tls: false };
  private state: State = 'new';
  private readonly servers = new Set<net.Server>();
  private readonly sockets = new Set<net.Socket>();
  private counters = { accepted: 0, muxTimeouts: 0, muxFailures: 0, dialled: 0, dialTimeouts: 0, dialFailures: 0 };

  constructor(private readonly options: TcpTransportOptions) {}

  async start(): Promise<void> {
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    const closing = [...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.servers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(closing);
  }

  /** Counters (accepted, mux timeouts, dials...) for stats and tests. */
  stats(): TcpTransportStats {
    return { ...this.counters, open: this.sockets.size };
  }

  async listen(address: string, onConn: ConnHandler): Promise<BoundAddress> {
    this.assertStarted();
    const { host, port } = parseHostPort(address);
    const server = net.createServer({ noDelay: this.options.noDelay });
    server.on('connection', (socket) => this.accept(socket, onConn));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new TesseraError('ERR_TRANSPORT_LISTEN_FAILED', `listen on ${address} failed: ${err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    // A listener error after bind (e.g. EMFILE on accept) must not crash the node.
    server.on('error', (err) => this.options.logger.warn({ err, address }, 'listener error'));
    if (this.state !== 'started') {
      server.close();
      throw new TesseraError('ERR_SERVICE_STOPPED', 'transport stopped while listening');
    }
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
    const bound = server.address() as net.AddressInfo;
    return { address: formatHostPort(bound.address, bound.port), host: bound.address, port: bound.port };
  }

  async dial(address: string, muxByte: number, options?: { timeoutMs?: number }): Promise<Conn> {
    this.assertStarted();
    checkMuxByte(muxByte);
    const { host, port } = parseHostPort(address);
    const timeoutMs = options?.timeoutMs ?? this.options.dialTimeoutMs;
    const socket = net.connect({ host, port, noDelay: this.options.noDelay });
    this.track(socket);
    return new Promise<Conn>((resolve, reject) => {
      let settled = false;
      const fail = (err: TesseraError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeListener('connect', onConnect);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => {
        this.counters.dialTimeouts++;
        fail(new TesseraError('ERR_TRANSPORT_DIAL_TIMEOUT', `dial ${address} timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      const onConnect = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.counters.dialled++;
        this.configure(socket);
        socket.write(Buffer.of(muxByte));
        resolve(socket);
      };
      socket.once('connect', onConnect);
      socket.once('error', (err: Error) => {
        if (settled) return;
        this.counters.dialFailures++;
        fail(new TesseraError('ERR_TRANSPORT_DIAL_FAILED', `dial ${address} failed: ${err.message}`, { cause: err }));
      });
      // stop() destroys sockets still connecting: their dial fails at once instead of waiting for the timer.
      socket.once('close', () => fail(new TesseraError('ERR_SERVICE_STOPPED', `dial ${address}: transport stopped`)));
    });
  }

  private accept(socket: net.Socket, onConn: ConnHandler): void {
    if (this.state !== 'started') {
      socket.destroy();
      return;
    }
    this.track(socket);
    this.configure(socket);
    // Mux timeout: no byte in time -> close, count, log. Cleared once the byte has been read.
    socket.setTimeout(this.options.muxTimeoutMs, () => {
      this.counters.muxTimeouts++;
      this.options.logger.info({ remote: socket.remoteAddress, port: socket.remotePort }, 'no mux byte in time: connection closed');
      socket.destroy();
    });
    let handed = false;
    const onEnd = (): void => {
      if (!handed) {
        this.counters.muxFailures++;
        socket.setTimeout(0);
        socket.destroy();
      }
    };
    const onReadable = (): void => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return; // EOF or nothing yet: 'end' handles EOF
      handed = true;
      socket.removeListener('readable', onReadable);
      socket.removeListener('end', onEnd);
      socket.setTimeout(0);
      this.counters.accepted++;
      // Removing the last 'readable' listener lets a 'data' listener attached by the handler resume flow.
      onConn(socket, first[0]!);
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', () => {
      if (!handed) socket.removeListener('readable', onReadable);
    });
  }

  /** Keeps track of an open socket until it closes; errors are logged, never thrown at the process. */
  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', (err) => this.options.logger.debug({ err }, 'connection error'));
    socket.once('close', () => this.sockets.delete(socket));
  }

  private configure(socket: net.Socket): void {
    if (this.options.keepAliveMs > 0) socket.setKeepAlive(true, this.options.keepAliveMs);
  }

  private assertStarted(): void {
    if (this.state === 'new') throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'transport-tcp is not started');
    if (this.state === 'stopped') throw new TesseraError('ERR_SERVICE_STOPPED', 'transport-tcp is stopped');
  }
}

/** A mux byte is an integer 0..255; anything else is a programming mistake. */
export function checkMuxByte(muxByte: number): void {
  if (!Number.isInteger(muxByte) || muxByte < 0 || muxByte > 255) throw new TypeError(`invalid mux byte ${muxByte}`);
}
