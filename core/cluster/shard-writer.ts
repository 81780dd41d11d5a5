import type { Duplex } from 'node:stream';
import type { ConnPool } from '../contracts/conn-pool.js';
import type { WriteShardResult } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import type { Point } from '../model/point.js';
import { decodeMessage, encodeWriteShardRequest, type WriteShardResponse } from './codec.js';
import { readFrames } from './framing.js';
import { remoteResponseError } from './remote-mapper.js';
import { MessageType } from './schema.js';

/** Options of the ShardWriter. */
export interface ShardWriterOptions {
  /**
   * InfluxDB's `shard-writer-timeout`: the deadline to get a pooled connection, the write deadline (the
   * request must be flushed to the connection) and then the read deadline (the response must arrive).
   */
  readonly timeoutMs: number;
  readonly maxFrameBytes?: number;
  /** Points per write-shard request; larger writes are split (default 50,000, far below the frame limit). */
  readonly maxPointsPerRequest?: number;
}

/** Default points per write-shard request. */
export const DEFAULT_MAX_POINTS_PER_REQUEST = 50_000;

/** Counters of the ShardWriter. */
export interface ShardWriterStats {
  requests: number;
  points: number;
  /** Requests that failed on the connection (deadline, closed, protocol error): the connection was discarded. */
  connectionFailures: number;
  /** Requests answered with an error response. */
  remoteErrors: number;
}

/**
 * Writes one shard's points to a remote owner over the cluster port (InfluxDB's ShardWriter): borrow a
 * pooled connection, send a write-shard request under a write deadline, read exactly one response
 * under a read deadline, give the connection back. A connection that misses a deadline, closes or
 * sends garbage is markUnusable'd; an error response leaves it usable.
 */
export class ShardWriter {
  readonly #pool: Pick<ConnPool, 'get'>;
  readonly #o: ShardWriterOptions;
  readonly #maxPoints: number;
  readonly stats: ShardWriterStats = { requests: 0, points: 0, connectionFailures: 0, remoteErrors: 0 };
  /**
   * The request frames built for a points array: the PointsWriter hands the same array to every remote
   * owner of a shard, so replicas share one encoding.
   */
  readonly #encoded = new WeakMap<readonly Point[], { shardId: number; frames: Buffer[] }>();

  constructor(pool: Pick<ConnPool, 'get'>, options: ShardWriterOptions) {
    if (!(options.timeoutMs > 0)) throw new TypeError('ShardWriter timeoutMs must be > 0');
    this.#pool = pool;
    this.#o = options;
    this.#maxPoints = options.maxPointsPerRequest ?? DEFAULT_MAX_POINTS_PER_REQUEST;
    if (!(this.#maxPoints >= 1)) throw new TypeError('ShardWriter maxPointsPerRequest must be >= 1');
  }

  /**
   * Writes `points` to shard `shardId` on node `ownerId`. Resolves with the points the owner dropped
   * (field type conflicts; the others were written). Rejects with ERR_CLUSTER_REMOTE `error code N:
   * message` for an error response (details.remoteErrorCode = the remote TesseraError code),
   * ERR_CLUSTER_TIMEOUT for a missed deadline, the pool's or transport's error otherwise. More than
   * `maxPointsPerRequest` points go as several requests, in order, on one connection (a failure part-way
   * leaves the earlier parts written, like any failed write). `points` is treated as immutable: a second
   * call with the same array and shard reuses its encoding.
   */
  async writeShard(shardId: number, ownerId: number, points: readonly Point[]): Promise<WriteShardResult> {
    this.stats.requests++;
    this.stats.points += points.length;
    let cached = this.#encoded.get(points);
    if (cached?.shardId !== shardId) {
      const frames: Buffer[] = [];
      for (let i = 0; i < points.length || i === 0; i += this.#maxPoints) {
        frames.push(encodeWriteShardRequest({ shardId, points: points.length <= this.#maxPoints ? points : points.slice(i, i + this.#maxPoints) }));
      }
      cached = { shardId, frames };
      this.#encoded.set(points, cached);
    }
    const pc = await this.#pool.get(ownerId, { timeoutMs: this.#o.timeoutMs });
    let dropped = 0;
    let reason: string | undefined;
    for (const request of cached.frames) {
      let response: WriteShardResponse;
      try {
        response = await requestResponse(pc.conn, request, this.#o.timeoutMs, this.#o.maxFrameBytes);
      } catch (err) {
        this.stats.connectionFailures++;
        pc.markUnusable();
        throw err;
      }
      if (response.code !== 0) {
        pc.release();
        this.stats.remoteErrors++;
        throw remoteResponseError(response);
      }
      if ((response.dropped ?? 0) > 0) {
        dropped += response.dropped!;
        reason ??= response.message;
      }
    }
    pc.release();
    return dropped > 0 ? { dropped, error: reason ?? 'points dropped' } : { dropped: 0 };
  }
}

/**
 * Sends `request` and reads one write-shard response: the write must complete within `timeoutMs`
 * (write deadline), then the response must arrive within `timeoutMs` (read deadline). Leaves the
 * connection paused on success.
 */
function requestResponse(conn: Duplex, request: Buffer, timeoutMs: number, maxFrameBytes: number | undefined): Promise<WriteShardResponse> {
  return new Promise<WriteShardResponse>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (err: Error | undefined, res?: WriteShardResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      if (err) reject(err);
      else resolve(res!);
    };
    const deadline = (what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(new TesseraError('ERR_CLUSTER_TIMEOUT', `${what} deadline of ${timeoutMs}ms exceeded`)), timeoutMs);
    };
    const stop = readFrames(conn, maxFrameBytes === undefined ? {} : { maxFrameBytes }, {
      onFrame: (frame) => {
        const m = decodeMessage(frame);
        if (m.type !== MessageType.WRITE_SHARD_RESPONSE) {
          throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', `unexpected message type ${m.type} in answer to a write-shard request`);
        }
        settle(undefined, m.body);
      },
      onError: (err) => settle(err),
      onEnd: () => settle(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed before the response')),
    });
    deadline('write');
    conn.write(request, (err) => {
      if (err) settle(new TesseraError('ERR_TRANSPORT_CLOSED', `write failed: ${err.message}`, { cause: err }));
      else if (!settled) deadline('read');
    });
  });
}
