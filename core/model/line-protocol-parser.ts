import type { FieldValue, Point } from './point.js';
import { MAX_TIME, MIN_TIME } from './point.js';
import { type Precision, precisionMultiplier, truncateToPrecision } from './line-protocol-precision.js';
import { type KnownSeries, ParseCache, type SeriesEntry } from './line-protocol-cache.js';
import {
  FieldScan, KIND_BOOL_TRUE, KIND_FLOAT, KIND_INT, KIND_STRING, scanFieldSection, scanNumberFast,
} from './line-protocol-fields.js';
import {
  BS, COMMA, EQ, HASH, MINUS, NAME_ESCAPES, NL, SP, TAB, compareRanges, decodeLatin1, decodeStringField, decodeUnescaped,
  decodeUtf8, hasBackslash, parseIntRange, scanLineEnd,
} from './line-protocol-scan.js';
import { KeyScan } from './line-protocol-key.js';
import { parseDecimal17 } from './line-protocol-float.js';
import { walkFieldsLikeInflux } from './line-protocol-walk.js';

/** Options of parseLines. */
export interface ParseOptions {
  /** Unit of the timestamps in the body (see parsePrecision for /write's `precision`). */
  readonly precision: Precision;
  /** "Now" in ns: the time of lines without a timestamp, truncated to the precision as InfluxDB does. */
  readonly nowNs: bigint;
  /** Memo to reuse across calls (one per server); a fresh one per call when absent. */
  readonly cache?: ParseCache;
  /**
   * Whether a line repeating the previous line's field keys is matched against them in one pass (the
   * default); false parses every line the general way. The result is the same either way (tests compare).
   */
  readonly fieldTemplates?: boolean;
}

/**
 * What parseLines found. `points` are the points to write; `errors` hold one InfluxDB error text per line
 * that failed to parse (`unable to parse '<line>': <reason>`), in body order.
 *
 * `rejected` counts lines that parsed but that InfluxDB 1.6.7 drops when writing them (its storage does
 * the check; here the parser does, and leaves them out of `points`): a tag key `time`, only fields named
 * `time` (fields named `time` are otherwise silently dropped), or one field given twice with different
 * types. `rejectedReason` is the reason InfluxDB reports for them (empty when none): the first tag-`time`
 * reason if any, otherwise the first of the others in body order. See writeErrorMessage for how they are
 * reported.
 *
 * Known difference: for one field given twice with two types, InfluxDB 1.6.7 answers
 * `partial write: field type conflict: ... dropped=1` only when the field already exists in the
 * measurement; when the field is new, its answer is a plain 400 `field type conflict` and none of the
 * shard's points of that body are written (the same happens when two lines of one body give a new field
 * two types: that check belongs to storage). The parser always gives the first form.
 */
export interface ParseResult {
  points: Point[];
  errors: string[];
  rejected: number;
  rejectedReason: string;
}

/** Largest series key (measurement + tags, as written) InfluxDB accepts, in bytes. */
export const MAX_KEY_LENGTH = 65535;

const FIELD_TYPE_NAMES = ['float', 'integer', 'string', 'boolean', 'boolean'] as const;

/** Most fields a template holds (lines with more take the general path). */
const TEMPLATE_MAX_FIELDS = 64;
/** Bytes a template key may hold: none that the field scanner treats specially, no control or space. */
const PLAIN_KEY_BYTE = new Uint8Array(256).map((_, c) => (c > 0x20 && c !== BS && c !== 0x22 && c !== 0x3d && c !== 0x2c && c !== 0x7f ? 1 : 0));
const TIME = 'time';

/**
 * Parses an InfluxDB 1.x line-protocol body exactly as InfluxDB 1.6.7 does (same accepted lines, same
 * values, same error texts). Lines end at `\n` (a CR is part of the line, and fails as `bad timestamp`);
 * blank lines and lines starting with `#` (after leading spaces/tabs) are skipped; each bad line yields
 * one error and the good lines still parse.
 */
export function parseLines(body: Buffer | Uint8Array, options: ParseOptions): ParseResult {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parser = new LineParser(buf, options);
  parser.run();
  return parser.result;
}

class LineParser {
  readonly result: ParseResult = { points: [], errors: [], rejected: 0, rejectedReason: '' };
  private readonly buf: Buffer;
  private readonly multiplier: bigint;
  private readonly defaultTime: bigint;
  private readonly cache: ParseCache;
  private readonly templates: boolean;
  private readonly fields = new FieldScan();
  private readonly keys = new KeyScan();
  private tagTimeReason = '';
  private fieldReason = '';
  // last timestamp parsed (many lines of a batch share it)
  private lastTsStart = -1;
  private lastTsEnd = -1;
  private lastTs = 0n;
  // duplicate field detection by interned name id
  private seen = new Int32Array(64);
  // field keys of the previous line: start, end, interned id
  private prevKeys = new Int32Array(3 * 32);
  private prevCount = 0;
  private nextSpace = -2;
  private seenGen = 0;
  // the known series of the previous line (see KnownSeries.next)
  private prevKnown: KnownSeries | undefined;
  // Field-section template: the field keys of the last line parsed the general way, when they were all
  // plain (no byte the field scanner treats specially) and all values numbers. Most lines of a body repeat
  // them; matchTemplate checks a line against them in one pass (see there) instead of the full scan.
  private tplCount = 0;
  // per key: start, end in buf (a line of this body)
  private readonly tplKeys = new Int32Array(2 * TEMPLATE_MAX_FIELDS);
  private readonly tplNames: string[] = [];
  private tplMaxKey = 0;
  // per field of the matched line: value start, value end (without `i`), kind; and the value when exact
  private readonly tplVal = new Int32Array(3 * TEMPLATE_MAX_FIELDS);
  private readonly tplNum = new Float64Array(TEMPLATE_MAX_FIELDS);

  constructor(buf: Buffer, options: ParseOptions) {
    this.buf = buf;
    this.multiplier = precisionMultiplier(options.precision);
    this.defaultTime = truncateToPrecision(options.nowNs, options.precision);
    this.cache = options.cache ?? new ParseCache();
    this.templates = options.fieldTemplates !== false;
  }

  run(): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    // next quote / backslash at or after pos (-1: none left); a line without either ends at its '\n'
    let nextQuote = -2;
    let nextBs = -2;
    while (pos < len) {
      let nl = buf.indexOf(NL, pos);
      if (nl < 0) nl = len;
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(0x22, pos);
      if (nextBs !== -1 && nextBs < pos) nextBs = buf.indexOf(BS, pos);
      const plain = (nextQuote === -1 || nextQuote > nl) && (nextBs === -1 || nextBs > nl);
      const end = plain ? nl : scanLineEnd(buf, pos, len);
      let s = pos;
      pos = end + 1;
      if (end === s) continue;
      let e = end;
      while (s < e) {
        const c = buf[s]!;
        if (c !== SP && c !== TAB && c !== 0) break;
        s++;
      }
      if (s >= e || buf[s] === HASH) continue;
      if (buf[e - 1] === NL) e--;
      this.parseLine(s, e, !plain && nextBs !== -1 && nextBs < e);
    }
    this.result.rejectedReason = this.tagTimeReason || this.fieldReason;
  }

  private fail(s: number, e: number, reason: string): void {
    this.result.errors.push(`unable to parse '${decodeUtf8(this.buf, s, e)}': ${reason}`);
  }

  private parseLine(s: number, e: number, escapes: boolean): void {
    const buf = this.buf;
    // ---- key section: measurement[,tag=value...] up to the first unescaped space
    let keyEnd = -1;
    let entry: SeriesEntry | undefined;
    let known: KnownSeries | undefined;
    let raw = '';
    if (!escapes) {
      // no backslash: the key ends at the first space; a known key was valid before
      // next space at or after s, remembered across lines (positions only grow: linear overall)
      if (this.nextSpace !== -1 && this.nextSpace < s) this.nextSpace = buf.indexOf(SP, s);
      keyEnd = this.nextSpace === -1 ? e : this.nextSpace;
      if (keyEnd > s && keyEnd < e) {
        // the series that followed the previous line's last time, if these are its bytes; else by text
        const predicted = this.prevKnown?.next;
        const n = keyEnd - s;
        if (predicted !== undefined && predicted.raw.length === n && buf.compare(predicted.raw, 0, n, s, keyEnd) === 0) {
          known = predicted;
        } else {
          raw = decodeLatin1(buf, s, keyEnd);
          known = this.cache.getSeries(raw);
        }
        entry = known?.entry;
      }
    }
    if (entry === undefined) {
      const end = this.keys.scan(buf, s, e);
      if (end < 0) {
        this.prevKnown = undefined;
        this.fail(s, e, this.keys.error);
        return;
      }
      // backslashes elsewhere in the line (string values) do not matter for the key
      const keyEscapes = escapes && hasBackslash(buf, s, end);
      if (end !== keyEnd || escapes) {
        raw = keyEscapes ? '' : decodeLatin1(buf, s, end);
        if (raw !== '') {
          known = this.cache.getSeries(raw);
          entry = known?.entry;
        }
      }
      keyEnd = end;
      if (entry === undefined) {
        entry = this.keys.entry(buf, s, keyEnd, keyEscapes);
        if (entry === undefined) {
          this.prevKnown = undefined;
          this.fail(s, e, this.keys.error);
          return;
        }
        if (raw !== '') known = this.cache.setSeries(raw, entry);
      }
    }
    const prev = this.prevKnown;
    if (prev !== undefined && known !== undefined && prev.next !== known) prev.next = known;
    this.prevKnown = known;
    if (keyEnd - s > MAX_KEY_LENGTH) {
      this.fail(s, e, `max key length exceeded: ${keyEnd - s} > ${MAX_KEY_LENGTH}`);
      return;
    }

    // ---- field section
    let fieldsEnd = this.tplCount > 0 && this.tplMaxKey <= MAX_KEY_LENGTH - (keyEnd - s) - 4
      ? this.matchTemplate(keyEnd, e)
      : -1;
    const templated = fieldsEnd >= 0;
    if (!templated) {
      const fs = this.fields;
      scanFieldSection(buf, keyEnd, e, fs);
      if (fs.error !== '') {
        this.fail(s, e, fs.error);
        return;
      }
      if (fs.goWalk && !walkFieldsLikeInflux(buf, keyEnd, fs)) {
        // InfluxDB 1.6.7 panics on these (HTTP 500); we reject the line instead
        this.fail(s, e, 'invalid field format');
        return;
      }
      const count = fs.count;
      const pos = fs.pos;
      const maxField = MAX_KEY_LENGTH - (keyEnd - s) - 4;
      for (let f = 0; f < count; f++) {
        const klen = pos[f * 5 + 1]! - pos[f * 5]!;
        if (klen > maxField) {
          this.fail(s, e, `max key length exceeded: ${keyEnd - s + 4 + klen} > ${MAX_KEY_LENGTH}`);
          return;
        }
      }
      fieldsEnd = fs.end;
    }

    // ---- timestamp
    let i = fieldsEnd;
    while (i < e) {
      const c = buf[i]!;
      if (c !== SP && c !== TAB && c !== 0) break;
      i++;
    }
    const tsStart = i;
    for (; i < e; i++) {
      const c = buf[i]!;
      if (c === NL || c === SP) break;
      if (i === tsStart && c === MINUS) continue;
      if (c < 0x30 || c > 0x39) {
        this.fail(s, e, 'bad timestamp');
        return;
      }
    }
    let time: bigint;
    if (i === tsStart) {
      time = this.defaultTime;
    } else {
      const t = this.timestamp(tsStart, i);
      if (typeof t === 'string') {
        this.fail(s, e, t);
        return;
      }
      time = t;
      for (; i < e; i++) {
        if (buf[i] !== SP) {
          this.fail(s, e, 'point is invalid');
          return;
        }
      }
    }

    // ---- the point, with InfluxDB's write-time rules (tag `time`, field `time`, duplicate fields)
    if (entry.hasTimeTag) {
      this.reject(true, `invalid tag key: input tag "time" on measurement "${entry.measurement}" is invalid`);
      return;
    }
    if (templated) {
      this.result.points.push({ measurement: entry.measurement, tags: entry.tags, fields: this.templateFields(), time, key: entry.key });
      return;
    }
    const fields = this.buildFields(entry.measurement);
    if (fields === undefined) return;
    this.result.points.push({ measurement: entry.measurement, tags: entry.tags, fields, time, key: entry.key });
    this.setTemplate(fields);
  }

  /**
   * Matches the field section starting at `i` (just after the key section) against the template: each
   * field must be `<template key>=<number>` in the shapes scanFieldSection's fast path takes whole
   * (`[-]digits[.digits]` short enough to need no range check, or `[-]digits` + `i`), separated by commas,
   * the last one followed by a space or the line's end. Such a section is exactly what scanFieldSection
   * would accept with these keys and values, so matching it is enough. Returns the section's end (as
   * FieldScan.end) with the values in tplVal / tplNum, or -1 when the line has another shape.
   */
  private matchTemplate(i: number, e: number): number {
    const buf = this.buf;
    while (i < e) {
      const c = buf[i]!;
      if (c !== SP && c !== TAB && c !== 0) break;
      i++;
    }
    const count = this.tplCount;
    const keys = this.tplKeys;
    const val = this.tplVal;
    const num = this.tplNum;
    const fs = this.fields;
    for (let f = 0; f < count; f++) {
      const ks = keys[f * 2]!;
      const klen = keys[f * 2 + 1]! - ks;
      if (i + klen + 1 >= e) return -1;
      for (let k = 0; k < klen; k++) if (buf[i + k] !== buf[ks + k]) return -1;
      i += klen;
      if (buf[i] !== EQ) return -1;
      const vs = ++i;
      // the number as scanFieldSection's fast path reads it, short enough to need no range check
      const r = scanNumberFast(buf, vs, e, fs);
      if (r < 0 || (fs.numIsInt ? r - 1 - vs >= 19 : fs.numCheck)) return -1;
      if ((r < e ? buf[r]! : SP) !== (f === count - 1 ? SP : COMMA)) return -1;
      const kind = fs.numIsInt ? KIND_INT : KIND_FLOAT;
      const ve = fs.numIsInt ? r - 1 : r;
      const v = fs.numValue;
      val[f * 3] = vs;
      val[f * 3 + 1] = ve;
      val[f * 3 + 2] = kind;
      num[f] = v;
      i = f === count - 1 ? r : r + 1;
    }
    return i;
  }

  /** The fields of a line matched by matchTemplate (as buildFields would give them). */
  private templateFields(): Array<readonly [string, FieldValue]> {
    const buf = this.buf;
    const count = this.tplCount;
    const names = this.tplNames;
    const val = this.tplVal;
    const num = this.tplNum;
    const out: Array<readonly [string, FieldValue]> = new Array(count);
    for (let f = 0; f < count; f++) {
      const vs = val[f * 3]!;
      const ve = val[f * 3 + 1]!;
      out[f] = [names[f]!, val[f * 3 + 2] === KIND_FLOAT ? exactFloat(buf, vs, ve, num[f]!) : exactInt(buf, vs, ve, num[f]!)];
    }
    return out;
  }

  /**
   * Makes the line just built the general way (its fields in this.fields) the template when its keys are
   * plain, non-empty and distinct, none is `time`, and its values are all numbers; else drops the template.
   */
  private setTemplate(fields: ReadonlyArray<readonly [string, FieldValue]>): void {
    const fs = this.fields;
    const count = fs.count;
    this.tplCount = 0;
    if (!this.templates || fs.goWalk || count > TEMPLATE_MAX_FIELDS || fields.length !== count) return;
    const buf = this.buf;
    const pos = fs.pos;
    let maxKey = 0;
    for (let f = 0; f < count; f++) {
      const kind = pos[f * 5 + 4]!;
      if (kind !== KIND_FLOAT && kind !== KIND_INT) return;
      const ks = pos[f * 5]!;
      const ke = pos[f * 5 + 1]!;
      // an empty key parses only after a tab or NUL (`m \t=1`); as a template it would match `m =2`,
      // which is `missing field key`
      if (ke === ks) return;
      for (let k = ks; k < ke; k++) if (!PLAIN_KEY_BYTE[buf[k]!]) return;
      if (ke - ks > maxKey) maxKey = ke - ks;
      this.tplKeys[f * 2] = ks;
      this.tplKeys[f * 2 + 1] = ke;
      this.tplNames[f] = fields[f]![0];
    }
    this.tplMaxKey = maxKey;
    this.tplCount = count;
  }

  private reject(tag: boolean, reason: string): void {
    this.result.rejected++;
    if (tag) {
      if (this.tagTimeReason === '') this.tagTimeReason = reason;
    } else if (this.fieldReason === '') {
      this.fieldReason = reason;
    }
  }

  /** The point's fields in line order (`time` dropped, duplicates: last wins); undefined when rejected. */
  private buildFields(measurement: string): Array<readonly [string, FieldValue]> | undefined {
    const buf = this.buf;
    const fs = this.fields;
    const count = fs.count;
    const pos = fs.pos;
    // exact size up front (no regrowth); trimmed when `time` fields or duplicates were left out
    const out: Array<readonly [string, FieldValue]> = new Array(count);
    let n = 0;
    const gen = ++this.seenGen;
    const prevCount = this.prevCount;
    this.prevCount = 0;
    let dupTypes: number[] | undefined;
    for (let f = 0; f < count; f++) {
      const o = f * 5;
      const ks = pos[o]!;
      const ke = pos[o + 1]!;
      // most lines repeat the previous line's field keys: compare bytes before hashing
      let id: number;
      const pk = this.prevKeys;
      if (f < prevCount && pk[f * 3 + 1]! - pk[f * 3]! === ke - ks
        && compareRanges(buf, ks, ke, pk[f * 3]!, pk[f * 3 + 1]!) === 0) {
        id = pk[f * 3 + 2]!;
      } else {
        id = this.cache.intern(buf, ks, ke, decodeFieldKey);
      }
      if ((f + 1) * 3 > pk.length) this.growPrevKeys();
      this.prevKeys[f * 3] = ks;
      this.prevKeys[f * 3 + 1] = ke;
      this.prevKeys[f * 3 + 2] = id;
      const name = id >= 0 ? this.cache.names[id]! : decodeFieldKey(buf, ks, ke);
      if (name === TIME) continue;
      const kind = pos[o + 4]!;
      const vs = pos[o + 2]!;
      const ve = pos[o + 3]!;
      let value: FieldValue;
      switch (kind) {
        case KIND_FLOAT:
          value = exactFloat(buf, vs, ve, fs.num[f]!);
          break;
        case KIND_INT:
          value = exactInt(buf, vs, ve, fs.num[f]!);
          break;
        case KIND_STRING:
          value = decodeStringField(buf, vs + 1, ve - 1);
          break;
        default:
          value = kind === KIND_BOOL_TRUE;
      }
      // duplicate names: InfluxDB keeps the last value; a different type is a field type conflict
      let dup = -1;
      if (id >= 0) {
        if (id >= this.seen.length) this.growSeen(id);
        if (this.seen[id] === gen) dup = findField(out, name, n);
        else this.seen[id] = gen;
      } else {
        dup = findField(out, name, n);
      }
      if (dup >= 0) {
        dupTypes ??= out.slice(0, n).map((fv) => typeIndex(fv[1]));
        const was = dupTypes[dup]!;
        const now = kindType(kind);
        if (was !== now) {
          this.reject(false, `field type conflict: input field "${name}" on measurement "${measurement}" is type ${FIELD_TYPE_NAMES[now]}, already exists as type ${FIELD_TYPE_NAMES[was]}`);
          return undefined;
        }
        out[dup] = [name, value];
        continue;
      }
      if (dupTypes !== undefined) dupTypes.push(kindType(kind));
      out[n++] = [name, value];
    }
    this.prevCount = count;
    if (n < count) out.length = n;
    if (n === 0) {
      this.reject(false, `invalid field name: input field "time" on measurement "${measurement}" is invalid`);
      return undefined;
    }
    return out;
  }

  private growPrevKeys(): void {
    const p = new Int32Array(this.prevKeys.length * 2);
    p.set(this.prevKeys);
    this.prevKeys = p;
  }

  private growSeen(id: number): void {
    let size = this.seen.length;
    while (size <= id) size *= 2;
    const s = new Int32Array(size);
    s.set(this.seen);
    this.seen = s;
  }

  /** Timestamp buf[s, e) (validated: optional '-', digits) in ns, or InfluxDB's error text. */
  private timestamp(s: number, e: number): bigint | string {
    const buf = this.buf;
    if (e - s === this.lastTsEnd - this.lastTsStart && compareRanges(buf, s, e, this.lastTsStart, this.lastTsEnd) === 0) {
      return this.lastTs;
    }
    if (e - s === 1 && buf[s] === MINUS) return 'strconv.ParseInt: parsing "-": invalid syntax';
    const v = parseIntRange(buf, s, e);
    if (v === undefined) {
      return `strconv.ParseInt: parsing "${decodeUtf8(buf, s, e)}": value out of range`;
    }
    const ns = this.multiplier === 1n ? v : v * this.multiplier;
    if (ns < MIN_TIME || ns > MAX_TIME) {
      return `time outside range ${MIN_TIME} - ${MAX_TIME}`;
    }
    this.lastTsStart = s;
    this.lastTsEnd = e;
    this.lastTs = ns;
    return ns;
  }
}

/**
 * The float value of buf[vs, ve): `scanned` when the scan computed it exactly, else (NaN: 16-17 digits, an
 * exponent, more digits, undecided rounding) parseDecimal17, else the engine's correctly rounded parse.
 */
function exactFloat(buf: Uint8Array, vs: number, ve: number, scanned: number): number {
  if (scanned === scanned) return scanned;
  const v = parseDecimal17(buf, vs, ve);
  return v === v ? v : Number(decodeLatin1(buf, vs, ve));
}

/** The integer value of buf[vs, ve) (range already checked): `scanned` when exact, else parsed from the digits. */
function exactInt(buf: Uint8Array, vs: number, ve: number, scanned: number): bigint {
  return scanned === scanned ? BigInt(scanned) : parseIntRange(buf, vs, ve)!;
}

function decodeFieldKey(buf: Uint8Array, s: number, e: number): string {
  for (let i = s; i < e; i++) if (buf[i] === BS) return decodeUnescaped(buf, s, e, NAME_ESCAPES);
  return decodeUtf8(buf, s, e);
}

function findField(fields: ReadonlyArray<readonly [string, FieldValue]>, name: string, n: number): number {
  for (let j = 0; j < n; j++) if (fields[j]![0] === name) return j;
  return -1;
}

function kindType(kind: number): number {
  return kind === 4 ? 3 : kind;
}

function typeIndex(v: FieldValue): number {
  switch (typeof v) {
    case 'number':
      return 0;
    case 'bigint':
      return 1;
    case 'string':
      return 2;
    default:
      return 3;
  }
}
