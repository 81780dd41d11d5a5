import { TesseraError } from '../errors.js';
import type { FieldValue, Point, Tag } from '../model/point.js';

/** The Avro value of a PointBatch (see schema.ts). */
export interface PointBatchRecord {
  count: number;
  seriesKeys: string[];
  measurements: string[];
  tagCounts: number[];
  tags: string[];
  pointSeries: number[];
  times: Buffer;
  shapes: { names: string[]; types: Buffer }[];
  pointShape: number[];
  floats: Buffer;
  integers: Buffer;
  strings: string[];
  booleans: Buffer;
}

const FLOAT = 0;
const INTEGER = 1;
const STRING = 2;
const BOOLEAN = 3;

function typeCode(v: FieldValue): number {
  switch (typeof v) {
    case 'number':
      return FLOAT;
    case 'bigint':
      return INTEGER;
    case 'string':
      return STRING;
    default:
      return BOOLEAN;
  }
}

/**
 * Turns points into the column-oriented batch: each series once, each field layout once, numbers in raw
 * little-endian arrays. One pass to index series and layouts and count values, one to fill the columns.
 */
export function encodePointBatch(points: readonly Point[]): PointBatchRecord {
  const n = points.length;
  const seriesIndex = new Map<string, number>();
  const seriesKeys: string[] = [];
  const measurements: string[] = [];
  const tagCounts: number[] = [];
  const tags: string[] = [];
  const pointSeries = new Array<number>(n);
  const pointShape = new Array<number>(n);
  const shapes: { names: string[]; types: Buffer }[] = [];
  const shapeIndex = new Map<string, number>();
  let nFloat = 0;
  let nInt = 0;
  let nBool = 0;
  let lastShape = -1;
  let lastFields: Point['fields'] | undefined;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    let s = seriesIndex.get(p.key);
    if (s === undefined) {
      s = seriesKeys.length;
      seriesIndex.set(p.key, s);
      seriesKeys.push(p.key);
      measurements.push(p.measurement);
      tagCounts.push(p.tags.length);
      for (const [k, v] of p.tags) tags.push(k, v);
    }
    pointSeries[i] = s;
    const fields = p.fields;
    // Most batches repeat one layout: compare with the previous point's before building a lookup key.
    let shape = lastShape >= 0 && lastFields !== undefined && sameShape(fields, lastFields) ? lastShape : -1;
    if (shape < 0) {
      let key = '';
      for (const [name, value] of fields) key += `${typeCode(value)}${name}\u0000`;
      shape = shapeIndex.get(key) ?? -1;
      if (shape < 0) {
        shape = shapes.length;
        shapeIndex.set(key, shape);
        const types = Buffer.allocUnsafe(fields.length);
        const names: string[] = [];
        fields.forEach(([name, value], j) => {
          names.push(name);
          types[j] = typeCode(value);
        });
        shapes.push({ names, types });
      }
    }
    lastShape = shape;
    lastFields = fields;
    pointShape[i] = shape;
    for (const f of fields) {
      const t = typeof f[1];
      if (t === 'number') nFloat++;
      else if (t === 'bigint') nInt++;
      else if (t === 'boolean') nBool++;
    }
  }
  const timesArr = new BigInt64Array(n);
  const floatsArr = new Float64Array(nFloat);
  const intsArr = new BigInt64Array(nInt);
  const booleans = Buffer.allocUnsafe(nBool);
  const strings: string[] = [];
  let fi = 0;
  let ii = 0;
  let bi = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    timesArr[i] = p.time;
    const fields = p.fields;
    for (let j = 0; j < fields.length; j++) {
      const v = fields[j]![1];
      switch (typeof v) {
        case 'number':
          floatsArr[fi++] = v;
          break;
        case 'bigint':
          intsArr[ii++] = v;
          break;
        case 'string':
          strings.push(v);
          break;
        default:
          booleans[bi++] = v ? 1 : 0;
      }
    }
  }
  const times = leBytes(timesArr);
  const floats = leBytes(floatsArr);
  const integers = leBytes(intsArr);
  return { count: n, seriesKeys, measurements, tagCounts, tags, pointSeries, times, shapes, pointShape, floats, integers, strings, booleans };
}

/** The little-endian bytes of a typed array (a view on little-endian hosts, a swapped copy otherwise). */
function leBytes(a: Float64Array | BigInt64Array): Buffer {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return LITTLE_ENDIAN ? b : Buffer.from(b).swap64();
}

function sameShape(a: Point['fields'], b: Point['fields']): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j]!;
    const y = b[j]!;
    if (x[0] !== y[0] || typeof x[1] !== typeof y[1]) return false;
  }
  return true;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function aligned(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

/** The column as float64s (little-endian on the wire). */
function f64(b: Buffer): Float64Array | number[] {
  if (b.length % 8 !== 0) throw bad('float column');
  if (!LITTLE_ENDIAN) return Array.from({ length: b.length / 8 }, (_, i) => b.readDoubleLE(i * 8));
  return b.byteOffset % 8 === 0 ? new Float64Array(b.buffer, b.byteOffset, b.length / 8) : new Float64Array(aligned(b));
}

/** The column as int64s (little-endian on the wire). */
function i64(b: Buffer): BigInt64Array | bigint[] {
  if (b.length % 8 !== 0) throw bad('time column');
  if (!LITTLE_ENDIAN) return Array.from({ length: b.length / 8 }, (_, i) => b.readBigInt64LE(i * 8));
  return b.byteOffset % 8 === 0 ? new BigInt64Array(b.buffer, b.byteOffset, b.length / 8) : new BigInt64Array(aligned(b));
}

function bad(message: string): TesseraError {
  return new TesseraError('ERR_CLUSTER_FRAME_INVALID', `invalid point batch: ${message}`, { details: { reason: 'body' } });
}

/**
 * Rebuilds points from a batch. Points of one series share their (frozen-by-contract) tags array.
 * Every index and column length is checked: a malformed batch from a peer is an ERR_CLUSTER_FRAME_INVALID,
 * never an exception of another kind or a wrong point.
 */
export function decodePointBatch(rec: PointBatchRecord): Point[] {
  const n = rec.count;
  const nSeries = rec.seriesKeys.length;
  if (n < 0 || rec.pointSeries.length !== n || rec.pointShape.length !== n || rec.times.length !== n * 8) throw bad('column lengths');
  if (rec.measurements.length !== nSeries || rec.tagCounts.length !== nSeries) throw bad('series columns');
  const seriesTags: Tag[][] = new Array(nSeries);
  let t = 0;
  for (let s = 0; s < nSeries; s++) {
    const c = rec.tagCounts[s]!;
    if (c < 0 || t + 2 * c > rec.tags.length) throw bad('tag counts');
    const list: Tag[] = new Array(c);
    for (let j = 0; j < c; j++, t += 2) list[j] = [rec.tags[t]!, rec.tags[t + 1]!];
    seriesTags[s] = list;
  }
  if (t !== rec.tags.length) throw bad('tag counts');
  const shapes = rec.shapes;
  for (const sh of shapes) {
    if (sh.names.length !== sh.types.length) throw bad('shape');
    for (const code of sh.types) if (code > BOOLEAN) throw bad('field type');
  }
  // Aligned typed views (one copy when avsc handed out an unaligned slice) read faster than readDoubleLE.
  const floats = f64(rec.floats);
  const integers = rec.integers;
  const strings = rec.strings;
  const booleans = rec.booleans;
  const times = i64(rec.times);
  let fi = 0;
  let ii = 0;
  let si = 0;
  let bi = 0;
  const out: Point[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = rec.pointSeries[i]!;
    const shIdx = rec.pointShape[i]!;
    if (!(s >= 0 && s < nSeries) || !(shIdx >= 0 && shIdx < shapes.length)) throw bad('index out of range');
    const shape = shapes[shIdx]!;
    const names = shape.names;
    const types = shape.types;
    const fields: [string, FieldValue][] = new Array(names.length);
    for (let j = 0; j < names.length; j++) {
      let v: FieldValue;
      switch (types[j]) {
        case FLOAT:
          if (fi >= floats.length) throw bad('float column');
          v = floats[fi++]!;
          break;
        case INTEGER:
          if (ii + 8 > integers.length) throw bad('integer column');
          v = integers.readBigInt64LE(ii);
          ii += 8;
          break;
        case STRING:
          if (si >= strings.length) throw bad('string column');
          v = strings[si++]!;
          break;
        default:
          if (bi >= booleans.length) throw bad('boolean column');
          v = booleans[bi++] !== 0;
      }
      fields[j] = [names[j]!, v];
    }
    out[i] = { measurement: rec.measurements[s]!, tags: seriesTags[s]!, fields, time: times[i]!, key: rec.seriesKeys[s]! };
  }
  if (fi !== floats.length || ii !== integers.length || si !== strings.length || bi !== booleans.length) throw bad('trailing values');
  return out;
}
