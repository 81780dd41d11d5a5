/**
 * String block codec: each value as varint byte length + UTF-8 bytes, the whole run deflated
 * (node:zlib raw deflate) when that is smaller. First byte: 0 plain, 1 deflated.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Encodes values[start..start+n). */
export function encodeStrings(values: readonly string[], start: number, n: number): Uint8Array {
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(values[start + i]!, 'utf8');
    const len = varint(b.length);
    parts.push(len, b);
    size += len.length + b.length;
  }
  const plain = Buffer.concat(parts, size);
  const packed = deflateRawSync(plain);
  if (packed.length < plain.length) return Buffer.concat([Buffer.from([1]), packed]);
  return Buffer.concat([Buffer.from([0]), plain]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** Decodes `n` strings. */
export function decodeStrings(buf: Uint8Array, n: number): string[] {
  const body = Buffer.from(buf.buffer, buf.byteOffset + 1, buf.length - 1);
  const plain = buf[0] === 1 ? inflateRawSync(body) : body;
  const out = new Array<string>(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let len = 0;
    let mul = 1;
    for (;;) {
      const b = plain[pos++];
      if (b === undefined) throw new RangeError('truncated string block');
      len += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    if (pos + len > plain.length) throw new RangeError('truncated string block');
    out[i] = plain.toString('utf8', pos, pos + len);
    pos += len;
  }
  return out;
}
