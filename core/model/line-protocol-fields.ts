// Validation of the field section of a line: a byte-for-byte port of the rules of InfluxDB 1.6.7's scanFields,
// scanNumber and scanBoolean, recording where each field's key and value are as it goes.
import { BS, COMMA, DOT, EQ, MINUS, QUOTE, SP, TAB, decodeUtf8, parseIntRange } from './line-protocol-scan.js';

/** Value kinds recorded by scanFieldSection. */
export const KIND_FLOAT = 0;
export const KIND_INT = 1;
export const KIND_STRING = 2;
export const KIND_BOOL_TRUE = 3;
export const KIND_BOOL_FALSE = 4;

/**
 * Output of scanFieldSection: per field, 5 ints in `pos` (key start, key end, value start, value end, kind);
 * `count` fields; `end` is where the section stops; `error` is InfluxDB's text or '' ; `goWalk` says the
 * recorded positions may differ from what InfluxDB's field iterator would extract (odd inputs such as a key
 * ending in `\\` or `a,b=1`), so the caller must re-walk the section the way InfluxDB does.
 */
export class FieldScan {
  pos = new Int32Array(5 * 32);
  count = 0;
  end = 0;
  error = '';
  goWalk = false;
  /** Per field: the numeric value when computed exactly while scanning, else NaN (see scanNumber). */
  num = new Float64Array(32);
  /** Result slots of the last scanNumber. */
  numIsInt = false;
  numCheck = false;
  numValue = Number.NaN;

  reset(): void {
    this.count = 0;
    this.error = '';
    this.goWalk = false;
  }

  push(ks: number, ke: number, vs: number, ve: number, kind: number, num = Number.NaN): void {
    const n = this.count;
    if ((n + 1) * 5 > this.pos.length) {
      const p = new Int32Array(this.pos.length * 2);
      p.set(this.pos);
      this.pos = p;
      const v = new Float64Array(this.num.length * 2);
      v.set(this.num);
      this.num = v;
    }
    const o = n * 5;
    this.pos[o] = ks;
    this.pos[o + 1] = ke;
    this.pos[o + 2] = vs;
    this.pos[o + 3] = ve;
    this.pos[o + 4] = kind;
    this.num[n] = num;
    this.count = n + 1;
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
  1e19, 1e20, 1e21, 1e22];

function isNumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === DOT;
}

/**
 * Scans the field section of buf[.., e) from `i` (just after the key section), filling `out`.
 * Error texts are InfluxDB's: `missing field key`, `missing field value`, `invalid number`,
 * `invalid boolean`, `unbalanced quotes`, `invalid field format`. The integer range check
 * (`unable to parse integer ...`) and the float range check (`invalid float`) are left to the caller, which
 * converts the values anyway.
 */
export function scanFieldSection(buf: Uint8Array, i: number, e: number, out: FieldScan): void {
  out.reset();
  while (i < e) {
    const c = buf[i]!;
    if (c !== SP && c !== TAB && c !== 0) break;
    i++;
  }
  let quoted = false;
  let equals = 0;
  let commas = 0;
  let keyStart = i;
  let strStart = -1;
  let strKeyEnd = -1;
  while (i < e) {
    const c = buf[i]!;
    if (c === BS && i + 1 < e) {
      // an escape after a closed string value: InfluxDB's iterator ends that value elsewhere
      if (!quoted && equals > commas) out.goWalk = true;
      i += 2;
      continue;
    }
    if (c === QUOTE && equals > commas) {
      quoted = !quoted;
      i++;
      continue;
    }
    if (c === EQ && !quoted) {
      equals++;
      const p1 = buf[i - 1]!;
      if ((p1 === SP || p1 === COMMA) && buf[i - 2] !== BS) {
        out.error = 'missing field key';
        out.end = i;
        return;
      }
      if (i + 1 >= e) {
        out.error = 'missing field value';
        out.end = i;
        return;
      }
      const n = buf[i + 1]!;
      if (n === COMMA || n === SP) {
        out.error = 'missing field value';
        out.end = i;
        return;
      }
      // a structural '=' right after a backslash pair, or comma/equals counts out of step: InfluxDB's
      // iterator (scanTo '=' by previous byte, scanFieldValue) may split this section differently
      if (p1 === BS || equals !== commas + 1) out.goWalk = true;
      if (isNumeric(n) || n === MINUS || n === 0x4e /* N */ || n === 0x6e /* n */) {
        const r = scanNumber(buf, i + 1, e, out);
        if (r < 0) {
          out.end = -r - 1;
          return;
        }
        const isInt = out.numIsInt;
        if (isInt ? r - 1 - (i + 1) >= 19 : out.numCheck) {
          const err = isInt ? intRangeError(buf, i + 1, r - 1) : floatRangeError(buf, i + 1, r);
          if (err !== '') {
            out.error = err;
            out.end = r;
            return;
          }
        }
        out.push(keyStart, i, i + 1, isInt ? r - 1 : r, isInt ? KIND_INT : KIND_FLOAT, out.numValue);
        i = r;
        continue;
      }
      if (n !== QUOTE) {
        const r = scanBoolean(buf, i + 1, e);
        if (r < 0) {
          out.error = 'invalid boolean';
          out.end = -r - 1;
          return;
        }
        out.push(keyStart, i, i + 1, r, buf[i + 1] === 0x74 || buf[i + 1] === 0x54 ? KIND_BOOL_TRUE : KIND_BOOL_FALSE);
        i = r;
        continue;
      }
      // string value: recorded when its field ends
      strStart = i + 1;
      strKeyEnd = i;
    }
    if (c === COMMA && !quoted) {
      commas++;
      if (strStart >= 0) {
        out.push(keyStart, strKeyEnd, strStart, i, KIND_STRING);
        strStart = -1;
      }
      keyStart = i + 1;
    }
    if (c === SP && !quoted) break;
    i++;
  }
  out.end = i;
  if (quoted) {
    out.error = 'unbalanced quotes';
    return;
  }
  if (equals === 0 || commas !== equals - 1) {
    out.error = 'invalid field format';
    return;
  }
  if (strStart >= 0) out.push(keyStart, strKeyEnd, strStart, i, KIND_STRING);
  if (out.count !== equals) out.goWalk = true;
}

/**
 * InfluxDB's scanNumber from `i` (first byte of the value); returns the end index, or -(index + 1) with
 * `out.error` set; on success `out.numIsInt` / `out.numCheck` describe the number.
 */
function scanNumber(buf: Uint8Array, i: number, e: number, out: FieldScan): number {
  const r = scanNumberFast(buf, i, e, out);
  return r >= 0 ? r : scanNumberSlow(buf, i, e, out);
}

/**
 * scanNumber for the common shapes only: `[-]digits[.digits]` and `[-]digits` + `i`, followed by `,`, a
 * space or the end; returns the end index (after the `i`) with `out.numIsInt` / `numCheck` / `numValue`
 * set, or -1 for any other shape (which scanNumber then scans the general way).
 */
export function scanNumberFast(buf: Uint8Array, i: number, e: number, out: FieldScan): number {
  let j = i;
  if (buf[j] === MINUS) j++;
  const ds = j;
  let m = 0;
  let fr = 0;
  let dot = false;
  for (; j < e; j++) {
    const c = buf[j]!;
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      if (dot) fr++;
    } else if (c === DOT && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  const digits = j - ds - (dot ? 1 : 0);
  if (digits > 0) {
    const c = j < e ? buf[j]! : SP;
    if (c === COMMA || c === SP) {
      out.numIsInt = false;
      out.numCheck = j - i >= 25;
      const v = m < 9007199254740992 && fr <= 22 ? (fr === 0 ? m : m / POW10[fr]!) : Number.NaN;
      out.numValue = ds > i ? -v : v;
      return j;
    }
    if (c === 0x69 /* i */ && !dot) {
      const t = j + 1 < e ? buf[j + 1]! : SP;
      if (t === COMMA || t === SP) {
        out.numIsInt = true;
        out.numCheck = false;
        const v = m < 9007199254740992 ? m : Number.NaN;
        out.numValue = ds > i ? -v : v;
        return j + 1;
      }
    }
  }
  return -1;
}

function scanNumberSlow(buf: Uint8Array, i: number, e: number, out: FieldScan): number {
  const start = i;
  let isInt = false;
  let isUnsigned = false;
  if (i < e && buf[i] === MINUS) {
    i++;
    if (i === e) {
      out.error = 'invalid number';
      return -(i + 1);
    }
  }
  let decimal = false;
  let scientific = false;
  let mant = 0;
  let frac = 0;
  for (; i < e; ) {
    const c = buf[i]!;
    if (c === COMMA || c === SP) break;
    if (c === 0x69 /* i */ && i > start && !(isInt || isUnsigned)) {
      isInt = true;
      i++;
      continue;
    } else if (c === 0x75 /* u */ && i > start && !(isInt || isUnsigned)) {
      isUnsigned = true;
      i++;
      continue;
    }
    if (c === DOT) {
      if (decimal) {
        out.error = 'invalid number';
        return -(i + 1);
      }
      decimal = true;
    }
    if (i > start && (c === 0x65 || c === 0x45) /* e E */) {
      scientific = true;
      i++;
      continue;
    }
    if ((c === 0x2b /* + */ || c === MINUS) && (buf[i - 1] === 0x65 || buf[i - 1] === 0x45)) {
      i++;
      continue;
    }
    if (i + 2 < e && (c === 0x4e || c === 0x6e) /* N n */) {
      out.error = 'invalid number';
      return -(i + 1);
    }
    if (c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      if (decimal) frac++;
    } else if (c !== DOT) {
      out.error = 'invalid number';
      return -(i + 1);
    }
    i++;
  }
  if ((isInt || isUnsigned) && (decimal || scientific)) {
    out.error = 'invalid number';
    return -(i + 1);
  }
  let numericDigits = i - start;
  if (isInt) numericDigits--;
  if (decimal) numericDigits--;
  if (buf[start] === MINUS) numericDigits--;
  if (numericDigits === 0) {
    out.error = 'invalid number';
    return -(i + 1);
  }
  if (isUnsigned) {
    // unsigned integers are disabled in 1.6 (enableUint64Support = false)
    out.error = 'invalid number';
    return -(i + 1);
  }
  if (isInt && buf[i - 1] !== 0x69) {
    out.error = 'invalid number';
    return -(i + 1);
  }
  out.numIsInt = isInt;
  out.numCheck = !isInt && (scientific || i - start >= 25);
  // exact value when the digits fit 2^53 and the power of ten is exact (Clinger's fast path), else NaN
  if (scientific || mant >= 9007199254740992 || frac > 22) {
    out.numValue = Number.NaN;
  } else {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    out.numValue = buf[start] === MINUS ? -v : v;
  }
  return i;
}

/** InfluxDB's scanBoolean from `i`; returns the end index or -(index + 1) on `invalid boolean`. */
function scanBoolean(buf: Uint8Array, i: number, e: number): number {
  const start = i;
  const c0 = buf[i]!;
  if (i < e && c0 !== 0x74 && c0 !== 0x66 && c0 !== 0x54 && c0 !== 0x46) return -(i + 1);
  i++;
  while (i < e) {
    const c = buf[i]!;
    if (c === COMMA || c === SP) break;
    i++;
  }
  const n = i - start;
  if (n === 1) return i;
  if ((c0 === 0x74 || c0 === 0x54) && n !== 4) return -(i + 1);
  if ((c0 === 0x66 || c0 === 0x46) && n !== 5) return -(i + 1);
  let ok = false;
  switch (c0) {
    case 0x74:
      ok = same(buf, start, 'true');
      break;
    case 0x66:
      ok = same(buf, start, 'false');
      break;
    case 0x54:
      ok = same(buf, start, 'TRUE') || same(buf, start, 'True');
      break;
    default:
      ok = same(buf, start, 'FALSE') || same(buf, start, 'False');
  }
  return ok ? i : -(i + 1);
}

function same(buf: Uint8Array, s: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (buf[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Go's error for an int64 literal out of range, or '' when buf[s, e) is in range. */
function intRangeError(buf: Uint8Array, s: number, e: number): string {
  if (parseIntRange(buf, s, e) !== undefined) return '';
  const text = decodeUtf8(buf, s, e);
  return `unable to parse integer ${text}: strconv.ParseInt: parsing "${text}": value out of range`;
}

/** `invalid float` when Go's ParseFloat rejects buf[s, e) (syntax or overflow), else ''. */
function floatRangeError(buf: Uint8Array, s: number, e: number): string {
  return Number.isFinite(Number(decodeUtf8(buf, s, e))) ? '' : 'invalid float';
}
