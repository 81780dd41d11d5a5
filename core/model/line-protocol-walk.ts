// The slow path for odd field sections: split them into fields the way InfluxDB 1.6.7's field iterator does
// (key up to the first '=' whose previous byte is not a backslash; value up to the first ',' outside
// double quotes, where `\"` and `\\` are skipped), which can differ from how its validator split them.
import { KIND_BOOL_FALSE, KIND_BOOL_TRUE, KIND_FLOAT, KIND_INT, KIND_STRING, type FieldScan } from './line-protocol-fields.js';
import { BS, COMMA, EQ, QUOTE, SP, TAB, decodeUtf8 } from './line-protocol-scan.js';

const NUMERIC_START = new Set('0123456789-.nNiIu'.split('').map((c) => c.charCodeAt(0)));
const BOOLS_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const BOOLS_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Re-splits the (validated) field section that starts after `keyEnd` and ends at `fs.end` into `fs`, as
 * InfluxDB's iterator would. Returns false where InfluxDB would fail at write time or panic (a key without
 * a following '=', an empty value, a value its typed getters cannot read).
 */
export function walkFieldsLikeInflux(buf: Uint8Array, keyEnd: number, fs: FieldScan): boolean {
  let start = keyEnd;
  while (start < fs.end) {
    const c = buf[start]!;
    if (c !== SP && c !== TAB && c !== 0) break;
    start++;
  }
  const end = fs.end;
  fs.count = 0;
  let p = start;
  while (p < end) {
    let k = p;
    while (k < end && !(buf[k] === EQ && (k === p || buf[k - 1] !== BS))) k++;
    if (k >= end) return false;
    let v = k + 1;
    let quoted = false;
    while (v < end) {
      const c = buf[v]!;
      if (c === BS && v + 1 < end && (buf[v + 1] === QUOTE || buf[v + 1] === BS)) {
        v += 2;
        continue;
      }
      if (c === QUOTE) {
        quoted = !quoted;
        v++;
        continue;
      }
      if (c === COMMA && !quoted) break;
      v++;
    }
    const vs = k + 1;
    if (v === vs) return false;
    const first = buf[vs]!;
    if (first === QUOTE) {
      if (v - vs < 2) return false;
      fs.push(p, k, vs, v, KIND_STRING);
    } else if (NUMERIC_START.has(first)) {
      const last = buf[v - 1]!;
      if (last === 0x75 /* u */) return false;
      if (last === 0x69 /* i */) {
        if (!/^[+-]?\d+$/.test(decodeUtf8(buf, vs, v - 1))) return false;
        const n = BigInt(decodeUtf8(buf, vs, v - 1));
        if (n > 9223372036854775807n || n < -9223372036854775808n) return false;
        fs.push(p, k, vs, v - 1, KIND_INT);
      } else {
        const text = decodeUtf8(buf, vs, v);
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(Number(text))) return false;
        fs.push(p, k, vs, v, KIND_FLOAT);
      }
    } else {
      const text = decodeUtf8(buf, vs, v);
      if (BOOLS_TRUE.has(text)) fs.push(p, k, vs, v, KIND_BOOL_TRUE);
      else if (BOOLS_FALSE.has(text)) fs.push(p, k, vs, v, KIND_BOOL_FALSE);
      else return false;
    }
    p = v + 1;
  }
  return true;
}
