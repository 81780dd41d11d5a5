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
