/**
 * Request IDs as InfluxDB 1.x sets them on every response (`Request-Id` and `X-Request-Id`): the
 * client's own when it sent one, else a fresh time-based (version 1) UUID.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 100 ns intervals between 1582-10-15 (the UUID epoch) and 1970-01-01. */
const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n;
const node = randomBytes(6);
node[0] = node[0]! | 0x01; // multicast bit: a random node id, not a MAC address
const nodeHex = node.toString('hex');
const clockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff;
let lastTicks = 0n;

/** A new version 1 UUID (time-based, random node id). */
export function timeUuid(): string {
  let ticks = BigInt(Date.now()) * 10_000n + UUID_EPOCH_OFFSET;
  if (ticks <= lastTicks) ticks = lastTicks + 1n; // many per millisecond: keep them distinct and ordered
  lastTicks = ticks;
  const low = Number(ticks & 0xffff_ffffn);
  const mid = Number((ticks >> 32n) & 0xffffn);
  const hi = Number((ticks >> 48n) & 0x0fffn) | 0x1000;
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return `${hex(low, 8)}-${hex(mid, 4)}-${hex(hi, 4)}-${hex(clockSeq | 0x8000, 4)}-${nodeHex}`;
}

/** The request's own ID (`X-Request-Id`, else `Request-Id`, as InfluxDB reads them), or a new one. */
export function requestId(req: IncomingMessage): string {
  const own = req.headers['x-request-id'] || req.headers['request-id'];
  const id = Array.isArray(own) ? own[0] : own;
  return id !== undefined && id !== '' ? id : timeUuid();
}
