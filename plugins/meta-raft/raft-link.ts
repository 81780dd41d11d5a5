import { MuxByte, type Conn, type Transport } from '../../core/contracts/transport.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { encodeFrame, readFrames } from './raft/framing.js';
import type { Message } from './raft/types.js';

/** Registers a handler for connections that start with `muxByte` (the cluster port's routing). */
export type MuxServe = (muxByte: number, handler: (conn: Conn) => void) => Promise<void>;

/** A META_RPC request. */
export type RpcRequest =
  | { readonly op: 'propose'; readonly data: string }
  | { readonly op: 'readIndex' }
  | { readonly op: 'join'; readonly address: string }
  | { readonly op: 'conf'; readonly change: 'remove' | 'promote'; readonly address: string };
/** A META_RPC reply: a value, or an error code + message (and a leader hint). */
export type RpcReply = { readonly ok: true; readonly value?: unknown } | { readonly ok: false; readonly code: string; readonly message: string; readonly leader?: string };

/** Options of RaftLink. */
export interface RaftLinkOptions {
  readonly transport: Pick<Transport, 'dial'>;
  readonly serve: MuxServe;
  readonly logger: Logger;
  readonly onMessages: (messages: Message[]) => void;
  readonly onRpc: (req: RpcRequest) => Promise<RpcReply>;
  /** Per-call RPC timeout (default 5 s). */
  readonly rpcTimeoutMs?: number;
}

interface Peer {
  conn?: Conn;
  connecting: boolean;
  queue: Buffer[];
  failedAt: number;
}

const MAX_QUEUED_FRAMES = 256;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const REDIAL_MS = 100;

/**
 * Carries Raft messages and meta RPCs between members over the Transport: mux byte RAFT for messages
 * (one long-lived outbound connection per peer, frames = u32 length + JSON batch), META_RPC for
 * request/reply calls (one connection per call). Sending never blocks Raft: a peer that cannot be reached
 * or keeps up loses messages, which Raft retransmits. Kept in one file so the cluster port can change.
 */
export class RaftLink {
  private readonly peers = new Map<string, Peer>();
  private readonly inbound = new Set<Conn>();
  private stopped = false;

  constructor(private readonly opts: RaftLinkOptions) {}

  async start(): Promise<void> {
    await this.opts.serve(MuxByte.RAFT, (conn) => {
      this.track(conn);
      readFrames(conn, (batch) => {
        if (!this.stopped && Array.isArray(batch)) this.opts.onMessages(batch as Message[]);
      });
    });
    await this.opts.serve(MuxByte.META_RPC, (conn) => {
      this.track(conn);
      readFrames(conn, (req) => {
        void this.opts
          .onRpc(req as RpcRequest)
          .catch((err: unknown): RpcReply => errorReply(err))
          .then((reply) => {
            if (!conn.destroyed) conn.write(encodeFrame(reply));
          });
      });
    });
  }

  private track(conn: Conn): void {
    this.inbound.add(conn);
    conn.on('error', () => undefined);
    conn.on('close', () => this.inbound.delete(conn));
  }

  /** Sends messages (grouped per destination); drops what cannot go out now. */
  send(messages: readonly Message[]): void {
    if (this.stopped) return;
    const byPeer = new Map<string, Message[]>();
    for (const m of messages) {
      let list = byPeer.get(m.to);
      if (!list) byPeer.set(m.to, (list = []));
      list.push(m);
    }
    for (const [to, batch] of byPeer) this.write(to, encodeFrame(batch));
  }

  private write(to: string, frame: Buffer): void {
    let peer = this.peers.get(to);
    if (!peer) this.peers.set(to, (peer = { connecting: false, queue: [], failedAt: 0 }));
    const conn = peer.conn;
    if (conn && !conn.destroyed) {
      if (conn.writableLength < MAX_BUFFERED_BYTES) conn.write(frame);
      return;
    }
    if (peer.queue.length < MAX_QUEUED_FRAMES) peer.queue.push(frame);
    if (peer.connecting || Date.now() - peer.failedAt < REDIAL_MS) return;
    peer.connecting = true;
    void this.connect(peer, to);
  }

  // Never throws into Raft's loop: any dial failure (even a synchronous one) just drops the queue.
  private async connect(p: Peer, to: string): Promise<void> {
    let c: Conn;
    try {
      c = await this.opts.transport.dial(to, MuxByte.RAFT);
    } catch {
      p.connecting = false;
      p.failedAt = Date.now();
      p.queue = [];
      return;
    }
    p.connecting = false;
    if (this.stopped) {
      c.destroy();
      return;
    }
    p.conn = c;
    c.on('error', () => undefined);
    c.on('close', () => {
      if (p.conn === c) p.conn = undefined;
    });
    // Replies never come back on this connection; drain anything that does.
    c.resume();
    for (const f of p.queue.splice(0)) c.write(f);
  }

  /** One META_RPC call to `address`. Rejects with ERR_META_RPC_FAILED when no reply arrives. */
  async rpc(address: string, req: RpcRequest): Promise<RpcReply> {
    if (this.stopped) throw new TesseraError('ERR_SERVICE_STOPPED', 'meta link stopped');
    const timeoutMs = this.opts.rpcTimeoutMs ?? 5000;
    let conn: Conn;
    try {
      conn = await this.opts.transport.dial(address, MuxByte.META_RPC, { timeoutMs });
    } catch (err) {
      throw Object.assign(new TesseraError('ERR_META_RPC_FAILED', `meta request to ${address} failed: cannot connect`, { cause: err }), {
        sent: false,
      });
    }
    return await new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      const fail = (why: string): void => {
        clearTimeout(timer);
        conn.destroy();
        reject(Object.assign(new TesseraError('ERR_META_RPC_FAILED', `meta request to ${address} failed: ${why}`), { sent: true }));
      };
      conn.on('error', () => fail('connection error'));
      conn.on('close', () => fail('connection closed'));
      readFrames(conn, (reply) => {
        clearTimeout(timer);
        resolve(reply as RpcReply);
        conn.removeAllListeners('close');
        conn.end();
      });
      conn.write(encodeFrame(req));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.peers.values()) p.conn?.destroy();
    this.peers.clear();
    for (const c of this.inbound) c.destroy();
    this.inbound.clear();
  }
}

/** A TesseraError (or anything thrown) as an RPC reply. */
export function errorReply(err: unknown): RpcReply {
  const e = err as { code?: unknown; message?: unknown; leader?: unknown };
  return {
    ok: false,
    code: typeof e.code === 'string' ? e.code : 'ERR_META_RPC_FAILED',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.leader === 'string' ? { leader: e.leader } : {}),
  };
}

/**
 * A MuxServe that listens on `address` through the Transport itself (when no cluster port service is
 * available, e.g. in tests). Returns the serve function and a way to learn the bound address.
 */
export function transportMux(transport: Pick<Transport, 'listen'>, address: string): { serve: MuxServe; bound: () => string } {
  const handlers = new Map<number, (conn: Conn) => void>();
  let listening: Promise<string> | undefined;
  let boundAddress = '';
  return {
    serve: async (muxByte, handler) => {
      handlers.set(muxByte, handler);
      listening ??= transport
        .listen(address, (conn, byte) => {
          const h = handlers.get(byte);
          if (h) h(conn);
          else conn.destroy();
        })
        .then((b) => (boundAddress = b.address));
      await listening;
    },
    bound: () => boundAddress,
  };
}
