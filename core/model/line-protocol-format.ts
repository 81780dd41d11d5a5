import { TesseraError } from '../errors.js';
import type { FieldValue, Point } from './point.js';
import { type Precision, precisionMultiplier } from './line-protocol-precision.js';

const MEASUREMENT_SPECIAL = /[,= "]/g;
const TAG_SPECIAL = /[,= ]/g;
const FIELD_KEY_SPECIAL = /[,= "]/g;
const STRING_SPECIAL = /["\\]/g;
// a run of an odd number of backslashes right before a character the field-key scanner would pair with it
const FIELD_KEY_BAD_BACKSLASHES = /(?<!\\)(?:\\\\)*\\[,= "]/;

/**
 * One line of line protocol (no trailing newline) for `p`, with every escape InfluxDB 1.6.7 needs:
 * measurement `,` ` ` `=` `"`; tag keys and values `,` ` ` `=`; field keys `,` ` ` `=` `"`; string values
 * `\` and `"`. Floats use the shortest text that reads back to the same double (`-0` kept); integers get
 * the `i` suffix. The timestamp is `p.time` in `precision` units (truncated toward zero, as InfluxDB's
 * PrecisionString); default ns.
 *
 * Some names cannot travel in line protocol at all (InfluxDB cannot read them either): a newline in a
 * name, a name ending in a backslash, a measurement starting with `#`, a tab or a NUL, a field key starting
 * with a tab or a NUL or holding an odd run of backslashes before `,` ` ` `=` `"`, a NaN or infinite float.
 * Those throw ERR_LINE_PROTOCOL, as does a point without fields.
 */
export function formatPoint(p: Point, precision: Precision = 'ns'): string {
  if (!canCarry(p.measurement) || /^[#\t\0]/.test(p.measurement)) throw unsupported('measurement', p.measurement);
  let line = p.measurement.replace(MEASUREMENT_SPECIAL, escapeChar);
  for (const [k, v] of p.tags) {
    if (v === '') continue;
    if (!canCarry(k)) throw unsupported('tag key', k);
    if (!canCarry(v)) throw unsupported('tag value', v);
    line += `,${k.replace(TAG_SPECIAL, escapeChar)}=${v.replace(TAG_SPECIAL, escapeChar)}`;
  }
  if (p.fields.length === 0) throw new TesseraError('ERR_LINE_PROTOCOL', `point "${p.key}" has no fields`);
  let sep = ' ';
  for (const [k, v] of p.fields) {
    if (!canCarry(k) || /^[\t\0]/.test(k) || FIELD_KEY_BAD_BACKSLASHES.test(k)) throw unsupported('field key', k);
    line += `${sep}${k.replace(FIELD_KEY_SPECIAL, escapeChar)}=${formatValue(k, v)}`;
    sep = ',';
  }
  const unit = precisionMultiplier(precision);
  return `${line} ${unit === 1n ? p.time : p.time / unit}`;
}

/** Text of one field value as line protocol writes it. */
export function formatValue(key: string, v: FieldValue): string {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw unsupported(`value of field "${key}"`, String(v));
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}i`;
    case 'string':
      return `"${v.replace(STRING_SPECIAL, escapeChar)}"`;
    default:
      return v ? 'true' : 'false';
  }
}

function escapeChar(c: string): string {
  return `\\${c}`;
}

function canCarry(name: string): boolean {
  return name !== '' && !name.includes('\n') && !name.endsWith('\\');
}

function unsupported(what: string, text: string): TesseraError {
  return new TesseraError('ERR_LINE_PROTOCOL', `line protocol cannot carry this ${what}: ${JSON.stringify(text)}`);
}
