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
  if (epoch === undefined || epoch === '') return goJsonString(rfc3339Nano(ns));
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

function seriesNode(s: Series, epoch: string | undefined): JObject {
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
      { a: s.values.map((row) => ({ a: row.map((v, i) => (isTimeCell(s, i, v) ? timeNode(v as bigint, epoch) : valueNode(v))) })) },
    ]);
  }
  if (s.partial === true) o.push(['partial', 'true']);
  return { o };
}

function resultNode(r: StatementResult, epoch: string | undefined): JObject {
  const o: Array<[string, JNode]> = [['statement_id', String(r.statement_id)]];
  if (r.series !== undefined && r.series.length > 0) o.push(['series', { a: r.series.map((s) => seriesNode(s, epoch)) }]);
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

/**
 * One response document as InfluxDB 1.6.7 writes it (encoding/json of its Response), followed by "\n".
 * A value JSON cannot carry (NaN, ±Inf) makes the document Go's error text instead, as InfluxDB does.
 */
export function formatJson(resp: QueryResponse, opts: FormatOptions = {}): string {
  const o: Array<[string, JNode]> = [];
  try {
    if (resp.results !== undefined && resp.results.length > 0) {
      o.push(['results', { a: resp.results.map((r) => resultNode(r, opts.epoch)) }]);
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
