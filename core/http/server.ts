import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BoundAddress } from '../contracts/transport.js';
import { TesseraError } from '../errors.js';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { requestId } from './request-id.js';
import { INFLUXDB_VERSION, sendError, sendText } from './respond.js';

/** A route handler; errors it throws become 500s. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

interface Route {
  readonly methods: readonly string[];
  readonly handler: RouteHandler;
}

export interface HttpServiceOptions {
  readonly bindAddress: string;
  readonly logger: Logger;
  /** How long stop() waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs: number;
}

const CORS_HEADERS = {
  'Access-Control-Allow-Methods': 'DELETE, GET, OPTIONS, POST, PUT',
  'Access-Control-Allow-Headers':
    'Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override',
  'Access-Control-Expose-Headers': 'Date, X-InfluxDB-Version, X-InfluxDB-Build',
};

/** Splits "host:port" (IPv6 in brackets allowed); an empty host means all interfaces. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new TesseraError('ERR_CONFIG_INVALID', `invalid address "${address}": expected host:port`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/**
 * The InfluxDB-compatible HTTP API server: routing, CORS, the headers every answer carries, and an
 * orderly stop (stop accepting, drain in-flight requests, close).
 */
export class HttpService implements Service {
  readonly #options: HttpServiceOptions;
  readonly #routes = new Map<string, Route>();
  #server: http.Server | undefined;
  #bound: BoundAddress | undefined;
  readonly #inflight = new Set<Promise<void>>();
  readonly #sockets = new Set<Socket>();

  constructor(options: HttpServiceOptions) {
    this.#options = options;
    this.route('/ping', ['GET', 'HEAD'], (_req, res) => {
      res.writeHead(204);
      res.end();
    });
  }

  /** Registers a path; other methods get 405 with Allow (OPTIONS is answered for every route). */
  route(path: string, methods: readonly string[], handler: RouteHandler): void {
    this.#routes.set(path, { methods, handler });
  }

  /** The bound address, after start(). */
  address(): BoundAddress {
    if (!this.#bound) throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'http service is not started');
    return this.#bound;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const { host, port } = splitHostPort(this.#options.bindAddress);
    const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.#dispatch(req, res));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host || undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#options.logger.error({ err }, 'http server error'));
    this.#server = server;
    const a = server.address() as AddressInfo;
    const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.#bound = { address: `${h}:${a.port}`, host: a.address, port: a.port };
    this.#options.logger.info({ address: this.#bound.address }, 'http listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // 1. stop accepting; 2. drain in-flight requests; 3. close what is left.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const drain = Promise.allSettled([...this.#inflight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drain, new Promise((r) => (timer = setTimeout(r, this.#options.drainTimeoutMs)))]);
    clearTimeout(timer);
    server.closeAllConnections();
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Content-Type', 'application/json');
    const rid = requestId(req);
    res.setHeader('Request-Id', rid);
    res.setHeader('X-Request-Id', rid);
    res.setHeader('X-Influxdb-Build', 'OSS');
    res.setHeader('X-Influxdb-Version', INFLUXDB_VERSION);
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.#routes.get(url.pathname.replace(/\/+$/, '') || '/');
    if (!route) {
      res.removeHeader('Content-Type');
      sendText(res, 404, '404 page not found');
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.removeHeader('Content-Type');
      res.writeHead(200);
      res.end();
      return;
    }
    if (!route.methods.includes(method)) {
      const allow = route.methods.includes('POST') && route.methods.includes('GET') ? ['OPTIONS', ...route.methods] : route.methods.includes('HEAD') ? route.methods : ['OPTIONS', ...route.methods];
      sendText(res, 405, 'Method Not Allowed', { Allow: allow.join(', ') });
      return;
    }
    const work = (async () => {
      try {
        await route.handler(req, res, url);
      } catch (err) {
        this.#options.logger.error({ err, path: url.pathname }, 'request failed');
        sendError(res, 500, (err as Error).message);
      }
    })();
    this.#inflight.add(work);
    work.finally(() => this.#inflight.delete(work));
  }
}
