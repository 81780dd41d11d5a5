import type { Mapper, MapRequest } from '../contracts/mapper.js';
import type { MetaStore } from '../contracts/meta-store.js';
import { type Conn, MuxByte } from '../contracts/transport.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { findShardLocation } from '../meta/meta-data.js';
import { createToken } from '../tokens.js';
import type { ClusterMux } from './cluster-mux.js';
import {
  type ClusterMessage,
  decodeMessage,
  encodeMapShardResponse,
  encodeWriteShardResponse,
  errorResult,
  type MapShardRequest,
  OK,
  type WriteShardRequest,
  type WriteShardResponse,
} from './codec.js';
import { readFrames } from './framing.js';
import { HANDSHAKE_MAGIC, serverHandshake } from './handshake.js';
import { MessageType } from './schema.js';

/** What the cluster service needs from the TSDBStore. */
export type ClusterServiceStore = Pick<TSDBStore, 'shardInfo' | 'createShard' | 'writeToShard'>;
/** What the cluster service needs from the MetaStore. */
export type ClusterServiceMeta = Pick<MetaStore, 'data'> & Partial<Pick<MetaStore, 'sync'>>;
/** Opens this node's mapper of a shard (ShardMapper.localMapper); throws when the shard is not here. */
export type LocalMapperFactory = (shardId: number, request: MapRequest, chunkSize: number) => Mapper;

/** Dependencies and settings of the cluster service. */
export interface ClusterServiceOptions {
  readonly mux: Pick<ClusterMux, 'handle'>;
  readonly store: ClusterServiceStore;
  readonly meta: ClusterServiceMeta;
  readonly openMapper: LocalMapperFactory;
  readonly logger: Logger;
  /** Cluster secret: when set, every connection must pass the authenticated handshake first. */
  readonly secret?: string;
  /** Deadline of the handshake (default 5 s). */
  readonly handshakeTimeoutMs?: number;
  /** A started frame must complete within this (default 30 s, InfluxDB's mux timeout). */
  readonly frameTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  /** How long stop() waits for requests in progress (default 5 s). */
  readonly drainTimeoutMs?: number;
}

/** Counters, named as InfluxDB names them where it had one. */
export interface ClusterServiceStats {
  connections: number;
  writeShardReq: number;
  writeShardPointsReq: number;
  writeShardFail: number;
  /** Write requests for a shard whose group is deleted or unknown: answered with success, points dropped. */
  writeShardDropped: number;
  mapShardReq: number;
  mapShardResp: number;
  mapShardFail: number;
  /** Connections closed for a malformed, oversized or unexpected frame, an unknown type or a frame deadline. */
  badConnections: number;
  handshakeFailures: number;
}

/** Requests decoded but not yet processed on one connection before it stops reading. */
const MAX_PIPELINE = 8;

/**
 * The node side of the cluster port (mux byte 2): write-shard and map-shard requests, processed in
 * order per connection, on long-lived connections that peers pool.
 * - write-shard gets exactly one response: success, success with `dropped` (field type conflicts; the
 *   message carries the reason), or code 1 `write shard <id>: <error>`. A shard meta knows but this node
 *   has not created yet is created; a shard whose group is deleted or unknown is dropped with success.
 * - map-shard opens this node's mapper and streams responses: the first carries tag sets and fields, the
 *   last has no chunk; an error (before or mid-stream) is one response with code 1 and ends the stream.
 * - an unknown or unexpected message type, a malformed or oversized frame, or a frame that does not
 *   complete in time closes the connection (counted in `badConnections`); nothing a peer sends crashes
 *   the node. With a secret set, the handshake must come first; without one, a peer may still run it.
 */
export class ClusterService implements Service {
  readonly #o: ClusterServiceOptions;
  readonly #log: Logger;
  readonly #conns = new Set<Conn>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #creating = new Map<number, Promise<void>>();
  #registered = false;
  #stopped = false;
  readonly stats: ClusterServiceStats = {
    connections: 0,
    writeShardReq: 0,
    writeShardPointsReq: 0,
    writeShardFail: 0,
    writeShardDropped: 0,
    mapShardReq: 0,
    mapShardResp: 0,
    mapShardFail: 0,
    badConnections: 0,
    handshakeFailures: 0,
  };

  constructor(options: ClusterServiceOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  /** Registers on the cluster port (mux byte 2). Idempotent. */
  async start(): Promise<void> {
    this.#stopped = false;
    if (this.#registered) return;
    this.#registered = true;
    this.#o.mux.handle(MuxByte.CLUSTER, (conn) => this.#accept(conn));
  }

  /**
   * Refuses new connections, lets requests in progress finish (up to `drainTimeoutMs`, default 5 s: a map
   * stream whose reader stalls must not hold the node), then closes every connection.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const deadline = Date.now() + (this.#o.drainTimeoutMs ?? 5000);
    while (this.#inflight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))));
      await Promise.race([Promise.allSettled([...this.#inflight]), limit]);
      clearTimeout(timer);
    }
    for (const c of this.#conns) c.destroy();
    this.#conns.clear();
  }

  #accept(conn: Conn): void {
    if (this.#stopped) {
      conn.destroy();
      return;
    }
    this.stats.connections++;
    this.#conns.add(conn);
    conn.on('error', () => undefined); // every failure also closes; reported where it matters
    conn.once('close', () => this.#conns.delete(conn));
    if (this.#o.secret) {
      this.#handshake(conn);
      return;
    }
    // Without a secret the handshake is optional: a frame starts with a message type byte (1..4), the
    // handshake with its magic, so the first byte tells them apart.
    const peek = (): void => {
      const b = conn.read(1) as Buffer | null;
      if (b === null) return;
      conn.removeListener('readable', peek);
      conn.unshift(b);
      if (b[0] === HANDSHAKE_MAGIC[0]) this.#handshake(conn);
      else this.#serve(conn);
    };
    conn.on('readable', peek);
    peek();
  }

  #handshake(conn: Conn): void {
    serverHandshake(conn, { secret: this.#o.secret ?? '', timeoutMs: this.#o.handshakeTimeoutMs ?? 5000 }).then(
      () => this.#serve(conn),
      (err: unknown) => {
        this.stats.handshakeFailures++;
        this.#log.warn({ err }, 'cluster handshake failed');
      },
    );
  }

  #serve(conn: Conn): void {
    const queue: ClusterMessage[] = [];
    let busy = false;
    let closed = false;
    /** The peer half-closed: answer what it sent, then end our side. */
    let ending = false;
    const fail = (err: Error): void => {
      if (closed) return;
      closed = true;
      this.stats.badConnections++;
      this.#log.warn({ err }, 'cluster connection closed');
      conn.destroy();
    };
    const pump = (): void => {
      if (busy || closed) return;
      const m = queue.shift();
      if (m === undefined) {
        if (ending) {
          closed = true;
          conn.end();
        }
        return;
      }
      if (queue.length < MAX_PIPELINE && conn.isPaused()) conn.resume();
      busy = true;
      const p = this.#process(conn, m).then(
        () => {
          busy = false;
          this.#inflight.delete(p);
          pump();
        },
        (err: unknown) => {
          busy = false;
          this.#inflight.delete(p);
          if (conn.destroyed) closed = true; // the peer went away mid-answer
          else fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
      this.#inflight.add(p);
    };
    readFrames(
      conn,
      {
        frameTimeoutMs: this.#o.frameTimeoutMs ?? 30_000,
        ...(this.#o.maxFrameBytes === undefined ? {} : { maxFrameBytes: this.#o.maxFrameBytes }),
      },
      {
        onFrame: (frame) => {
          // Decoded at once: the body may be a view into a chunk reused after this call.
          const m = decodeMessage(frame);
          if (m.type !== MessageType.WRITE_SHARD_REQUEST && m.type !== MessageType.MAP_SHARD_REQUEST) {
            throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', `unexpected message type ${m.type} on the cluster service`);
          }
          queue.push(m);
          if (queue.length >= MAX_PIPELINE) conn.pause();
          pump();
        },
        onError: (err) => {
          // A peer that went away (closed, reset) is not a protocol problem.
          const code = (err as TesseraError).code;
          if (code === 'ERR_CLUSTER_FRAME_INVALID' || code === 'ERR_CLUSTER_TIMEOUT') fail(err);
          else closed = true;
        },
        onEnd: () => {
          ending = true;
          pump();
        },
      },
    );
  }

  async #process(conn: Conn, m: ClusterMessage): Promise<void> {
    if (m.type === MessageType.WRITE_SHARD_REQUEST) {
      const res = await this.#writeShard(m.body);
      await send(conn, encodeWriteShardResponse(res));
    } else if (m.type === MessageType.MAP_SHARD_REQUEST) {
      await this.#mapShard(conn, m.body);
    }
  }

  async #writeShard(req: WriteShardRequest): Promise<WriteShardResponse> {
    const { shardId, points } = req;
    this.stats.writeShardReq++;
    this.stats.writeShardPointsReq += points.length;
    const store = this.#o.store;
    try {
      if (store.shardInfo(shardId) === undefined) {
        // Known to meta but not created here yet (the writer created its group a moment ago), or gone.
        const meta = this.#o.meta;
        let loc = findShardLocation(meta.data(), shardId);
        if (loc === undefined && shardId > meta.data().maxShardId && meta.sync) {
          // Newer than anything this node has applied: its group was committed before the writer sent
          // this, so a linearizable read finds it. Never drop an acknowledged write for a lagging replica.
          await meta.sync();
          loc = findShardLocation(meta.data(), shardId);
        }
        if (loc === undefined && shardId > meta.data().maxShardId) {
          throw new TesseraError('ERR_TSDB_SHARD_NOT_FOUND', `shard ${shardId} is not in this node's meta data yet`);
        }
        if (loc === undefined) {
          this.stats.writeShardDropped++;
          this.#log.info({ shard: shardId, points: points.length }, 'drop write request: shard group does not exist or was deleted');
          return OK;
        }
        await this.#ensureShard(loc.database, loc.retentionPolicy, shardId);
      }
      const r = await store.writeToShard(shardId, points);
      if (r.dropped > 0) return { ...OK, message: r.error ?? 'points dropped', dropped: r.dropped };
      return OK;
    } catch (err) {
      this.stats.writeShardFail++;
      const base = errorResult(err);
      return { ...base, message: `write shard ${shardId}: ${base.message}` };
    }
  }

  #ensureShard(db: string, rp: string, shardId: number): Promise<void> {
    let p = this.#creating.get(shardId);
    if (!p) {
      p = this.#o.store.createShard(db, rp, shardId).finally(() => this.#creating.delete(shardId));
      this.#creating.set(shardId, p);
    }
    return p;
  }

  async #mapShard(conn: Conn, req: MapShardRequest): Promise<void> {
    this.stats.mapShardReq++;
    let mapper: Mapper | undefined;
    try {
      mapper = this.#o.openMapper(req.shardId, req.request, req.chunkSize);
      await mapper.open();
      let first = true;
      for (;;) {
        if (conn.destroyed) return;
        const chunk = await mapper.nextChunk();
        const head = first ? { tagSets: mapper.tagSets(), fields: mapper.fields() } : { tagSets: [], fields: [] };
        first = false;
        await send(conn, encodeMapShardResponse({ ...OK, ...head, chunk }));
        this.stats.mapShardResp++;
        if (chunk === null) return;
      }
    } catch (err) {
      if (conn.destroyed) return;
      this.stats.mapShardFail++;
      this.#log.warn({ err, shard: req.shardId }, 'map shard failed');
      await send(conn, encodeMapShardResponse({ ...errorResult(err), tagSets: [], fields: [], chunk: null }));
    } finally {
      await mapper?.close().catch((err: unknown) => this.#log.warn({ err, shard: req.shardId }, 'mapper close failed'));
    }
  }
}

/** Writes a frame, waiting for the connection to drain when its buffer is full; rejects when it closes. */
function send(conn: Conn, frame: Buffer): Promise<void> {
  if (conn.destroyed) return Promise.reject(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed'));
  if (conn.write(frame)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      conn.removeListener('drain', onDrain);
      conn.removeListener('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed'));
    conn.on('drain', onDrain);
    conn.on('close', onClose);
  });
}

/** The ClusterService token (core service). */
export const ClusterServiceToken = createToken<ClusterService>('tessera.core.ClusterService');
