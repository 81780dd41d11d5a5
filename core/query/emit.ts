import type { Series, StatementResult } from './result.js';

/** A statement's result before it gets its statement_id. */
export type Piece = Omit<StatementResult, 'statement_id'>;

/**
 * Splits complete series into the pieces InfluxDB's emitter sends: one series per result, at most
 * `chunkSize` rows each, the series flagged `partial` when it continues in the next piece and every
 * piece but the last flagged `partial`. No series gives one empty result (InfluxDB always emits one).
 */
export function emitSeries(list: readonly Series[], chunkSize: number): Piece[] {
  const pieces: Piece[] = [];
  const size = chunkSize > 0 ? chunkSize : Number.MAX_SAFE_INTEGER;
  for (const s of list) {
    if (s.values.length === 0) continue;
    for (let i = 0; i < s.values.length; i += size) {
      const part: Series = { ...s, values: s.values.slice(i, i + size) };
      delete part.partial;
      if (i + size < s.values.length) part.partial = true;
      pieces.push({ series: [part], partial: true });
    }
  }
  if (pieces.length === 0) return [{}];
  delete pieces[pieces.length - 1]!.partial;
  return pieces;
}

/** One result holding every series (SHOW statements InfluxDB answers in one piece). */
export function single(series: readonly Series[]): Piece[] {
  return series.length === 0 ? [{}] : [{ series: [...series] }];
}
