import type { Series, StatementResult } from './result.js';

function sameTags(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = a === undefined ? [] : Object.keys(a).filter((k) => a[k] !== '');
  const kb = b === undefined ? [] : Object.keys(b).filter((k) => b[k] !== '');
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (a![k] !== b?.[k]) return false;
  return true;
}

/** Same name and tags (InfluxDB's Row.SameSeries). */
export function sameSeries(a: Series, b: Series): boolean {
  return a.name === b.name && sameTags(a.tags, b.tags);
}

/**
 * Adds one result to a non-chunked response the way InfluxDB 1.6.7's handler buffers them: a result
 * for the same statement as the last one is merged into it (rows of the same series appended, other
 * series added, `partial` taken from the newer piece, and an error replacing the whole result — which
 * is why a failed statement followed by others reads `not executed`). The series `partial` flags of
 * merged pieces are kept as they were, as InfluxDB does. `acc` is mutated; `r` may be copied into it.
 */
export function mergeResult(acc: StatementResult[], r: StatementResult): void {
  const last = acc[acc.length - 1];
  if (last === undefined || last.statement_id !== r.statement_id) {
    acc.push(copyResult(r));
    return;
  }
  if (r.error !== undefined && r.error !== '') {
    acc[acc.length - 1] = copyResult(r);
    return;
  }
  const incoming = r.series ?? [];
  let merged = 0;
  const series = last.series ?? (last.series = []);
  if (series.length > 0) {
    const lastSeries = series[series.length - 1]!;
    for (const row of incoming) {
      if (!sameSeries(lastSeries, row)) break;
      for (const v of row.values) lastSeries.values.push(v);
      merged++;
    }
  }
  for (const s of incoming.slice(merged)) series.push(copySeries(s));
  if (r.messages !== undefined) (last.messages ??= []).push(...r.messages);
  if (r.partial === true) last.partial = true;
  else delete last.partial;
}

function copySeries(s: Series): Series {
  const c: Series = { name: s.name, columns: s.columns, values: s.values.slice() };
  if (s.tags !== undefined) c.tags = s.tags;
  if (s.partial !== undefined) c.partial = s.partial;
  return c;
}

function copyResult(r: StatementResult): StatementResult {
  const c: StatementResult = { statement_id: r.statement_id };
  if (r.series !== undefined) c.series = r.series.map(copySeries);
  if (r.messages !== undefined) c.messages = r.messages.slice();
  if (r.error !== undefined) c.error = r.error;
  if (r.partial !== undefined) c.partial = r.partial;
  return c;
}
