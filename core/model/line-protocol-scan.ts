// Byte-level helpers of the line-protocol parser that follow InfluxDB 1.6.7's models/points.go scanners
// exactly, including their quirks (a backslash escapes whatever byte follows it when scanning structure;
// only `\\` and `\"` are escapes inside string values).

export const SP = 0x20;
export const TAB = 0x09;
export const NL = 0x0a;
export const COMMA = 0x2c;
export const EQ = 0x3d;
export const BS = 0x5c;
export const QUOTE = 0x22;
export const HASH = 0x23;
export const MINUS = 0x2d;
export const DOT = 0x2e;

/**
 * End of the line starting at `i` (index of the terminating `\n`, or buf.length), as InfluxDB's scanLine:
 * a backslash skips the next byte (when two more bytes follow), and a `\n` inside a quoted field value
 * does not end the line.
 */
export function scanLineEnd(buf: Uint8Array, i: number, len: number): number {
  let quoted = false;
  let fields = false;
  let equals = 0;
  let commas = 0;
  while (i < len) {
    const c = buf[i]!;
    if (c === BS && i + 2 < len) {
      i += 2;
      continue;
    }
    if (c === SP) fields = true;
    if (fields) {
      if (!quoted && c === EQ) {
        i++;
        equals++;
        continue;
      } else if (!quoted && c === COMMA) {
        i++;
        commas++;
        continue;
      } else if (c === QUOTE && equals > commas) {
        i++;
        quoted = !quoted;
        continue;
      }
    }
    if (c === NL && !quoted) break;
    i++;
  }
  return i;
}

/** Decodes buf[s, e) as UTF-8. */
export function decodeUtf8(buf: Uint8Array, s: number, e: number): string {
  return (buf as Buffer).toString('utf8', s, e);
}

/** Decodes buf[s, e) as Latin-1 (one char per byte): for ASCII text, and as an injective byte -> string map. */
export function decodeLatin1(buf: Uint8Array, s: number, e: number): string {
  return (buf as Buffer & { latin1Slice(s: number, e: number): string }).latin1Slice(s, e);
}

/** True when buf[s, e) holds a backslash. */
export function hasBackslash(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] === BS) return true;
  return false;
}

/**
 * Decodes buf[s, e) dropping the backslash in front of each byte of `set` (a 128-entry table), the way
 * InfluxDB unescapes names: measurement `\,` `\ ` `\=` `\"`; tag keys and values `\,` `\ ` `\=`; field keys
 * `\,` `\ ` `\=` `\"`. Every other backslash is kept.
 */
export function decodeUnescaped(buf: Uint8Array, s: number, e: number, set: Uint8Array): string {
  const out = Buffer.allocUnsafe(e - s);
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c === BS && i + 1 < e) {
      const d = buf[i + 1]!;
      if (d < 128 && set[d] === 1) {
        out[n++] = d;
        i++;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.toString('utf8', 0, n);
}

function charSet(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** Escapes removed from measurement names and field keys (pkg/escape: `,` `"` space `=`). */
export const NAME_ESCAPES = charSet(',"= ');
/** Escapes removed from tag keys and values (`,` space `=`). */
export const TAG_ESCAPES = charSet(',= ');

/** Decodes a string field's inner bytes buf[s, e): `\\` -> `\` and `\"` -> `"`, other backslashes kept. */
export function decodeStringField(buf: Uint8Array, s: number, e: number): string {
  let i = s;
  while (i < e && buf[i] !== BS) i++;
  if (i === e) return decodeUtf8(buf, s, e);
  const out = Buffer.allocUnsafe(e - s);
  let n = 0;
  for (i = s; i < e; i++) {
    const c = buf[i]!;
    if (c === BS && i + 1 < e) {
      const d = buf[i + 1]!;
      if (d === BS || d === QUOTE) {
        out[n++] = d;
        i++;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.toString('utf8', 0, n);
}

/** Byte-wise comparison of buf[a0, a1) and buf[b0, b1) (negative, zero or positive). */
export function compareRanges(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = buf[a0 + k]! - buf[b0 + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/**
 * The int64 in buf[s, e) (optional `-`, decimal digits) as a bigint, or undefined when it is out of range
 * (the caller builds Go's strconv message).
 */
export function parseIntRange(buf: Uint8Array, s: number, e: number): bigint | undefined {
  const neg = buf[s] === MINUS;
  const d0 = neg ? s + 1 : s;
  if (e - d0 <= 15) {
    let n = 0;
    for (let i = d0; i < e; i++) n = n * 10 + (buf[i]! - 0x30);
    return BigInt(neg ? -n : n);
  }
  let v: bigint;
  if (e - d0 <= 19) {
    // two exact halves (at most 10 and 9 digits): cheaper than BigInt(string)
    const m = e - 9;
    let hi = 0;
    let lo = 0;
    for (let i = d0; i < m; i++) hi = hi * 10 + (buf[i]! - 0x30);
    for (let i = m; i < e; i++) lo = lo * 10 + (buf[i]! - 0x30);
    v = BigInt(hi) * 1_000_000_000n + BigInt(lo);
    if (neg) v = -v;
  } else {
    v = BigInt(decodeLatin1(buf, s, e));
  }
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}
