import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
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
  /** Mutual TLS between nodes: both sides present a certificate signed by `caFile`. Absent = plain TCP. */
  readonly tls?: TcpTlsOptions;
}

/** TLS files (PEM) of a node, read at start(). */
export interface TcpTlsOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** Check the peer certificate's names against the dialled host (off: chain only, for IP-addressed clusters). */
  readonly verifyHostname: boolean;
}

interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/** Counters of a TcpTransport since it was created. */
export interface TcpTransportStats {
  /** Connections accepted and handed to a handler (mux byte read). */
  readonly accepted: number;
  /** Accepted connections closed because no mux byte arrived in time. */
  readonly muxTimeouts: number;
  /** Accepted connections that ended or failed before sending a mux byte. */
  readonly muxFailures: number;
  /** Accepted connections whose TLS handshake failed (bad or missing certificate, plain TCP client). */
  readonly tlsFailures: number;
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
  readonly supports: TransportSupports;
  private state: State = 'new';
  private material: TlsMaterial | undefined;
  private readonly servers = new Set<net.Server>();
  private readonly sockets = new Set<net.Socket>();
  private counters = { accepted: 0, muxTimeouts: 0, muxFailures: 0, tlsFailures: 0, dialled: 0, dialTimeouts: 0, dialFailures: 0 };

  constructor(private readonly options: TcpTransportOptions) {
    this.supports = { tls: options.tls !== undefined };
  }

  async start(): Promise<void> {
    if (this.state === 'started') return;
    const t = this.options.tls;
    if (t && !this.material) {
      try {
        const [cert, key, ca] = await Promise.all([readFile(t.certFile), readFile(t.keyFile), readFile(t.caFile)]);
        // Fail at start, not at the first connection, on unusable material.
        tls.createSecureContext({ cert, key, ca });
        this.material = { cert, key, ca };
      } catch (err) {
        throw new TesseraError('ERR_CONFIG_INVALID', `transport-tcp TLS files: ${(err as Error).message}`, { cause: err });
      }
    }
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
    const m = this.material;
    let server: net.Server;
    if (m) {
      server = tls.createServer({
        cert: m.cert,
        key: m.key,
        ca: m.ca,
        requestCert: true,
        rejectUnauthorized: true,
        handshakeTimeout: this.options.muxTimeoutMs,
        noDelay: this.options.noDelay,
      });
      // Raw sockets are tracked too, so stop() also ends connections still in their TLS handshake.
      server.on('connection', (raw: net.Socket) => this.track(raw));
      server.on('secureConnection', (socket: tls.TLSSocket) => this.accept(socket, onConn));
      server.on('tlsClientError', (err) => {
        this.counters.tlsFailures++;
        this.options.logger.info({ err }, 'TLS handshake with a peer failed');
      });
    } else {
      server = net.createServer({ noDelay: this.options.noDelay });
      server.on('connection', (socket) => this.accept(socket, onConn));
    }
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
    const m = this.material;
    const socket = m
      ? tls.connect({
          host,
          port,
          cert: m.cert,
          key: m.key,
          ca: m.ca,
          ...(net.isIP(host) === 0 ? { servername: host } : {}),
          ...(this.options.tls?.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        })
      : net.connect({ host, port, noDelay: this.options.noDelay });
    this.track(socket);
    const connectEvent = m ? 'secureConnect' : 'connect';
    return new Promise<Conn>((resolve, reject) => {
      let settled = false;
      const fail = (err: TesseraError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeListener(connectEvent, onConnect);
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
      socket.once(connectEvent, onConnect);
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
    socket.setNoDelay(this.options.noDelay);
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
