/**
 * The shapes a query produces, before formatting. They mirror InfluxDB 1.x's JSON results: a
 * formatter turns them into JSON (format-json.ts) or CSV (format-csv.ts).
 */

/** One cell: float = number, integer = bigint (exact int64), string, boolean, or null (no value). */
export type Value = number | bigint | string | boolean | null;

/**
 * One series of a result. In SELECT results the first column is `time` and its values are bigint
 * nanoseconds since the epoch; the formatter converts them per `epoch` (RFC3339 when absent).
 */
export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: Value[][];
  /** Set on a chunk of a series that continues in the next chunk (chunked responses). */
  partial?: boolean;
}

/** A message attached to a statement's result (e.g. deprecation warnings). */
export interface ResultMessage {
  level: string;
  text: string;
}

/** The result of one statement, as InfluxDB 1.x reports it. */
export interface StatementResult {
  statement_id: number;
  series?: Series[];
  messages?: ResultMessage[];
  error?: string;
  /** Set on a chunk of a statement's result that continues in the next chunk (chunked responses). */
  partial?: boolean;
}
