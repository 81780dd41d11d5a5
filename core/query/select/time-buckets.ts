/** Start of the GROUP BY time bucket holding `t`: buckets are [offset + k*interval, offset + (k+1)*interval). */
export function bucketStart(t: bigint, interval: bigint, offset: bigint): bigint {
  let r = (t - offset) % interval;
  if (r < 0n) r += interval;
  return t - r;
}
