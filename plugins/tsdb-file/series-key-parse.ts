/**
 * Parses a canonical series key (core/model/series-key.ts) back into measurement and tags. Storage
 * keeps only keys on disk (WAL records, segment indexes); this restores SeriesInfo on recovery.
 */
import type { Tag } from '../../core/index.js';

/** Measurement and tags of a canonical series key. */
export function parseSeriesKey(key: string): { measurement: string; tags: Tag[] } {
  let i = 0;
  // split on unescaped commas, unescaping `\,` `\ ` `\=`
  const raw: string[] = [];
  let rawCur = '';
  while (i < key.length) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) {
      rawCur += c + key[i + 1];
      i += 2;
      continue;
    }
    if (c === ',') {
      raw.push(rawCur);
      rawCur = '';
      i++;
      continue;
    }
    rawCur += c;
    i++;
  }
  raw.push(rawCur);
  const measurement = unescape(raw[0]!);
  const tags: Tag[] = [];
  for (let t = 1; t < raw.length; t++) {
    const s = raw[t]!;
    let eq = -1;
    for (let j = 0; j < s.length; j++) {
      if (s[j] === '\\') {
        j++;
        continue;
      }
      if (s[j] === '=') {
        eq = j;
        break;
      }
    }
    if (eq < 0) tags.push([unescape(s), '']);
    else tags.push([unescape(s.slice(0, eq)), unescape(s.slice(eq + 1))]);
  }
  return { measurement, tags };
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([, =])/g, '$1');
}

/** The measurement of a series key (cheaper than a full parse). */
export function measurementOf(key: string): string {
  let i = 0;
  while (i < key.length) {
    const c = key.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === 44 /* , */) break;
    i++;
  }
  return unescape(key.slice(0, i));
}
