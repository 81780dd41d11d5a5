import type { BoundAddress, Conn, Transport } from '../contracts/transport.js';
import { TesseraError } from '../errors.js';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { createToken } from '../tokens.js';

/** Handles one accepted connection whose first byte selected this service. */
export type MuxHandler = (conn: Conn) => void;

/** Counters of the cluster port. */
export interface ClusterMuxStats {
  accepted: number;
  unknownMuxByte: number;
}

/**
 * The cluster port: listens on `[cluster] bind-address` through the Transport and routes each connection
 * by its first byte to the service registered for it (raft 1, cluster 2, shard copy 3, meta RPC 4). An
 * unknown byte closes the connection and is counted and logged. Services register before or after start.
 */
export class ClusterMux implements Service {
  readonly #transport: Pick<Transport, 'listen'>;
  readonly #bindAddress: string;
  readonly #log: Logger;
  readonly #handlers = new Map<number, MuxHandler>();
  #bound: BoundAddress | undefined;
  #stopped = false;
  readonly stats: ClusterMuxStats = { accepted: 0, unknownMuxByte: 0 };

  constructor(transport: Pick<Transport, 'listen'>, bindAddress: string, logger: Logger) {
    this.#transport = transport;
    this.#bindAddress = bindAddress;
    this.#log = logger;
  }

  /** Routes connections starting with `muxByte` to `handler` (one handler per byte). */
  handle(muxByte: number, handler: MuxHandler): void {
    if (!Number.isInteger(muxByte) || muxByte < 0 || muxByte > 255) throw new TypeError(`invalid mux byte ${muxByte}`);
    if (this.#handlers.has(muxByte)) throw new TypeError(`mux byte ${muxByte} already has a handler`);
    this.#handlers.set(muxByte, handler);
  }

  /** The bound address (port 0 resolved), after start(). */
  address(): BoundAddress {
    if (!this.#bound) throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'cluster port is not listening');
    return this.#bound;
  }

  async start(): Promise<void> {
    if (this.#bound) return;
    this.#stopped = false;
    this.#bound = await this.#transport.listen(this.#bindAddress, (conn, muxByte) => this.#route(conn, muxByte));
    this.#log.info({ address: this.#bound.address }, 'cluster port listening');
  }

  /** Refuses new connections; the Transport (stopped after this) closes the listener and live connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
  }

  #route(conn: Conn, muxByte: number): void {
    this.stats.accepted++;
    const handler = this.#stopped ? undefined : this.#handlers.get(muxByte);
    if (!handler) {
      this.stats.unknownMuxByte++;
      this.#log.warn({ muxByte }, 'connection with unknown mux byte closed');
      conn.destroy();
      return;
    }
    try {
      handler(conn);
    } catch (err) {
      this.#log.error({ err, muxByte }, 'mux handler failed');
      conn.destroy();
    }
  }
}

/** The ClusterMux token (core service). */
export const ClusterMuxToken = createToken<ClusterMux>('tessera.core.ClusterMux');
