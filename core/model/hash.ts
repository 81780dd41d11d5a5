/**
 * FNV-1a 64-bit over the UTF-8 bytes of `text`, as Go's hash/fnv New64a (InfluxDB's point.HashID()).
 * Computed on two 32-bit halves to avoid BigInt arithmetic per byte; returns an unsigned 64-bit bigint.
 */
export function fnv1a64(text: string | Uint8Array): bigint {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64
    const loMul = lo * 0x1b3;
    const newLo = loMul >>> 0;
    const carry = Math.floor(loMul / 0x100000000);
    const newHi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    hi = newHi;
    lo = newLo;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Index of the shard for a series key among `shardCount` shards: fnv1a64(key) mod shardCount. */
export function shardIndexFor(key: string, shardCount: number): number {
  if (shardCount === 1) return 0;
  return Number(fnv1a64(key) % BigInt(shardCount));
}
