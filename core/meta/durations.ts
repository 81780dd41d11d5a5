/** Nanoseconds in one hour. */
export const HOUR_NS = 3_600_000_000_000n;
/** Nanoseconds in one day. */
export const DAY_NS = 24n * HOUR_NS;
/** Nanoseconds in seven days. */
export const WEEK_NS = 7n * DAY_NS;

/** InfluxDB's MinRetentionPolicyDuration: a finite RP duration must be at least 1h. */
export const MIN_RETENTION_POLICY_DURATION_NS = HOUR_NS;

/** Go's zero time (0001-01-01T00:00:00Z) is this many ns before the Unix epoch. */
const GO_ZERO_TIME_OFFSET_NS = 62_135_596_800n * 1_000_000_000n;

/**
 * The default shard group duration for a policy duration (InfluxDB's `shardGroupDuration`):
 * infinite or >= 180 days -> 7 days; >= 2 days -> 1 day; otherwise 1 hour.
 */
export function defaultShardGroupDuration(durationNs: bigint): bigint {
  if (durationNs === 0n || durationNs >= 180n * DAY_NS) return WEEK_NS;
  if (durationNs >= 2n * DAY_NS) return DAY_NS;
  return HOUR_NS;
}

/**
 * InfluxDB 1.x's `normalisedShardDuration`: 0 (unset) -> the default for the policy duration; a value
 * under 1h -> 1h; anything else is kept.
 */
export function normaliseShardGroupDuration(shardGroupDurationNs: bigint, durationNs: bigint): bigint {
  if (shardGroupDurationNs === 0n) return defaultShardGroupDuration(durationNs);
  if (shardGroupDurationNs < MIN_RETENTION_POLICY_DURATION_NS) return defaultShardGroupDuration(MIN_RETENTION_POLICY_DURATION_NS);
  return shardGroupDurationNs;
}

/**
 * Go's `time.Truncate(d)`: rounds `tNs` (ns since the Unix epoch) down to a multiple of `dNs` counted from
 * Go's zero time, not from the epoch. For 1h and 1d the result equals epoch alignment; 7-day groups
 * start on Mondays 00:00 UTC.
 */
export function truncateGo(tNs: bigint, dNs: bigint): bigint {
  if (dNs <= 0n) return tNs;
  const shifted = tNs + GO_ZERO_TIME_OFFSET_NS;
  let q = shifted / dNs;
  if (shifted % dNs !== 0n && shifted < 0n) q -= 1n; // floor division for negative values
  return q * dNs - GO_ZERO_TIME_OFFSET_NS;
}
