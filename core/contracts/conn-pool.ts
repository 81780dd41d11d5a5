import type { Service } from '../lifecycle.js';
import { createToken } from '../tokens.js';
import type { NodeInfo } from './meta-store.js';
import type { Conn } from './transport.js';

/**
 * A connection borrowed from the pool: give it back with exactly one of release() or markUnusable()
 * (later calls are ignored). Remove your own listeners before release(): the pool watches idle
 * connections, and one that receives bytes or closes while idle is discarded.
 */
export interface PooledConn {
  readonly conn: Conn;
  readonly nodeId: number;
  /** Returns the connection to the pool for reuse. */
  release(): void;
  /** The connection is broken: close it and free its slot. */
  markUnusable(): void;
}

/** Live/idle/waiting counts of one node's pool, or summed over all nodes. */
export interface ConnPoolStats {
  readonly idle: number;
  readonly live: number;
  readonly waiting: number;
}

/** What a ConnPool implementation can do. */
export interface ConnPoolSupports {
  readonly globalCap: boolean;
}

/**
 * Per-node pools of connections (mux byte CLUSTER) over a Transport. `get` returns an idle connection or
 * dials one while the node has fewer than its maximum live connections (and the global cap allows);
 * otherwise it waits, FIFO, up to its timeout (ERR_POOL_TIMEOUT, "timed out waiting for free connection").
 * A dial failure rejects a waiter with the Transport's error (ERR_TRANSPORT_DIAL_*). Unknown node:
 * ERR_POOL_UNKNOWN_NODE; closed node pool or stopped pool: ERR_POOL_CLOSED for waiters.
 * Conformance: `connPoolSuite` (core/testing).
 */
export interface ConnPool extends Service {
  readonly supports: ConnPoolSupports;
  get(nodeId: number, options?: { timeoutMs?: number }): Promise<PooledConn>;
  stats(nodeId?: number): ConnPoolStats;
  /** Closes and forgets the pool of a node (node removed from the cluster). */
  closeNode(nodeId: number): Promise<void>;
}

export const ConnPool = createToken<ConnPool>('tessera.core.ConnPool');

/** The narrow view of the MetaStore a pool needs: node addresses, and optionally change notifications. */
export interface NodeDirectory {
  data(): { readonly nodes: readonly NodeInfo[] };
  /** When present, pools of nodes that disappear from `data().nodes` are closed. */
  onChange?(listener: (data: { readonly nodes: readonly NodeInfo[] }) => void): () => void;
}
