import { epochDivisor, goJsonFloat, goJsonString, rfc3339Nano } from './go-format.js';
import type { Series, StatementResult, Value } from './result.js';

/** A whole /query answer: the results, or an HTTP-level error (never both in practice). */
export interface QueryResponse {
  results?: StatementResult[];
  error?: string;
}

/** How results are rendered. */
export interface FormatOptions {
  /** `epoch` parameter: '' or undefined = RFC3339Nano strings; h/m/s/ms/u = integers; anything else = ns. */
  epoch?: string;
  /** Go's MarshalIndent with four spaces. */
  pretty?: boolean;
}

type JNode = string | JArray | JObject;
interface JArray {
  readonly a: JNode[];
}
interface JObject {
  readonly o: Array<[string, JNode]>;
}

/**
 * The time cell of a row, as InfluxDB's handler converts it: the first value of a series whose first
 * column is `time` and that holds a bigint (ns). Other cells are left as they are.
 */
export function isTimeCell(series: Series, index: number, value: Value): boolean {
  return index === 0 && typeof value === 'bigint' && series.columns[0] === 'time';
}

function timeNode(ns: bigint, epoch: string | undefined): string {
  if (epoch === undefined || epoch === '') return `"${rfc3339Nano(ns)}"`; // digits, '-', ':', '.', 'T', 'Z': nothing to escape
  return (ns / epochDivisor(epoch)).toString();
}

function valueNode(v: Value): string {
  switch (typeof v) {
    case 'number':
      return goJsonFloat(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return goJsonString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'null';
  }
}

/** The values array written compactly in one pass (the hot path: no per-cell nodes). */
function compactValues(s: Series, epoch: string | undefined): string {
  const timeFirst = s.columns[0] === 'time';
  const rows: string[] = new Array<string>(s.values.length);
  for (let r = 0; r < s.values.length; r++) {
    const row = s.values[r]!;
    let line = '[';
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (i > 0) line += ',';
      line += i === 0 && timeFirst && typeof v === 'bigint' ? timeNode(v, epoch) : valueNode(v);
    }
    rows[r] = line + ']';
  }
  return '[' + rows.join(',') + ']';
}

function seriesNode(s: Series, epoch: string | undefined, pretty: boolean): JObject {
  const o: Array<[string, JNode]> = [];
  if (s.name !== '') o.push(['name', goJsonString(s.name)]);
  if (s.tags !== undefined) {
    const keys = Object.keys(s.tags).sort(byteOrder);
    if (keys.length > 0) o.push(['tags', { o: keys.map((k): [string, JNode] => [k, goJsonString(s.tags![k]!)]) }]);
  }
  if (s.columns.length > 0) o.push(['columns', { a: s.columns.map(goJsonString) }]);
  if (s.values.length > 0) {
    o.push([
      'values',
      pretty
        ? { a: s.values.map((row) => ({ a: row.map((v, i) => (isTimeCell(s, i, v) ? timeNode(v as bigint, epoch) : valueNode(v))) })) }
        : compactValues(s, epoch),
    ]);
  }
  if (s.partial === true) o.push(['partial', 'true']);
  return { o };
}

function resultNode(r: StatementResult, epoch: string | undefined, pretty: boolean): JObject {
  const o: Array<[string, JNode]> = [['statement_id', String(r.statement_id)]];
  if (r.series !== undefined && r.series.length > 0) o.push(['series', { a: r.series.map((s) => seriesNode(s, epoch, pretty)) }]);
  if (r.messages !== undefined && r.messages.length > 0) {
    o.push([
      'messages',
      { a: r.messages.map((m) => ({ o: [['level', goJsonString(m.level)], ['text', goJsonString(m.text)]] as Array<[string, JNode]> })) },
    ]);
  }
  if (r.partial === true) o.push(['partial', 'true']);
  if (r.error !== undefined && r.error !== '') o.push(['error', goJsonString(r.error)]);
  return { o };
}

function write(n: JNode, pretty: boolean, depth: number): string {
  if (typeof n === 'string') return n;
  const isArray = 'a' in n;
  const items = isArray ? n.a : n.o;
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  const parts: string[] = [];
  const colon = pretty ? ': ' : ':';
  if (isArray) for (const c of n.a) parts.push(write(c, pretty, depth + 1));
  else for (const [k, v] of n.o) parts.push(goJsonString(k) + colon + write(v, pretty, depth + 1));
  if (!pretty) return open + parts.join(',') + close;
  const inner = '\n' + '    '.repeat(depth + 1);
  return open + inner + parts.join(',' + inner) + '\n' + '    '.repeat(depth) + close;
}

const ROWS_PER_PART = 4096;

function nonFinite(resp: QueryResponse): string | undefined {
  for (const r of resp.results ?? []) {
    for (const s of r.series ?? []) {
      for (const row of s.values) {
        for (const v of row) {
          if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
        }
      }
    }
  }
  return undefined;
}

/**
 * The compact document of formatJson in consecutive parts (a few thousand rows each), so a large
 * answer is written without building one string; the concatenation equals formatJson's output.
 */
export function* formatJsonParts(resp: QueryResponse, opts: FormatOptions = {}): Generator<string> {
  if (opts.pretty === true) {
    yield formatJson(resp, opts);
    return;
  }
  const bad = nonFinite(resp);
  if (bad !== undefined) {
    yield `json: unsupported value: ${bad}\n`;
    return;
  }
  const results = resp.results ?? [];
  const error = resp.error !== undefined && resp.error !== '' ? goJsonString(resp.error) : undefined;
  if (results.length === 0) {
    yield error === undefined ? '{}\n' : `{"error":${error}}\n`;
    return;
  }
  let head = '{"results":[';
  for (const [ri, r] of results.entries()) {
    head += (ri > 0 ? ',' : '') + `{"statement_id":${r.statement_id}`;
    const series = r.series ?? [];
    if (series.length > 0) {
      head += ',"series":[';
      for (const [si, s] of series.entries()) {
        const bare: Series = { name: s.name, columns: s.columns, values: [] };
        if (s.tags !== undefined) bare.tags = s.tags;
        const { o } = seriesNode(bare, opts.epoch, false);
        head += (si > 0 ? ',' : '') + write({ o }, false, 0).slice(0, -1);
        if (s.values.length > 0) {
          head += (o.length > 0 ? ',' : '') + '"values":[';
          for (let i = 0; i < s.values.length; i += ROWS_PER_PART) {
            const part = compactValues({ ...s, values: s.values.slice(i, i + ROWS_PER_PART) }, opts.epoch);
            yield head + (i > 0 ? ',' : '') + part.slice(1, -1);
            head = '';
          }
          head += ']';
        }
        if (s.partial === true) head += ',"partial":true';
        head += '}';
      }
      head += ']';
    }
    const rest = write(resultNode({ ...r, series: [] }, opts.epoch, false), false, 0);
    // resultNode without series: `{"statement_id":N` + the remaining fields.
    head += rest.slice(`{"statement_id":${r.statement_id}`.length);
  }
  yield head + ']' + (error === undefined ? '' : `,"error":${error}`) + '}\n';
}

/**
 * One response document as InfluxDB 1.6.7 writes it (encoding/json of its Response), followed by "\n".
 * A value JSON cannot carry (NaN, ±Inf) makes the document Go's error text instead, as InfluxDB does.
 */
export function formatJson(resp: QueryResponse, opts: FormatOptions = {}): string {
  const o: Array<[string, JNode]> = [];
  try {
    if (resp.results !== undefined && resp.results.length > 0) {
      o.push(['results', { a: resp.results.map((r) => resultNode(r, opts.epoch, opts.pretty === true)) }]);
    }
  } catch (err) {
    return `${(err as Error).message}\n`;
  }
  if (resp.error !== undefined && resp.error !== '') o.push(['error', goJsonString(resp.error)]);
  return write({ o }, opts.pretty === true, 0) + '\n';
}

/** Byte order of UTF-16 strings for keys in the BMP (what Go's sort of map keys gives for them). */
export function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}
