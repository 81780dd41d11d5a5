/**
 * Bound parameters (`$name`), as the InfluxQL shipped with InfluxDB 1.6.7 (Debian build) binds them:
 * each value becomes a token that replaces the `$name` token while scanning, so a parameter can
 * stand for a string, number, boolean, identifier, regex or duration. A value that cannot be bound
 * becomes an error token whose text surfaces when the parser reaches it.
 *
 * Accepted JS values: string, boolean, bigint (int64), number (integral → integer, else float),
 * literal nodes `{kind:'NumberLiteral'|'IntegerLiteral'|'StringLiteral'|'BooleanLiteral', value}`
 * (how HTTP decoding keeps `1.0` a float), null, arrays, and InfluxDB's typed one-entry objects
 * `{"ident": "cpu"}`, `{"regex": "^a"}`, `{"string": ..}`, `{"float"|"number": ..}`,
 * `{"int"|"integer": ..}`, `{"duration": "1h" | ns}`.
 */
import { formatDurationLiteral, type Tok } from './lexer.js';

/** The token a parameter scans as. 'BOUNDPARAM' with `lit` = message means "cannot bind". */
export interface BoundToken {
  readonly tok: Tok;
  readonly lit: string;
}

const error = (message: string): BoundToken => ({ tok: 'BOUNDPARAM', lit: message });

/** Bind every parameter; `undefined` values are treated as absent. */
export function bindParams(params: Record<string, unknown> | undefined): Map<string, BoundToken> {
  const out = new Map<string, BoundToken>();
  if (params === undefined) return out;
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) out.set(k, bindValue(v));
  }
  return out;
}

type Num = { int: bigint } | { float: number };

function asNumber(v: unknown): Num | null {
  if (typeof v === 'bigint') return { int: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { int: BigInt(v) } : { float: v };
  if (v !== null && typeof v === 'object') {
    const node = v as { kind?: unknown; value?: unknown };
    if (node.kind === 'IntegerLiteral' && typeof node.value === 'bigint') return { int: node.value };
    if (node.kind === 'NumberLiteral' && typeof node.value === 'number') return { float: node.value };
  }
  return null;
}

const numTok = (n: Num): BoundToken =>
  'int' in n ? { tok: 'INTEGER', lit: n.int.toString() } : { tok: 'NUMBER', lit: formatFloatPlain(n.float) };

function bindValue(v: unknown): BoundToken {
  if (typeof v === 'string') return { tok: 'STRING', lit: v };
  if (typeof v === 'boolean') return { tok: v ? 'TRUE' : 'FALSE', lit: '' };
  const n = asNumber(v);
  if (n !== null) return numTok(n);
  if (v === null) return error('unable to bind parameter with type <nil>');
  if (Array.isArray(v)) return error('unable to bind parameter with type []interface {}');
  if (typeof v === 'object') {
    const node = v as { kind?: unknown; value?: unknown };
    if (node.kind === 'StringLiteral' && typeof node.value === 'string') return { tok: 'STRING', lit: node.value };
    if (node.kind === 'BooleanLiteral' && typeof node.value === 'boolean') return bindValue(node.value);
    return bindObject(v as Record<string, unknown>);
  }
  return error(`unable to bind parameter with type ${typeof v}`);
}

function bindObject(m: Record<string, unknown>): BoundToken {
  const entries = Object.entries(m);
  if (entries.length !== 1) return error('bound object parameter value must have exactly one entry');
  const [k, v] = entries[0]!;
  const n = asNumber(v);
  switch (k) {
    case 'ident':
    case 'identifier':
      return typeof v === 'string' ? { tok: 'IDENT', lit: v } : error('identifier must be a string value');
    case 'regex':
      return typeof v === 'string' ? { tok: 'REGEX', lit: v } : error('regex literal must be a string value');
    case 'string':
      return typeof v === 'string' ? { tok: 'STRING', lit: v } : error('string literal must be a string value');
    case 'float':
    case 'number':
      if (n === null) return error('number literal must be a float value');
      return { tok: 'NUMBER', lit: formatFloatPlain('int' in n ? Number(n.int) : n.float) };
    case 'int':
    case 'integer':
      return n !== null && 'int' in n ? numTok(n) : error('integer literal must be an integer value');
    case 'duration':
      if (typeof v === 'string') return { tok: 'DURATIONVAL', lit: v };
      if (n !== null && 'int' in n) return { tok: 'DURATIONVAL', lit: formatDurationLiteral(n.int) };
      return error('duration literal must be a string or integer value');
    default:
      return error(`unknown bind object type: ${k}`);
  }
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatPlain(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const intLen = 1 + exp;
    return sign + (digits.length <= intLen ? digits.padEnd(intLen, '0') : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}
