// The key section of a line (measurement[,tag=value...]): InfluxDB 1.6.7's scanMeasurement/scanTags rules,
// then the measurement, normalized tags and canonical series key built from it.
import type { SeriesEntry } from './line-protocol-cache.js';
import { BS, COMMA, EQ, NAME_ESCAPES, SP, TAG_ESCAPES, compareRanges, decodeUnescaped, decodeUtf8 } from './line-protocol-scan.js';
import type { Tag } from './point.js';
import { compareCodePoints, compareTagKeys, seriesKey } from './series-key.js';

/** Scratch state of one parser for key sections (tag positions of the last scan, last error text). */
export class KeyScan {
  error = '';
  private tagPos = new Int32Array(4 * 16);
  private tagCount = 0;

  /** InfluxDB's scanMeasurement + scanTags over buf[s, e): end of the key section, or -1 with `error` set. */
  scan(buf: Uint8Array, s: number, e: number): number {
    if (buf[s] === COMMA) {
      this.error = 'missing measurement';
      return -1;
    }
    let i = s;
    for (;;) {
      i++;
      if (i >= e) {
        this.error = 'missing fields';
        return -1;
      }
      if (buf[i - 1] === BS) continue;
      const c = buf[i]!;
      if (c === COMMA) break;
      if (c === SP) return i;
    }
    // tags: key=value pairs separated by unescaped commas
    let n = 0;
    i++;
    for (;;) {
      const ks = i;
      let c = buf[i];
      if (i >= e || c === SP || c === COMMA || c === EQ) {
        this.error = 'missing tag key';
        return -1;
      }
      for (;;) {
        i++;
        if (i >= e) {
          this.error = 'missing tag value';
          return -1;
        }
        c = buf[i]!;
        if ((c === SP || c === COMMA) && buf[i - 1] !== BS) {
          this.error = 'missing tag value';
          return -1;
        }
        if (c === EQ && buf[i - 1] !== BS) break;
      }
      const ke = i;
      i++;
      const vs = i;
      c = buf[i];
      if (i >= e || c === COMMA || c === SP) {
        this.error = 'missing tag value';
        return -1;
      }
      let last = false;
      for (;;) {
        i++;
        if (i >= e) {
          this.error = 'missing fields';
          return -1;
        }
        c = buf[i]!;
        if (buf[i - 1] === BS) continue;
        if (c === EQ) {
          this.error = 'invalid tag format';
          return -1;
        }
        if (c === COMMA) break;
        if (c === SP) {
          last = true;
          break;
        }
      }
      if ((n + 1) * 4 > this.tagPos.length) {
        const p = new Int32Array(this.tagPos.length * 2);
        p.set(this.tagPos);
        this.tagPos = p;
      }
      this.tagPos[n * 4] = ks;
      this.tagPos[n * 4 + 1] = ke;
      this.tagPos[n * 4 + 2] = vs;
      this.tagPos[n * 4 + 3] = i;
      n++;
      if (last) {
        this.tagCount = n;
        return i;
      }
      i++;
    }
  }

  /** Measurement, normalized tags and canonical key of the section scan() found; undefined with `error` set. */
  entry(buf: Uint8Array, s: number, keyEnd: number, escapes: boolean): SeriesEntry | undefined {
    // the measurement ends at the first unescaped comma or space
    let m = s;
    for (;;) {
      m++;
      if (m >= keyEnd) break;
      if (buf[m - 1] === BS) continue;
      if (buf[m] === COMMA) break;
    }
    const measurement = escapes ? decodeUnescaped(buf, s, m, NAME_ESCAPES) : decodeUtf8(buf, s, m);
    const n = m >= keyEnd ? 0 : this.tagCount;
    if (n === 0) {
      const key = escapes ? seriesKey(measurement, []) : measurement;
      return { measurement, tags: [], key, hasTimeTag: false };
    }
    const tp = this.tagPos;
    const tags: Tag[] = new Array(n);
    if (!escapes) {
      // raw bytes order == code point order; check sortedness and duplicates on the bytes
      let sorted = true;
      for (let j = 0; j + 1 < n; j++) {
        const cmp = compareRanges(buf, tp[j * 4]!, tp[j * 4 + 1]!, tp[j * 4 + 4]!, tp[j * 4 + 5]!);
        if (cmp === 0) return this.duplicate();
        if (cmp > 0) sorted = false;
      }
      for (let j = 0; j < n; j++) {
        const o = j * 4;
        tags[j] = [decodeUtf8(buf, tp[o]!, tp[o + 1]!), decodeUtf8(buf, tp[o + 2]!, tp[o + 3]!)];
      }
      // a tag value may start with '=' (the only unescaped special byte a plain key can hold)
      let plainKey = true;
      for (let j = 0; j < n; j++) if (buf[tp[j * 4 + 2]!] === EQ) plainKey = false;
      if (!sorted) {
        tags.sort((a, b) => compareCodePoints(a[0], b[0]));
        for (let j = 0; j + 1 < n; j++) if (tags[j]![0] === tags[j + 1]![0]) return this.duplicate();
      }
      let key: string;
      if (!plainKey) {
        key = seriesKey(measurement, tags);
      } else if (sorted) {
        key = decodeUtf8(buf, s, keyEnd);
      } else {
        key = measurement;
        for (let j = 0; j < n; j++) key += `,${tags[j]![0]}=${tags[j]![1]}`;
      }
      return { measurement, tags, key, hasTimeTag: hasTime(tags) };
    }
    for (let j = 0; j < n; j++) {
      const o = j * 4;
      tags[j] = [decodeUnescaped(buf, tp[o]!, tp[o + 1]!, TAG_ESCAPES), decodeUnescaped(buf, tp[o + 2]!, tp[o + 3]!, TAG_ESCAPES)];
    }
    tags.sort((a, b) => compareTagKeys(a[0], b[0]));
    for (let j = 0; j + 1 < n; j++) if (tags[j]![0] === tags[j + 1]![0]) return this.duplicate();
    return { measurement, tags, key: seriesKey(measurement, tags), hasTimeTag: hasTime(tags) };
  }

  private duplicate(): undefined {
    this.error = 'duplicate tags';
    return undefined;
  }
}

function hasTime(tags: readonly Tag[]): boolean {
  for (const t of tags) if (t[0] === 'time') return true;
  return false;
}
