/**
 * `partial write: <reason> dropped=<n>`: the text of InfluxDB's PartialWriteError. With an array, the
 * reasons are joined with `\n` (how /write reports several unparsable lines next to good ones).
 */
export function partialWriteMessage(reason: string | readonly string[], dropped: number): string {
  const text = typeof reason === 'string' ? reason : reason.join('\n');
  return `partial write: ${text} dropped=${dropped}`;
}

/** Points a write dropped, and why (the first reason wins, counts add up). */
export interface WriteDrop {
  readonly reason: string;
  readonly dropped: number;
}

/** What a /write did, as needed to build InfluxDB 1.6.7's 400 answer. */
export interface WriteOutcome {
  /** ParseResult.errors. */
  readonly parseErrors: readonly string[];
  /** Lines that parsed: ParseResult.points.length + ParseResult.rejected. */
  readonly parsedPoints: number;
  /**
   * Points dropped at write time, reason first: the parser's rejected points (ParseResult.rejected /
   * rejectedReason) combined (combineDrops) with storage's (field type conflicts) and the cluster's
   * (`points beyond retention policy`). Absent or dropped=0 when every parsed point was written.
   */
  readonly drop?: WriteDrop;
}

/**
 * The text of /write's 400 answer (the `error` of the JSON body and the X-Influxdb-Error header), or
 * undefined when the answer is 204. Exactly how InfluxDB 1.6.7 (services/httpd serveWrite) composes it:
 *
 * 1. No line parsed and some failed: every parse error, in body order, joined with `\n` (no prefix):
 *    `unable to parse 'a v=': missing field value\nunable to parse 'b': missing fields`.
 * 2. Otherwise the parsed points are written. If the write dropped points:
 *    `partial write: <reason> dropped=<n>`, and the parse errors of the same body are NOT reported.
 *    Examples: `partial write: field type conflict: input field "v" on measurement "tc" is type integer,
 *    already exists as type float dropped=1`; `partial write: invalid tag key: input tag "time" on
 *    measurement "m" is invalid dropped=2`; `partial write: points beyond retention policy dropped=1`.
 * 3. Else, if some lines failed to parse: `partial write: <parse errors joined with \n> dropped=0`
 *    (InfluxDB says dropped=0 here, not the number of bad lines).
 * 4. Else 204.
 *
 * How InfluxDB picks the reason and count of step 2 (for callers combining drops): per shard, points with
 * a `time` tag are checked first (reason: the first such point), then per point in order: only `time`
 * fields, then field type conflicts (including one field given twice with two types); the shard reports
 * the first reason and the sum of its drops. Across shards, the first shard to fail wins (its count only).
 * `points beyond retention policy` is reported only when no shard dropped anything. combineDrops
 * approximates this for one shard: the parser's drops first, then storage's, then retention's.
 */
export function writeErrorMessage(outcome: WriteOutcome): string | undefined {
  if (outcome.parsedPoints === 0) {
    return outcome.parseErrors.length > 0 ? outcome.parseErrors.join('\n') : undefined;
  }
  if (outcome.drop !== undefined && outcome.drop.dropped > 0) {
    return partialWriteMessage(outcome.drop.reason, outcome.drop.dropped);
  }
  if (outcome.parseErrors.length > 0) return partialWriteMessage(outcome.parseErrors, 0);
  return undefined;
}

/** Merges drops: the first non-empty reason (in argument order), the sum of the counts. */
export function combineDrops(...drops: ReadonlyArray<WriteDrop | undefined>): WriteDrop | undefined {
  let reason = '';
  let dropped = 0;
  for (const d of drops) {
    if (d === undefined || d.dropped === 0) continue;
    if (reason === '') reason = d.reason;
    dropped += d.dropped;
  }
  return dropped === 0 ? undefined : { reason, dropped };
}
