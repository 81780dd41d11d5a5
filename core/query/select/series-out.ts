import type { Mapper } from '../../contracts/mapper.js';
import { TesseraError } from '../../errors.js';
import type { FieldType } from '../../model/point.js';
import type { SelectStatement } from '../ast.js';
import type { Series, Value } from '../result.js';
import type { SelectMapRequest } from './map-request.js';

/** A measurement to read and how to open mappers over it. */
export interface ReadTarget {
  name: string;
  /** A subquery's materialized rows (raw ties in series order). */
  subquery: boolean;
  fields: Map<string, FieldType>;
  tagKeys: Set<string>;
  open(req: SelectMapRequest): Promise<Mapper[]>;
}

/** A series of a result plus which columns hold tag values (a subquery's tags stay tags outside). */
export interface SeriesOut {
  series: Series;
  tagColumns: ReadonlySet<string>;
}


/** An execution error with InfluxDB's message. */
export function selectError(msg: string): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', msg);
}

/** Applies a `::type` cast to a value (null when the value is not of a castable type). */
export function castValue(v: Value | undefined, dataType: string): Value {
  if (v === undefined || v === null) return null;
  switch (dataType) {
    case 'float':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
    case 'integer':
      return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
    case 'string':
      return typeof v === 'string' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return v;
  }
}

/** The GROUP BY clause, resolved: time interval and offset (ns), tag keys, `*`, regexes. */
export interface Dimensions {
  interval: bigint;
  offset: bigint;
  tags: string[];
  all: boolean;
  patterns: RegExp[];
}

/** Splits rows into Series pieces of at most `chunkSize` rows (partial on all but the last). */
export function* pieces(base: Omit<Series, 'values'>, rows: Value[][], chunkSize: number, last: boolean): Generator<Series> {
  for (let i = 0; i < rows.length; i += chunkSize) {
    const values = rows.slice(i, i + chunkSize);
    const s: Series = { ...base, values };
    if (!last || i + chunkSize < rows.length) s.partial = true;
    yield s;
  }
}

/** The tags of an output series (undefined without GROUP BY tags). */
export function tagsRecord(dimKeys: readonly string[], values: readonly string[]): Record<string, string> | undefined {
  if (dimKeys.length === 0) return undefined;
  const out: Record<string, string> = {};
  dimKeys.forEach((k, i) => {
    out[k] = values[i] ?? '';
  });
  return out;
}

/**
 * SLIMIT/SOFFSET over the tag sets of one measurement, in ascending key order whatever ORDER BY says
 * (InfluxDB applies them to the index's tag sets). Null = every tag set.
 */
export function allowedTagSets(stmt: SelectStatement, keys: Iterable<string>): ReadonlySet<string> | null {
  if (stmt.sLimit <= 0 && stmt.sOffset <= 0) return null;
  const sorted = [...new Set(keys)].sort();
  return new Set(stmt.sLimit > 0 ? sorted.slice(stmt.sOffset, stmt.sOffset + stmt.sLimit) : sorted.slice(stmt.sOffset));
}
