import type { Conn } from '../../../core/contracts/transport.js';

/** Frames larger than this close the connection (a meta snapshot is far smaller). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Encodes a value as one frame: u32 BE length + UTF-8 JSON. */
export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * Calls `onFrame` with each decoded frame read from `conn`, in order. A frame that is too large or not
 * JSON destroys the connection (a partial frame is never delivered).
 */
export function readFrames(conn: Conn, onFrame: (value: unknown) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  conn.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES) {
        conn.destroy();
        return;
      }
      if (buf.length < 4 + len) break;
      let value: unknown;
      try {
        value = JSON.parse(buf.subarray(4, 4 + len).toString('utf8'));
      } catch {
        conn.destroy();
        return;
      }
      buf = buf.subarray(4 + len);
      onFrame(value);
    }
  });
}
