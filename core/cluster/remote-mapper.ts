import type { ConnPool, PooledConn } from '../contracts/conn-pool.js';
import type { MapChunk, Mapper, MapRequest } from '../contracts/mapper.js';
import { hasCode, TesseraError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodeMessage, encodeMapShardRequest, type MapShardResponse } from './codec.js';
import { readFrames } from './framing.js';
import { MessageType } from './schema.js';

/** What a RemoteMapper needs. `owners` are tried in order until one answers. */
export interface RemoteMapperOptions {
  readonly pool: Pick<ConnPool, 'get'>;
  readonly shardId: number;
  readonly owners: readonly number[];
  readonly request: MapRequest;
  readonly chunkSize: number;
  /** Deadline for each response of the stream (the first one included), ms. */
  readonly chunkTimeoutMs: number;
  readonly maxFrameBytes?: number;
  readonly logger?: Logger;
  /** Told about each owner that failed before its first response, and the one that answered. */
  readonly onOwner?: (owner: number, ok: boolean) => void;
}

/**
 * Bytes of responses read ahead of the consumer before the connection is paused. The query executor
 * opens every shard's mapper before reading any, so a stream must not hold its pooled connection just
 * because its consumer has not started: a stream that fits in this budget is read to its end at once
 * and its connection goes back to the pool (a node with more shards than pooled connections would
 * otherwise starve the later mappers).
 */
export const MAP_READ_AHEAD_BYTES = 16 * 1024 * 1024;

/** The error a non-zero response stands for, worded as InfluxDB's client words it. */
export function remoteResponseError(res: { code: number; message: string; errorCode: string | null }): TesseraError {
  return new TesseraError('ERR_CLUSTER_REMOTE', `error code ${res.code}: ${res.message}`, {
    details: { remoteCode: res.code, remoteErrorCode: res.errorCode },
  });
}

/**
 * The map side of a query run on another node: sends a map-shard request over a pooled cluster
 * connection and hands out the streamed chunks. `open()` tries the owners in order and moves to the next
 * one while an owner fails before its first response (dial, pool, deadline, closed connection, error
 * response); after that, a failure fails the mapper with the node and shard in the message. Each
 * response must arrive within `chunkTimeoutMs` of being asked for (ERR_CLUSTER_TIMEOUT); other failures
 * are ERR_CLUSTER_REMOTE. The connection goes back to the pool as soon as the stream's last response
 * has arrived (responses are read ahead up to MAP_READ_AHEAD_BYTES); a stream closed before that, or
 * broken, is discarded (markUnusable).
 */
export class RemoteMapper implements Mapper {
  readonly #o: RemoteMapperOptions;
  readonly #log: Logger;
  #stream: ResponseStream | undefined;
  #first: MapShardResponse | undefined;
  #tagSets: string[] = [];
  #fields: string[] = [];
  #done = false;
  #node = 0;

  constructor(options: RemoteMapperOptions) {
    if (options.owners.length === 0) throw new TypeError('RemoteMapper needs at least one owner');
    this.#o = options;
    this.#log = options.logger ?? silentLogger();
  }

  /** The node whose stream this mapper reads, after open() (0 before). */
  get nodeId(): number {
    return this.#node;
  }

  async open(): Promise<void> {
    const failures: Error[] = [];
    for (const owner of this.#o.owners) {
      let stream: ResponseStream | undefined;
      try {
        const pc = await this.#o.pool.get(owner, { timeoutMs: this.#o.chunkTimeoutMs });
        stream = new ResponseStream(pc, this.#o.maxFrameBytes);
        stream.send(encodeMapShardRequest({ shardId: this.#o.shardId, request: this.#o.request, chunkSize: this.#o.chunkSize }));
        const first = await stream.next(this.#o.chunkTimeoutMs);
        if (first.code !== 0) {
          stream.finish();
          throw remoteResponseError(first);
        }
        this.#o.onOwner?.(owner, true);
        this.#stream = stream;
        this.#node = owner;
        this.#first = first;
        this.#tagSets = [...first.tagSets];
        this.#fields = [...first.fields];
        return;
      } catch (err) {
        stream?.abort();
        // An error answer means the node is up; only a node that could not answer counts as down.
        if (!(err instanceof TesseraError && err.details !== undefined && (err.details as { remoteCode?: number }).remoteCode !== undefined)) {
          this.#o.onOwner?.(owner, false);
        }
        const e = this.#wrap(err, owner);
        this.#log.warn({ shard: this.#o.shardId, owner, err: e }, 'remote map failed before its first chunk; trying the next owner');
        failures.push(e);
      }
    }
    this.#done = true;
    if (failures.length === 1) throw failures[0]!;
    throw new TesseraError(
      'ERR_CLUSTER_REMOTE',
      `map shard ${this.#o.shardId}: no owner answered (${failures.map((f) => f.message).join('; ')})`,
      { cause: failures[0] },
    );
  }

  tagSets(): string[] {
    return this.#tagSets;
  }

  fields(): string[] {
    return this.#fields;
  }

  async nextChunk(): Promise<MapChunk | null> {
    if (this.#first) {
      const first = this.#first;
      this.#first = undefined;
      if (first.chunk === null) this.#finish();
      return first.chunk;
    }
    const stream = this.#stream;
    if (this.#done || !stream) return null;
    let res: MapShardResponse;
    try {
      res = await stream.next(this.#o.chunkTimeoutMs);
    } catch (err) {
      this.#done = true;
      stream.abort();
      throw this.#wrap(err, this.#node);
    }
    if (res.code !== 0) {
      this.#finish();
      throw remoteResponseError(res);
    }
    if (res.chunk === null) this.#finish();
    return res.chunk;
  }

  /**
   * Ends the mapper. The connection went back to the pool when the stream's last response arrived; a
   * stream closed before that is discarded (markUnusable: responses may still be in flight).
   */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#stream?.abort();
  }

  #finish(): void {
    this.#done = true;
    this.#stream?.abort(); // a no-op when the last response already gave the connection back
  }

  #wrap(err: unknown, owner: number): TesseraError {
    const message = `map shard ${this.#o.shardId} on node ${owner}: ${err instanceof Error ? err.message : String(err)}`;
    const code = hasCode(err, 'ERR_CLUSTER_TIMEOUT') ? 'ERR_CLUSTER_TIMEOUT' : 'ERR_CLUSTER_REMOTE';
    const details = err instanceof TesseraError ? err.details : undefined;
    return new TesseraError(code, message, { cause: err, ...(details === undefined ? {} : { details }) });
  }
}

/**
 * Map-shard responses read from one borrowed connection, with a deadline per response. Reads ahead up
 * to MAP_READ_AHEAD_BYTES; the response that ends the stream (no chunk, or an error) gives the
 * connection back to the pool at once, whatever the consumer has read.
 */
class ResponseStream {
  readonly #pc: PooledConn;
  readonly #queue: { res: MapShardResponse; bytes: number }[] = [];
  readonly #stop: () => void;
  #queuedBytes = 0;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #returned = false;

  constructor(pc: PooledConn, maxFrameBytes: number | undefined) {
    this.#pc = pc;
    this.#stop = readFrames(pc.conn, maxFrameBytes === undefined ? {} : { maxFrameBytes }, {
      onFrame: (frame) => {
        const m = decodeMessage(frame); // a throw here closes the connection and reaches onError
        if (m.type !== MessageType.MAP_SHARD_RESPONSE) {
          throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', `unexpected message type ${m.type} in a map stream`);
        }
        this.#queue.push({ res: m.body, bytes: frame.body.length });
        this.#queuedBytes += frame.body.length;
        if (m.body.chunk === null || m.body.code !== 0) this.#giveBack(true);
        else if (this.#queuedBytes >= MAP_READ_AHEAD_BYTES) pc.conn.pause();
        this.#wake?.();
      },
      onError: (err) => {
        this.#error = err;
        this.#wake?.();
      },
      onEnd: () => {
        this.#error = new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed by the remote node');
        this.#wake?.();
      },
    });
  }

  send(frame: Buffer): void {
    this.#pc.conn.write(frame, (err) => {
      if (err && !this.#error) {
        this.#error = new TesseraError('ERR_TRANSPORT_CLOSED', `write failed: ${err.message}`, { cause: err });
        this.#wake?.();
      }
    });
  }

  /** The next response, within `timeoutMs`. */
  next(timeoutMs: number): Promise<MapShardResponse> {
    return new Promise<MapShardResponse>((resolve, reject) => {
      const attempt = (): boolean => {
        const r = this.#queue.shift();
        if (r !== undefined) {
          this.#queuedBytes -= r.bytes;
          if (!this.#returned && this.#queuedBytes < MAP_READ_AHEAD_BYTES && this.#pc.conn.isPaused()) this.#pc.conn.resume();
          resolve(r.res);
          return true;
        }
        if (this.#error) {
          reject(this.#error);
          return true;
        }
        return false;
      };
      if (attempt()) return;
      const timer = setTimeout(() => {
        this.#wake = undefined;
        reject(new TesseraError('ERR_CLUSTER_TIMEOUT', `no response within ${timeoutMs}ms`));
      }, timeoutMs);
      this.#wake = () => {
        if (attempt()) {
          clearTimeout(timer);
          this.#wake = undefined;
        }
      };
    });
  }

  /** The stream ended cleanly: the connection goes back to the pool. */
  finish(): void {
    this.#giveBack(true);
  }

  /** The stream broke or was abandoned: the connection is discarded (a no-op once given back). */
  abort(): void {
    this.#giveBack(false);
  }

  #giveBack(reusable: boolean): void {
    if (this.#returned) return;
    this.#returned = true;
    this.#stop();
    if (reusable) this.#pc.release();
    else this.#pc.markUnusable();
  }
}
