// FNV-1a 64 on two 32-bit halves (no BigInt per byte). ASCII strings are hashed from their char codes
// directly; other strings through their UTF-8 bytes.

const hashOut = new Uint32Array(2);

/** FNV-1a 64 of the bytes (or of the ASCII string, -1 when it is not ASCII) into hashOut [hi, lo]. */
function hashInto(text: string | Uint8Array): boolean {
  // (hi:lo) ^= b, then (hi:lo) *= 2^40 + 0x1b3 (mod 2^64)
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const ascii = typeof text === 'string';
  for (let i = 0; i < text.length; i++) {
    const b = ascii ? text.charCodeAt(i) : text[i]!;
    if (b > 0x7f && ascii) return false;
    lo = (lo ^ b) >>> 0;
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = loMul >>> 0;
  }
  hashOut[0] = hi;
  hashOut[1] = lo;
  return true;
}

function hash(text: string | Uint8Array): void {
  if (!hashInto(text)) hashInto(Buffer.from(text as string, 'utf8'));
}

/**
 * FNV-1a 64-bit over the UTF-8 bytes of `text`, as Go's hash/fnv New64a (InfluxDB's point.HashID()).
 * Computed on two 32-bit halves to avoid BigInt arithmetic per byte; returns an unsigned 64-bit bigint.
 */
export function fnv1a64(text: string | Uint8Array): bigint {
  hash(text);
  return (BigInt(hashOut[0]!) << 32n) | BigInt(hashOut[1]!);
}

/**
 * Index of the shard for a series key among `shardCount` shards: fnv1a64(key) mod shardCount (computed
 * without BigInt for counts below 2^21).
 */
export function shardIndexFor(key: string, shardCount: number): number {
  if (shardCount === 1) return 0;
  hash(key);
  const hi = hashOut[0]!;
  const lo = hashOut[1]!;
  if (shardCount < 0x200000) {
    // (hi * 2^32 + lo) mod n, every product below 2^53
    const n = shardCount;
    return ((hi % n) * (0x100000000 % n) + (lo % n)) % n;
  }
  return Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(shardCount));
}
