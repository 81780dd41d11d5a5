/**
 * A timestamp precision. `'n'`/`'ns'` nanoseconds, `'u'`/`'µ'` microseconds, `'ms'`, `'s'`, `'m'` minutes,
 * `'h'` hours. Note that InfluxDB 1.6.7's `/write` does not know `'µ'` (nor `'us'`): `parsePrecision` maps
 * those query strings to `'ns'`, as 1.6.7 does; `'µ'` here exists for callers that mean microseconds
 * (InfluxQL's `epoch=µ`, exports).
 */
export type Precision = 'n' | 'ns' | 'u' | 'µ' | 'ms' | 's' | 'm' | 'h';

/**
 * The precision of `/write?precision=`: exactly `n`, `ns`, `u`, `ms`, `s`, `m` or `h` (case-sensitive);
 * anything else, empty or missing means nanoseconds (`'ns'`), because InfluxDB 1.6.7 silently treats an
 * unknown precision as nanoseconds (`precision=x`, `us`, `µ`, `MS` all write raw nanoseconds).
 */
export function parsePrecision(text: string | null | undefined): Precision {
  switch (text) {
    case 'n':
    case 'ns':
    case 'u':
    case 'ms':
    case 's':
    case 'm':
    case 'h':
      return text;
    default:
      return 'ns';
  }
}

/** Nanoseconds per unit of `precision` (1n for n/ns). */
export function precisionMultiplier(precision: Precision): bigint {
  switch (precision) {
    case 'u':
    case 'µ':
      return 1_000n;
    case 'ms':
      return 1_000_000n;
    case 's':
      return 1_000_000_000n;
    case 'm':
      return 60_000_000_000n;
    case 'h':
      return 3_600_000_000_000n;
    default:
      return 1n;
  }
}

/**
 * `ns` rounded down to a multiple of the precision's unit (floor, like Go's Time.Truncate, which counts
 * from year 1: the Unix epoch is a whole number of hours from it, so the result is the same).
 */
export function truncateToPrecision(ns: bigint, precision: Precision): bigint {
  const unit = precisionMultiplier(precision);
  if (unit === 1n) return ns;
  const rem = ns % unit;
  return rem < 0n ? ns - rem - unit : ns - rem;
}
