import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

/** Thrown when a request body exceeds the limit (answered 413). */
export class BodyTooLargeError extends Error {
  constructor() {
    super('http: request body too large');
  }
}

/**
 * Reads a request body up to `maxBytes` (0 = no limit), gunzipping it when Content-Encoding is gzip (the
 * limit applies to the decompressed size, so a small gzip bomb is refused too).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = (req.headers['content-encoding'] ?? '').toLowerCase().includes('gzip');
    const length = Number(req.headers['content-length'] ?? Number.NaN);
    if (!gzip && maxBytes > 0 && length > maxBytes) {
      req.resume();
      reject(new BodyTooLargeError());
      return;
    }
    const source = gzip ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume();
      reject(err);
    };
    source.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (maxBytes > 0 && total > maxBytes) {
        fail(new BodyTooLargeError());
        if (gzip) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    source.on('error', (err: Error) => fail(err));
    req.on('error', (err: Error) => fail(err));
  });
}

const POOLED_ROUNDING = 64 * 1024;

/**
 * Reusable buffers for request bodies that are dead once handled (a /write body: the parser copies what
 * it keeps into strings and numbers), so a steady write load does not allocate (and later collect) a
 * new buffer of every body's size. Holds at most `maxFree` idle buffers of at most `maxBytes` each.
 */
export class BodyBuffers {
  readonly #free: Buffer[] = [];

  constructor(
    private readonly maxFree = 4,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** A buffer of at least `size` bytes, pooled or new; give it back with {@link give}. */
  take(size: number): Buffer {
    const free = this.#free;
    for (let i = 0; i < free.length; i++) {
      const b = free[i]!;
      if (b.length >= size) {
        free.splice(i, 1);
        return b;
      }
    }
    return Buffer.allocUnsafeSlow(size <= this.maxBytes ? Math.ceil(size / POOLED_ROUNDING) * POOLED_ROUNDING || POOLED_ROUNDING : size);
  }

  /** Returns a buffer from {@link take} (nothing may use it afterwards). */
  give(buf: Buffer): void {
    if (buf.length > this.maxBytes) return;
    const free = this.#free;
    if (free.length < this.maxFree) {
      free.push(buf);
      return;
    }
    // keep the largest ones: they fit every smaller body
    let smallest = 0;
    for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
    if (free[smallest]!.length < buf.length) free[smallest] = buf;
  }
}

/** A body read into a pooled buffer: `release()` once nothing reads `body` any more. */
export interface PooledBody {
  readonly body: Buffer;
  release(): void;
}

const noRelease = (): void => {};

/**
 * {@link readBody} into a buffer from `pool` when the size is known up front (Content-Length, no gzip):
 * the chunks are copied straight into it (no concatenation); otherwise as readBody.
 */
export function readPooledBody(req: IncomingMessage, maxBytes: number, pool: BodyBuffers): Promise<PooledBody> {
  const gzip = (req.headers['content-encoding'] ?? '').toLowerCase().includes('gzip');
  const length = Number(req.headers['content-length'] ?? Number.NaN);
  if (gzip || !Number.isSafeInteger(length) || length <= 0 || (maxBytes > 0 && length > maxBytes)) {
    return readBody(req, maxBytes).then((body) => ({ body, release: noRelease }));
  }
  return new Promise((resolve, reject) => {
    const target = pool.take(length);
    let total = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      pool.give(target);
      req.resume();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      // the HTTP parser stops a body at its Content-Length; this is only a guard
      if (total + chunk.length > length) {
        fail(new BodyTooLargeError());
        return;
      }
      chunk.copy(target, total);
      total += chunk.length;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ body: target.subarray(0, total), release: () => pool.give(target) });
    });
    req.on('error', (err: Error) => fail(err));
  });
}
