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
 * Sorts tags by key (UTF-8 byte order, as InfluxDB does) and drops empty values. Returns a new array; for
 * duplicate keys the last one wins.
 */
export function normalizeTags(tags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, string>();
  for (const [k, v] of tags) byKey.set(k, v);
  const out: Tag[] = [];
  for (const [k, v] of byKey) if (v !== '') out.push([k, v]);
  out.sort((a, b) => compareCodePoints(a[0], b[0]));
  return out;
}

/**
 * Compares two strings in Unicode code point order, which is the byte order of their UTF-8 encodings (the
 * order InfluxDB sorts tag keys in). Differs from `<` only for astral characters against U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      // surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
}

/** The canonical series key: escaped measurement, then `,k=v` for each tag of `sortedTags` (already normalized). */
export function seriesKey(measurement: string, sortedTags: readonly Tag[]): string {
  let key = escapeMeasurement(measurement);
  for (const [k, v] of sortedTags) key += `,${escapeTag(k)}=${escapeTag(v)}`;
  return key;
}
