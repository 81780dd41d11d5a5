import type { Tag } from './point.js';

const MEASUREMENT_ESCAPES = /[, ]/g;
const TAG_ESCAPES = /[,= ]/g;

/** Escapes a measurement name as it appears in a series key (`,` and space). */
export function escapeMeasurement(name: string): string {
  return name.replace(MEASUREMENT_ESCAPES, (c) => `\\${c}`);
}

/** Escapes a tag key or value as it appears in a series key (`,`, `=` and space). */
export function escapeTag(text: string): string {
  return text.replace(TAG_ESCAPES, (c) => `\\${c}`);
}

/**
 * Sorts tags by key (byte order, as InfluxDB does) and drops empty values. Returns a new array; for
 * duplicate keys the last one wins.
 */
export function normalizeTags(tags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, string>();
  for (const [k, v] of tags) byKey.set(k, v);
  const out: Tag[] = [];
  for (const [k, v] of byKey) if (v !== '') out.push([k, v]);
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

/** The canonical series key: escaped measurement, then `,k=v` for each tag of `sortedTags` (already normalized). */
export function seriesKey(measurement: string, sortedTags: readonly Tag[]): string {
  let key = escapeMeasurement(measurement);
  for (const [k, v] of sortedTags) key += `,${escapeTag(k)}=${escapeTag(v)}`;
  return key;
}
