import type { MapChunk, MapRequest } from '../../contracts/mapper.js';
import type { FieldType } from '../../model/point.js';
import type { Expr } from '../ast.js';
import type { Value } from '../result.js';

/** Version of the select map request and chunk shapes; a mapper refuses any other. */
export const SELECT_MAP_VERSION = 1;

/**
 * A partial aggregate a mapper computes per (tag set, bucket). `raw` keeps the points themselves
 * (for functions that cannot be merged from partials: median, percentile, mode, distinct, top,
 * bottom, sample, integral...).
 */
export type PartialOp = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'first' | 'last' | 'spread' | 'stddev' | 'raw';

/** One partial aggregate wanted: `op` over `field`. `withTime`: selectors must keep the point's time. */
export interface AggSpec {
  readonly op: PartialOp;
  readonly field: string;
  /** Keep the time of the selected point (min/max need it unless block stats suffice). */
  readonly withTime: boolean;
  /** Extra fields and tags of the selected point to carry along (selector with auxiliary columns). */
  readonly aux: readonly AuxRef[];
}

/** A value carried along with a row: a field or a tag of the point's series. */
export interface AuxRef {
  readonly kind: 'field' | 'tag';
  readonly name: string;
}

/**
 * What a mapper computes over one shard, as a plain value: bigints are written as decimal strings so
 * the request is JSON-able unchanged (`encodeWire` handles the bigints inside `condition`).
 *
 * kind 'schema': which of `sources` exist in the shard, with their fields and tag keys.
 * kind 'data': rows of one measurement, raw (`aggregates` null) or partial aggregates per bucket.
 */
export interface SelectMapRequest extends MapRequest {
  readonly version: typeof SELECT_MAP_VERSION;
  readonly kind: 'schema' | 'data';
  /** schema: measurement names and regex patterns (JS RegExp source) to resolve. */
  readonly names?: readonly string[];
  readonly patterns?: readonly string[];
  /** data: the measurement to read. */
  readonly measurement?: string;
  /** Inclusive time range, ns as decimal strings. */
  readonly tmin?: string;
  readonly tmax?: string;
  /** The WHERE clause without its time parts (tags and fields), or null. */
  readonly condition?: Expr | null;
  /** Group-by tag keys, sorted. */
  readonly dimensions?: readonly string[];
  /** GROUP BY time interval and offset (ns, decimal strings); interval '0' = one bucket starting at tmin. */
  readonly interval?: string;
  readonly offset?: string;
  readonly ascending?: boolean;
  /** Raw mode: values to emit per row (fields and tags of the point). */
  readonly columns?: readonly AuxRef[];
  /** Raw mode: at most this many rows per tag set are needed (LIMIT + OFFSET); 0 = all. */
  readonly rowLimit?: number;
  /** Aggregate mode: partials per (tag set, bucket). Null = raw mode. */
  readonly aggregates?: readonly AggSpec[] | null;
}

/** Field type and tag keys of one measurement in one shard. */
export interface MeasurementSchema {
  readonly name: string;
  readonly fields: ReadonlyArray<readonly [name: string, type: FieldType]>;
  readonly tagKeys: readonly string[];
}

/** A raw row: time then one value per requested column. */
export type RawRow = [time: bigint, ...values: Value[]];

/** An aggregate row: bucket start and one partial state per AggSpec. */
export type AggRow = [bucket: bigint, states: PartialState[]];

/** Rows of one tag set within a chunk. Tag sets appear in ascending `key` order across a mapper's chunks. */
export interface ChunkGroup {
  /** Canonical tag set key (dimension values in dimension order). */
  readonly key: string;
  /** Dimension values, in the order of the request's dimensions. */
  readonly tags: readonly string[];
  readonly rows: RawRow[] | AggRow[];
}

/** A chunk of a select mapper. */
export interface SelectMapChunk extends MapChunk {
  readonly schema?: readonly MeasurementSchema[];
  readonly groups?: readonly ChunkGroup[];
}

/** A selected point: time, value, and the auxiliary values asked for. */
export interface SelectedPoint {
  t: bigint;
  v: Value;
  aux: Value[] | null;
}

/**
 * A partial aggregate state (plain data). The field that holds the state depends on the op:
 * count: n; sum: s; mean: s+n; min/max/first/last: p; spread: lo+hi; stddev: n+m+m2; raw: pts.
 */
export interface PartialState {
  n?: number;
  s?: number | bigint | null;
  p?: SelectedPoint | null;
  lo?: number | bigint | null;
  hi?: number | bigint | null;
  m?: number;
  m2?: number;
  pts?: SelectedPoint[];
}

/** The tag set key of dimension values (stable, ordered like the values). */
export function tagSetKey(values: readonly string[]): string {
  return values.join('\u0000');
}

/** JSON with bigints: `{"$n":"123"}` stands for 123n. Encodes requests and chunks for the wire. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v));
}

/** Inverse of encodeWire. */
export function decodeWire<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$n') return BigInt((v as { $n: string }).$n);
    }
    return v;
  }) as T;
}
