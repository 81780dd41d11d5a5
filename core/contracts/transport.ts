import type { Duplex } from 'node:stream';
import type { Service } from '../lifecycle.js';
import { createToken } from '../tokens.js';

/** A byte stream between two nodes. */
export type Conn = Duplex;

/** Mux bytes: the first byte of a connection picks the service. */
export const MuxByte = {
  RAFT: 1,
  CLUSTER: 2,
  SHARD_COPY: 3,
  META_RPC: 4,
} as const;

export interface BoundAddress {
  /** host:port actually bound (port 0 resolved). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
}

export type ConnHandler = (conn: Conn, muxByte: number) => void;

export interface TransportSupports {
  readonly tls: boolean;
}

/**
 * Byte streams between nodes. `listen` accepts connections on one address and hands each one to
 * `onConn` with its first byte (already consumed; an unknown byte is the handler's business); `dial`
 * opens a connection and writes the mux byte (timeout defaults to the transport's configured one).
 * `stop` closes every listener and every connection accepted or dialled. Before `start` / after `stop`,
 * `listen`/`dial` reject with ERR_SERVICE_NOT_STARTED / ERR_SERVICE_STOPPED.
 * Errors: ERR_TRANSPORT_DIAL_TIMEOUT, ERR_TRANSPORT_DIAL_FAILED, ERR_TRANSPORT_LISTEN_FAILED.
 * Conformance: `transportSuite` (core/testing).
 */
export interface Transport extends Service {
  readonly supports: TransportSupports;
  listen(address: string, onConn: ConnHandler): Promise<BoundAddress>;
  dial(address: string, muxByte: number, options?: { timeoutMs?: number }): Promise<Conn>;
}

export const Transport = createToken<Transport>('tessera.core.Transport');
