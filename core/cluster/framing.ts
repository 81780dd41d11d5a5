import type { Duplex } from 'node:stream';
import { TesseraError } from '../errors.js';

/**
 * Cluster-port frames: `type (1 byte) | length (uint32 big-endian) | body (length bytes)`.
 * A length of 0 is invalid (every message has a body), and so is one above the reader's maximum;
 * either error poisons the reader and the connection must be closed.
 */
export const FRAME_HEADER_BYTES = 5;

/** Default largest body a reader accepts (InfluxDB allowed 1 GiB; a write batch is far below this). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Largest body a frame header can describe. */
export const MAX_FRAME_LENGTH = 0xffff_ffff;

/** One complete frame. `body` may be a view into a received chunk: copy it if you keep it past the call. */
export interface Frame {
  readonly type: number;
  readonly body: Buffer;
}

/** Builds a frame (header and body in one Buffer). Throws a TypeError on a bad type or an empty body. */
export function encodeFrame(type: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  writeFrameHeader(out, type, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/** Writes a frame header into `target` at offset 0 (for callers that writev header and body). */
export function writeFrameHeader(target: Buffer, type: number, length: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 255) throw new TypeError(`invalid frame type ${type}`);
  if (!Number.isInteger(length) || length < 1 || length > MAX_FRAME_LENGTH) throw new TypeError(`invalid frame length ${length}`);
  target[0] = type;
  target.writeUInt32BE(length, 1);
}

/**
 * Incremental frame parser over a byte stream: feed it chunks as they arrive, in any sizes. It buffers at
 * most one frame (header + declared length, bounded by `maxFrameBytes`, checked before any body byte is
 * kept), never throws, and after an error returns that same error for every later push.
 */
export class FrameReader {
  private readonly maxFrameBytes: number;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private bodyLength = -1;
  private parts: Buffer[] = [];
  private partsFill = 0;
  private failed: TesseraError | undefined;

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** True while a frame has started but is not complete (used for per-frame deadlines). */
  get midFrame(): boolean {
    return this.headerFill > 0 || this.bodyLength >= 0;
  }

  /** Bytes currently held for the incomplete frame. */
  get bufferedBytes(): number {
    return this.headerFill + this.partsFill;
  }

  /** The error that poisoned this reader, if any. */
  get error(): TesseraError | undefined {
    return this.failed;
  }

  /**
   * Consumes `chunk`, calling `onFrame` for each complete frame in order. Returns the protocol error that
   * stopped parsing (ERR_CLUSTER_FRAME_INVALID: zero length, oversized), or undefined.
   */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): TesseraError | undefined {
    if (this.failed) return this.failed;
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.bodyLength < 0) {
        // Fast path: a whole header in this chunk and nothing partial before it.
        if (this.headerFill === 0 && end - pos >= FRAME_HEADER_BYTES) {
          const type = chunk[pos]!;
          const length = chunk.readUInt32BE(pos + 1);
          pos += FRAME_HEADER_BYTES;
          const err = this.checkLength(length);
          if (err) return err;
          if (end - pos >= length) {
            onFrame({ type, body: chunk.subarray(pos, pos + length) });
            pos += length;
            continue;
          }
          this.header[0] = type;
          this.bodyLength = length;
          continue;
        }
        const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, end - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        const length = this.header.readUInt32BE(1);
        const err = this.checkLength(length);
        if (err) return err;
        this.headerFill = 0;
        this.bodyLength = length;
        continue;
      }
      const need = this.bodyLength - this.partsFill;
      const n = Math.min(need, end - pos);
      this.parts.push(chunk.subarray(pos, pos + n));
      this.partsFill += n;
      pos += n;
      if (this.partsFill === this.bodyLength) {
        const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bodyLength);
        const type = this.header[0]!;
        this.parts = [];
        this.partsFill = 0;
        this.bodyLength = -1;
        onFrame({ type, body });
      }
    }
    return undefined;
  }

  private checkLength(length: number): TesseraError | undefined {
    if (length === 0) return this.fail('invalid message size: 0', 'zero-length');
    if (length > this.maxFrameBytes)
      return this.fail(`max message size of ${this.maxFrameBytes} exceeded: ${length}`, 'too-large');
    return undefined;
  }

  private fail(message: string, reason: string): TesseraError {
    this.parts = [];
    this.partsFill = 0;
    this.headerFill = 0;
    this.bodyLength = -1;
    this.failed = new TesseraError('ERR_CLUSTER_FRAME_INVALID', message, { details: { reason } });
    return this.failed;
  }
}

/** Handlers of `readFrames`. */
export interface FrameHandlers {
  /** Called for each frame; a throw closes the connection and is reported to onError. */
  onFrame(frame: Frame): void;
  /** Protocol error, frame deadline, handler failure or socket error; the connection is already destroyed. */
  onError?(err: Error): void;
  /** The peer closed the stream between frames (clean end). */
  onEnd?(): void;
}

/**
 * Reads frames from a connection: per-frame deadline (a started frame must complete within
 * `frameTimeoutMs`, ERR_CLUSTER_TIMEOUT), malformed or oversized frames destroy the connection. Returns
 * a function that detaches the reader, leaving the connection open and paused (bytes of a partial frame
 * already read are dropped: detach between request/response exchanges).
 */
export function readFrames(
  conn: Duplex,
  options: { maxFrameBytes?: number; frameTimeoutMs?: number },
  handlers: FrameHandlers,
): () => void {
  const reader = new FrameReader(options);
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = (err?: Error): void => {
    if (done) return;
    done = true;
    detach();
    if (err) {
      conn.destroy();
      handlers.onError?.(err);
    }
  };
  const armDeadline = (): void => {
    if (!options.frameTimeoutMs) return;
    if (reader.midFrame) {
      if (!timer)
        timer = setTimeout(
          () => finish(new TesseraError('ERR_CLUSTER_TIMEOUT', `frame not completed within ${options.frameTimeoutMs}ms`)),
          options.frameTimeoutMs,
        );
    } else if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  const onFrame = (frame: Frame): void => {
    if (done) return;
    // A completed frame restarts the deadline for the next one.
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    handlers.onFrame(frame);
  };
  const onData = (chunk: Buffer): void => {
    try {
      const err = reader.push(chunk, onFrame);
      if (err) return finish(err);
    } catch (err) {
      return finish(err instanceof Error ? err : new Error(String(err)));
    }
    if (!done) armDeadline();
  };
  const onEnd = (): void => {
    if (reader.midFrame) finish(new TesseraError('ERR_CLUSTER_FRAME_INVALID', 'connection ended mid-frame', { details: { reason: 'truncated' } }));
    else {
      finish();
      handlers.onEnd?.();
    }
  };
  const onError = (err: Error): void => finish(err);
  const onClose = (): void => {
    if (!done) finish(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed'));
  };
  function detach(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    conn.removeListener('data', onData);
    conn.removeListener('end', onEnd);
    conn.removeListener('error', onError);
    conn.removeListener('close', onClose);
  }
  conn.on('data', onData);
  conn.on('end', onEnd);
  conn.on('error', onError);
  conn.on('close', onClose);
  // Explicit: a connection paused by an earlier reader (see detach) does not resume on a new 'data' listener.
  conn.resume();
  return () => {
    done = true;
    detach();
    conn.pause();
  };
}

/**
 * One request/response exchange on a connection: writes `request` (a complete frame), then hands each
 * response frame to `onFrame` until it returns true (write-shard: the first frame; map-shard: the frame
 * with no chunk). Rejects on timeout (ERR_CLUSTER_TIMEOUT, the deadline covers the whole exchange, as
 * InfluxDB's shard-writer timeout), on a protocol error, or when the connection fails or closes; then the
 * connection must not be reused (markUnusable). On success the connection is left open and paused,
 * ready to be released to its pool.
 */
export function exchange(
  conn: Duplex,
  request: Buffer,
  options: { timeoutMs: number; maxFrameBytes?: number },
  onFrame: (frame: Frame) => boolean,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => settle(new TesseraError('ERR_CLUSTER_TIMEOUT', `no response within ${options.timeoutMs}ms`)),
      options.timeoutMs,
    );
    const stop = readFrames(conn, { maxFrameBytes: options.maxFrameBytes }, {
      onFrame: (frame) => {
        if (!settled && onFrame(frame)) settle();
      },
      onError: (err) => settle(err),
      onEnd: () => settle(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed before the response')),
    });
    conn.write(request, (err) => {
      if (err) settle(new TesseraError('ERR_TRANSPORT_CLOSED', `write failed: ${err.message}`, { cause: err }));
    });
  });
}
