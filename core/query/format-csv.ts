import { escapeTag } from '../model/series-key.js';
import { epochDivisor, goPlainFloat } from './go-format.js';
import { byteOrder, isTimeCell, type QueryResponse } from './format-json.js';
import type { Series, Value } from './result.js';

/** Go's encoding/csv quoting rule. */
function csvField(f: string): string {
  if (f === '') return f;
  const needs = f === '\\.' || /[,"\r\n]/.test(f) || /^[\s\u0085\u00a0]/u.test(f);
  if (!needs) return f;
  return `"${f.replace(/"/g, '""')}"`;
}

function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + '\n';
}

function tagsText(s: Series): string {
  if (s.tags === undefined) return '';
  const keys = Object.keys(s.tags)
    .filter((k) => s.tags![k] !== '')
    .sort(byteOrder);
  return keys.map((k) => `${escapeTag(k)}=${escapeTag(s.tags![k]!)}`).join(',');
}

function cellText(s: Series, i: number, v: Value, divisor: bigint): string {
  if (isTimeCell(s, i, v)) return ((v as bigint) / divisor).toString();
  switch (typeof v) {
    case 'number':
      return goPlainFloat(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return '';
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * InfluxDB 1.6.7's CSV writer (`Accept: application/csv` or `text/csv`). Stateful across the chunks of
 * one response: a header `name,tags,<columns>` is written when a statement starts or the columns
 * change, with a blank line between blocks; statement errors are not written (as 1.6.7); an HTTP-level
 * error is `error` and its text. Times are nanoseconds unless `epoch` asks otherwise.
 */
export class CsvFormatter {
  private statementId = -1;
  private columns: string[] = [];
  private readonly divisor: bigint;

  /** `epoch`: the request's epoch parameter ('' = nanoseconds). */
  constructor(epoch?: string) {
    this.divisor = epoch === undefined || epoch === '' ? 1n : epochDivisor(epoch);
  }

  /** Renders one response (the whole answer, or one chunk of a chunked answer). */
  write(resp: QueryResponse): string {
    if (resp.error !== undefined && resp.error !== '') return csvLine(['error']) + csvLine([resp.error]);
    let out = '';
    for (const result of resp.results ?? []) {
      const series = result.series ?? [];
      if (result.statement_id !== this.statementId) {
        if (series.length === 0) continue;
        if (this.statementId >= 0) out += '\n';
        this.statementId = result.statement_id;
        this.columns = series[0]!.columns;
        out += csvLine(['name', 'tags', ...this.columns]);
      }
      series.forEach((row, i) => {
        if (i > 0 && !sameColumns(series[i - 1]!.columns, row.columns)) {
          out += '\n';
          this.columns = row.columns;
          out += csvLine(['name', 'tags', ...this.columns]);
        }
        const tags = tagsText(row);
        for (const values of row.values) {
          out += csvLine([row.name, tags, ...values.map((v, j) => cellText(row, j, v, this.divisor))]);
        }
      });
    }
    return out;
  }
}
