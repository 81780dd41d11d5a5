import type { Tag } from './point.js';

const MEASUREMENT_ESCAPES = /[, ]/g;
const TAG_ESCAPES = /[,= ]/g;
const MAKEKEY_UNESCAPE = /\\([, ])/g;

/** Escapes a measurement name as it appears in a series key (`,` and space). */
export function escapeMeasurement(name: string): string {
  return name.replace(MEASUREMENT_ESCAPES, (c) => `\\${c}`);
}

/** Escapes a tag key or value as it appears in a series key (`,`, `=` and space). */
export function escapeTag(text: string): string {
  return text.replace(TAG_ESCAPES, (c) => `\\${c}`);
}

/**
 * Sorts tags by key (compareTagKeys: UTF-8 byte order of the escaped keys, as InfluxDB does) and drops empty values. Returns a new array; for
 * duplicate keys the last one wins.
 */
export function normalizeTags(tags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, string>();
  for (const [k, v] of tags) byKey.set(k, v);
  const out: Tag[] = [];
  for (const [k, v] of byKey) if (v !== '') out.push([k, v]);
  out.sort((a, b) => compareTagKeys(a[0], b[0]));
  return out;
}

const TAG_SPECIAL = /[,= ]/;

/**
 * InfluxDB's tag order: byte order of the escaped keys (as written in line protocol), so `a!` sorts before
 * `a b` (escaped `a\ b`). Same as code point order unless a key holds `,`, `=` or a space.
 */
export function compareTagKeys(a: string, b: string): number {
  if (TAG_SPECIAL.test(a) || TAG_SPECIAL.test(b)) return compareCodePoints(escapeTag(a), escapeTag(b));
  return compareCodePoints(a, b);
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

/**
 * The canonical series key: escaped measurement, then `,k=v` for each tag of `sortedTags` (already
 * normalized). As InfluxDB's MakeKey, `\,` and `\ ` in the measurement are unescaped before escaping, so
 * the measurement `a\,b` gets the key `a\,b` (same as `a,b`): a 1.x quirk kept so SHOW SERIES matches.
 */
export function seriesKey(measurement: string, sortedTags: readonly Tag[]): string {
  const name = measurement.includes('\\') ? measurement.replace(MAKEKEY_UNESCAPE, '$1') : measurement;
  let key = escapeMeasurement(name);
  for (const [k, v] of sortedTags) key += `,${escapeTag(k)}=${escapeTag(v)}`;
  return key;
}
