/**
 * Public entry points of the InfluxQL parser. Errors are TesseraError('ERR_QUERY_PARSE') whose
 * message is exactly InfluxDB 1.6's HTTP error text (`error parsing query: ...`).
 */
import { TesseraError } from '../errors.js';
import type { Expr, Statement } from './ast.js';
import { tokstr } from './lexer.js';
import { expected, QueryParseError } from './parser-base.js';
import { StatementParser } from './parser-statements.js';

export { groupByInterval } from './parser-statements.js';
export { compileRegex } from './parser-regex.js';

/** Values for `$name` bound parameters (see parseQueryParams for exact integer/float typing). */
export type QueryParams = Record<string, unknown>;

function wrap(e: unknown): never {
  if (e instanceof QueryParseError) {
    throw new TesseraError('ERR_QUERY_PARSE', `error parsing query: ${e.message}`, { cause: e });
  }
  throw e;
}

/**
 * Parse `;`-separated InfluxQL statements. `$name` parameters are bound from `params` as InfluxDB
 * 1.6.7 binds them (see parser-params.ts): string, boolean, bigint (integer), number (integral →
 * integer, else float), literal nodes (as parseQueryParams returns), null/arrays (errors), and typed
 * one-entry objects like `{"ident": "cpu"}` or `{"duration": "1h"}`. An empty text gives [].
 * Throws TesseraError('ERR_QUERY_PARSE', 'error parsing query: ...').
 */
export function parseQuery(text: string, params?: QueryParams): Statement[] {
  const p = new StatementParser(text, params);
  const out: Statement[] = [];
  let semi = true;
  try {
    for (;;) {
      const t = p.scanIgnoreWhitespace();
      if (t.tok === 'EOF') return out;
      if (t.tok === ';') {
        semi = true;
        continue;
      }
      if (!semi) throw expected(tokstr(t.tok, t.lit), [';'], t.pos);
      p.unscan();
      out.push(p.parseStatement());
      semi = false;
    }
  } catch (e) {
    return wrap(e);
  }
}

/** Parse exactly one statement (trailing text other than `;`/blanks is an error). */
export function parseStatement(text: string, params?: QueryParams): Statement {
  const stmts = parseQuery(text, params);
  if (stmts.length !== 1) {
    throw new TesseraError('ERR_QUERY_PARSE', `error parsing query: expected one statement, got ${stmts.length}`);
  }
  return stmts[0]!;
}

/** Parse a standalone expression (e.g. a WHERE condition). */
export function parseExpr(text: string, params?: QueryParams): Expr {
  const p = new StatementParser(text, params);
  try {
    const e = p.parseExpr();
    const t = p.scanIgnoreWhitespace();
    if (t.tok !== 'EOF') throw expected(tokstr(t.tok, t.lit), ['EOF'], t.pos);
    return e;
  } catch (err) {
    return wrap(err);
  }
}

/**
 * Decode the HTTP `params` JSON object the way InfluxDB 1.6 does: a number written with a '.' is a
 * float (NumberLiteral), any other number must be an int64 (IntegerLiteral). Errors carry InfluxDB's
 * texts (`error parsing query parameters: ...` / `error parsing json value: ...`) and code
 * ERR_QUERY_PARSE. The result is meant for parseQuery's `params`.
 */
export function parseQueryParams(json: string): QueryParams {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new TesseraError('ERR_QUERY_PARSE', `error parsing query parameters: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TesseraError('ERR_QUERY_PARSE',
      'error parsing query parameters: json: cannot unmarshal value into Go value of type map[string]interface {}');
  }
  const numbers = topLevelNumberTexts(json);
  const out: QueryParams = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'number') {
      out[k] = v;
      continue;
    }
    const text = numbers.get(k) ?? String(v);
    if (text.includes('.')) {
      out[k] = { kind: 'NumberLiteral', value: v };
    } else if (/^-?\d+$/.test(text)) {
      const b = BigInt(text);
      if (b !== BigInt.asIntN(64, b)) {
        throw new TesseraError('ERR_QUERY_PARSE',
          `error parsing json value: strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
      }
      out[k] = { kind: 'IntegerLiteral', value: b };
    } else {
      throw new TesseraError('ERR_QUERY_PARSE',
        `error parsing json value: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
    }
  }
  return out;
}

/** Raw source text of each top-level numeric value in a JSON object (last duplicate wins). */
function topLevelNumberTexts(json: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /"((?:[^"\\]|\\.)*)"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*[,}]/g;
  let depth = 0;
  let i = 0;
  // Track nesting so numbers inside nested objects/arrays are ignored.
  const depthAt: number[] = new Array(json.length + 1);
  let inStr = false;
  for (; i < json.length; i++) {
    const c = json[i]!;
    depthAt[i] = depth;
    if (inStr) {
      if (c === '\\') {
        i++;
        depthAt[i] = depth;
      } else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  for (const m of json.matchAll(re)) {
    if (depthAt[m.index!] !== 1) continue;
    out.set(JSON.parse(`"${m[1]}"`) as string, m[2]!);
  }
  return out;
}
