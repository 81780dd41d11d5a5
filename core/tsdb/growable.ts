/** A numeric typed column that can be grown by copying. */
export type NumericArray = Float64Array | BigInt64Array;

/** Capacity to grow to for at least `needed` slots: doubling while small, then x1.5 (bounded waste). */
export function nextCapacity(current: number, needed: number): number {
  let cap = Math.max(current, 8);
  while (cap < needed) cap = cap < 1 << 16 ? cap * 2 : Math.ceil(cap * 1.5);
  return cap;
}

/**
 * Returns an array of the same kind with capacity >= `needed` holding the first `length` elements of
 * `arr`: `arr` itself when it is big enough, otherwise a new array (the old one is left untouched, so
 * views into it stay valid).
 */
export function ensureCapacity<T extends NumericArray>(arr: T, length: number, needed: number): T {
  if (arr.length >= needed) return arr;
  const cap = nextCapacity(arr.length, needed);
  const out = (arr instanceof Float64Array ? new Float64Array(cap) : new BigInt64Array(cap)) as T;
  (out as Float64Array).set((arr as Float64Array).subarray(0, length));
  return out;
}

/** Index of the first element of `times[0, length)` that is >= `t` (ascending `times`). */
export function lowerBound(times: BigInt64Array, length: number, t: bigint): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of `times[0, length)` that is > `t` (ascending `times`). */
export function upperBound(times: BigInt64Array, length: number, t: bigint): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
