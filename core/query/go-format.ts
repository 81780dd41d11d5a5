/**
 * Number, string and time renderings exactly as InfluxDB 1.6.7's Go runtime writes them
 * (encoding/json, strconv, time.RFC3339Nano), so clients that compare bytes see the same text.
 */

/** Go's encoding/json rendering of a float64 (shortest form; 'e' below 1e-6 and from 1e21). Throws on NaN/±Inf as Go does. */
export function goJsonFloat(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${goFloatSpecialName(v)}`);
  if (Object.is(v, -0)) return '-0';
  // JS Number#toString picks the same shortest digits and the same exponent thresholds as Go;
  // Go writes a two-digit negative exponent ("e-07") and then trims it back to "e-7".
  return String(v);
}

function goFloatSpecialName(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function goPlainFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  let mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  let sign = '';
  if (mantissa.startsWith('-')) {
    sign = '-';
    mantissa = mantissa.slice(1);
  }
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  if (intLen <= 0) return `${sign}0.${'0'.repeat(-intLen)}${digits}`;
  if (intLen >= digits.length) return sign + digits + '0'.repeat(intLen - digits.length);
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

const HEX = '0123456789abcdef';

const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal as Go's encoding/json writes it (HTML-safe: <, >, & escaped; U+2028/9 escaped). */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = c >= 0x2028 ? `\\u${c.toString(16)}` : `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot come from valid UTF-8; Go writes U+FFFD for invalid bytes.
      const pair = c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        i++;
        continue;
      }
      esc = '\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

const NS_PER_SEC = 1_000_000_000n;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? '0' : '') + String(i));
let lastDay = Number.NaN;
let dayPrefix = '';

/** time.Time.Format(time.RFC3339Nano) in UTC for a nanosecond timestamp: fraction trimmed of trailing zeros. */
export function rfc3339Nano(ns: bigint): string {
  let sec = ns / NS_PER_SEC;
  let frac = ns % NS_PER_SEC;
  if (frac < 0n) {
    frac += NS_PER_SEC;
    sec -= 1n;
  }
  const s = Number(sec); // |s| < 2^34: exact
  const day = Math.floor(s / 86_400);
  // Consecutive rows usually share the day: reuse its formatted date.
  if (day !== lastDay) {
    const d = new Date(day * 86_400_000);
    const year = d.getUTCFullYear();
    dayPrefix = `${year < 0 ? '-' + pad(-year, 4) : pad(year, 4)}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}T`;
    lastDay = day;
  }
  const sod = s - day * 86_400;
  const hh = Math.floor(sod / 3600);
  const mm = Math.floor((sod - hh * 3600) / 60);
  const time = `${dayPrefix}${TWO_DIGITS[hh]}:${TWO_DIGITS[mm]}:${TWO_DIGITS[sod - hh * 3600 - mm * 60]}`;
  if (frac === 0n) return time + 'Z';
  let f = frac.toString().padStart(9, '0');
  let end = 9;
  while (f.charCodeAt(end - 1) === 48) end--;
  if (end < 9) f = f.slice(0, end);
  return `${time}.${f}Z`;
}

/** Divisors of the `epoch` query parameter; any other non-empty value means nanoseconds (as 1.6.7). */
export function epochDivisor(epoch: string): bigint {
  switch (epoch) {
    case 'u':
      return 1_000n;
    case 'ms':
      return 1_000_000n;
    case 's':
      return NS_PER_SEC;
    case 'm':
      return 60n * NS_PER_SEC;
    case 'h':
      return 3600n * NS_PER_SEC;
    default:
      return 1n;
  }
}

/** time.Duration.String() for a nanosecond duration (e.g. `168h0m0s`, `1h30m0s`, `0s`, `1.5s`, `500ms`). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < NS_PER_SEC) {
    // Sub-second: the largest unit that keeps a leading digit (ns, µs, ms).
    let unit: string;
    let scale: bigint;
    if (u < 1_000n) {
      unit = 'ns';
      scale = 1n;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      scale = 1_000n;
    } else {
      unit = 'ms';
      scale = 1_000_000n;
    }
    out = fracText(u, scale) + unit;
  } else {
    const secs = fracText(u % (60n * NS_PER_SEC), NS_PER_SEC) + 's';
    u /= 60n * NS_PER_SEC;
    if (u === 0n) out = secs;
    else {
      const mins = `${u % 60n}m`;
      u /= 60n;
      out = u === 0n ? mins + secs : `${u}h${mins}${secs}`;
    }
  }
  return neg ? '-' + out : out;
}

function fracText(v: bigint, scale: bigint): string {
  const whole = v / scale;
  const frac = v % scale;
  if (frac === 0n) return whole.toString();
  const width = scale.toString().length - 1;
  return `${whole}.${frac.toString().padStart(width, '0').replace(/0+$/, '')}`;
}
