/**
 * WAL record payloads. A record on disk is `u32 payloadLength | u32 CRC-32(payload) | payload`.
 * Payload kinds: 1 write (points, with per-record dictionaries of series keys and field names),
 * 2 delete series in a time range, 3 delete measurement.
 */
import type { FieldValue, Point } from '../../core/index.js';
import { BufReader, BufWriter } from './buf-writer.js';
import { parseSeriesKey } from './series-key-parse.js';

/** Bytes of the record header (length + CRC). */
export const RECORD_HEADER = 8;

const KIND_WRITE = 1;
const KIND_DELETE_SERIES = 2;
const KIND_DELETE_MEASUREMENT = 3;

/** A decoded WAL record. */
export type WalEntry =
  | { readonly kind: 'write'; readonly points: Point[] }
  | { readonly kind: 'deleteSeries'; readonly keys: string[]; readonly tmin: bigint; readonly tmax: bigint }
  | { readonly kind: 'deleteMeasurement'; readonly measurement: string };

function begin(estimate: number): BufWriter {
  const w = new BufWriter(estimate);
  w.pos = RECORD_HEADER; // header filled by the WAL (CRC over the payload)
  return w;
}

/** Encodes a write record (header left for the WAL to fill). */
export function encodeWrite(points: readonly Point[]): BufWriter {
  // ~115 bytes for a 10-float-field point: start near it so the buffer rarely grows.
  const w = begin(64 + points.length * 128);
  w.u8(KIND_WRITE);
  w.u32(points.length);
  const keys = new Map<string, number>();
  const names = new Map<string, number>();
  // the previous point's field names and their indexes, by position (points usually repeat them)
  const prevNames: string[] = [];
  const prevIndexes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const ki = keys.get(p.key);
    if (ki === undefined) {
      w.varint(keys.size);
      keys.set(p.key, keys.size);
      w.str(p.key);
    } else {
      w.varint(ki);
    }
    w.i64(p.time);
    const fields = p.fields;
    w.varint(fields.length);
    for (let f = 0; f < fields.length; f++) {
      const [name, value] = fields[f]!;
      const ni = prevNames[f] === name ? prevIndexes[f] : names.get(name);
      if (ni === undefined) {
        const id = names.size;
        w.varint(id);
        names.set(name, id);
        w.str(name);
        prevNames[f] = name;
        prevIndexes[f] = id;
      } else {
        w.varint(ni);
        prevNames[f] = name;
        prevIndexes[f] = ni;
      }
      switch (typeof value) {
        case 'number':
          w.u8(0);
          w.f64(value);
          break;
        case 'bigint':
          w.u8(1);
          w.i64(value);
          break;
        case 'string':
          w.u8(2);
          w.str(value);
          break;
        default:
          w.u8(value ? 4 : 3);
      }
    }
  }
  return w;
}

/** Encodes a delete-series record. */
export function encodeDeleteSeries(keys: readonly string[], tmin: bigint, tmax: bigint): BufWriter {
  const w = begin(64 + keys.length * 64);
  w.u8(KIND_DELETE_SERIES);
  w.i64(tmin);
  w.i64(tmax);
  w.u32(keys.length);
  for (const k of keys) w.str(k);
  return w;
}

/** Encodes a delete-measurement record. */
export function encodeDeleteMeasurement(measurement: string): BufWriter {
  const w = begin(64);
  w.u8(KIND_DELETE_MEASUREMENT);
  w.str(measurement);
  return w;
}

/** Decodes a payload (throws RangeError when malformed). */
export function decodeEntry(buf: Buffer, start: number, end: number): WalEntry {
  const r = new BufReader(buf, start, end);
  const kind = r.u8();
  if (kind === KIND_WRITE) {
    const n = r.u32();
    const keys: Array<{ key: string; measurement: string; tags: Point['tags'] }> = [];
    const names: string[] = [];
    const points: Point[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const ki = r.varint();
      if (ki === keys.length) {
        const key = r.str();
        const { measurement, tags } = parseSeriesKey(key);
        keys.push({ key, measurement, tags });
      } else if (ki > keys.length) throw new RangeError('bad key index');
      const s = keys[ki]!;
      const time = r.i64();
      const nf = r.varint();
      const fields: Array<[string, FieldValue]> = new Array(nf);
      for (let f = 0; f < nf; f++) {
        const ni = r.varint();
        if (ni === names.length) names.push(r.str());
        else if (ni > names.length) throw new RangeError('bad name index');
        const t = r.u8();
        let v: FieldValue;
        if (t === 0) v = r.f64();
        else if (t === 1) v = r.i64();
        else if (t === 2) v = r.str();
        else if (t === 3 || t === 4) v = t === 4;
        else throw new RangeError('bad value type');
        fields[f] = [names[ni]!, v];
      }
      points[i] = { key: s.key, measurement: s.measurement, tags: s.tags, fields, time };
    }
    if (r.pos !== end) throw new RangeError('trailing bytes');
    return { kind: 'write', points };
  }
  if (kind === KIND_DELETE_SERIES) {
    const tmin = r.i64();
    const tmax = r.i64();
    const n = r.u32();
    const keys: string[] = [];
    for (let i = 0; i < n; i++) keys.push(r.str());
    return { kind: 'deleteSeries', keys, tmin, tmax };
  }
  if (kind === KIND_DELETE_MEASUREMENT) return { kind: 'deleteMeasurement', measurement: r.str() };
  throw new RangeError(`unknown WAL record kind ${kind}`);
}
