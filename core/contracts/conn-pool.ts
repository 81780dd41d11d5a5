import type { Service } from '../lifecycle.js';
import { createToken } from '../tokens.js';
import type { Conn } from './transport.js';

/** A connection borrowed from the pool: give it back with exactly one of release() or markUnusable(). */
export interface PooledConn {
  readonly conn: Conn;
  readonly nodeId: number;
  /** Returns the connection to the pool for reuse. */
  release(): void;
  /** The connection is broken: close it and free its slot. */
  markUnusable(): void;
}

export interface ConnPoolStats {
  readonly idle: number;
  readonly live: number;
  readonly waiting: number;
}

export interface ConnPoolSupports {
  readonly globalCap: boolean;
}

/**
 * Per-node pools of connections (mux byte CLUSTER) over a Transport. `get` waits for a free slot up to
 * its timeout (ERR_POOL_TIMEOUT, "timed out waiting for free connection").
 */
export interface ConnPool extends Service {
  readonly supports: ConnPoolSupports;
  get(nodeId: number, options?: { timeoutMs?: number }): Promise<PooledConn>;
  stats(nodeId?: number): ConnPoolStats;
  /** Closes and forgets the pool of a node (node removed from the cluster). */
  closeNode(nodeId: number): Promise<void>;
}

export const ConnPool = createToken<ConnPool>('tessera.core.ConnPool');
