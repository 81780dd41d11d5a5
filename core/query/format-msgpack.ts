import { epochDivisor } from './go-format.js';
import { byteOrder, isTimeCell, type QueryResponse } from './format-json.js';
import type { Series, StatementResult, Value } from './result.js';

/** Grows a byte buffer as MessagePack is appended to it. */
class Out {
  buf = Buffer.allocUnsafe(1024);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  head(marker: number, size: number, width: 1 | 2 | 4): void {
    this.room(1 + width);
    this.buf[this.len++] = marker;
    if (width === 1) this.buf.writeUInt8(size, this.len);
    else if (width === 2) this.buf.writeUInt16BE(size, this.len);
    else this.buf.writeUInt32BE(size, this.len);
    this.len += width;
  }

  map(n: number): void {
    if (n <= 15) this.byte(0x80 | n);
    else if (n <= 0xffff) this.head(0xde, n, 2);
    else this.head(0xdf, n, 4);
  }

  array(n: number): void {
    if (n <= 15) this.byte(0x90 | n);
    else if (n <= 0xffff) this.head(0xdc, n, 2);
    else this.head(0xdd, n, 4);
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    if (n <= 31) this.byte(0xa0 | n);
    else if (n <= 0xff) this.head(0xd9, n, 1);
    else if (n <= 0xffff) this.head(0xda, n, 2);
    else this.head(0xdb, n, 4);
    this.room(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** tinylib/msgp AppendInt64: smallest signed form (positive fixint, then int16/32/64; negatives nfixint, int8...). */
  int(i: bigint): void {
    if (i >= 0n) {
      if (i <= 127n) this.byte(Number(i));
      else if (i <= 32767n) this.fixed(0xd1, 2, i);
      else if (i <= 2147483647n) this.fixed(0xd2, 4, i);
      else this.fixed(0xd3, 8, i);
    } else if (i >= -32n) this.byte(0x100 + Number(i));
    else if (i >= -128n) this.fixed(0xd0, 1, i);
    else if (i >= -32768n) this.fixed(0xd1, 2, i);
    else if (i >= -2147483648n) this.fixed(0xd2, 4, i);
    else this.fixed(0xd3, 8, i);
  }

  private fixed(marker: number, width: 1 | 2 | 4 | 8, i: bigint): void {
    this.room(1 + width);
    this.buf[this.len++] = marker;
    if (width === 1) this.buf.writeInt8(Number(i), this.len);
    else if (width === 2) this.buf.writeInt16BE(Number(i), this.len);
    else if (width === 4) this.buf.writeInt32BE(Number(i), this.len);
    else this.buf.writeBigInt64BE(i, this.len);
    this.len += width;
  }

  float(v: number): void {
    this.room(9);
    this.buf[this.len++] = 0xcb;
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }

  /** msgp's time extension (ext8, 12 bytes, type 5): int64 seconds and int32 nanoseconds, UTC. */
  time(ns: bigint): void {
    let sec = ns / 1_000_000_000n;
    let nsec = ns % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    this.room(15);
    this.buf[this.len++] = 0xc7;
    this.buf[this.len++] = 12;
    this.buf[this.len++] = 5;
    this.buf.writeBigInt64BE(sec, this.len);
    this.buf.writeInt32BE(Number(nsec), this.len + 8);
    this.len += 12;
  }

  value(v: Value): void {
    switch (typeof v) {
      case 'number':
        this.float(v);
        break;
      case 'bigint':
        this.int(v);
        break;
      case 'string':
        this.str(v);
        break;
      case 'boolean':
        this.byte(v ? 0xc3 : 0xc2);
        break;
      default:
        this.byte(0xc0);
    }
  }

  take(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function writeSeries(o: Out, s: Series, divisor: bigint | undefined): void {
  const tagKeys = s.tags === undefined ? [] : Object.keys(s.tags).sort(byteOrder);
  o.map(2 + (s.name !== '' ? 1 : 0) + (tagKeys.length > 0 ? 1 : 0) + (s.partial === true ? 1 : 0));
  if (s.name !== '') {
    o.str('name');
    o.str(s.name);
  }
  if (tagKeys.length > 0) {
    o.str('tags');
    o.map(tagKeys.length);
    for (const k of tagKeys) {
      o.str(k);
      o.str(s.tags![k]!);
    }
  }
  o.str('columns');
  o.array(s.columns.length);
  for (const c of s.columns) o.str(c);
  o.str('values');
  o.array(s.values.length);
  for (const row of s.values) {
    o.array(row.length);
    row.forEach((v, i) => {
      if (isTimeCell(s, i, v)) {
        if (divisor === undefined) o.time(v as bigint);
        else o.int((v as bigint) / divisor);
      } else o.value(v);
    });
  }
  if (s.partial === true) {
    o.str('partial');
    o.byte(0xc3);
  }
}

function writeResult(o: Out, r: StatementResult, divisor: bigint | undefined): void {
  if (r.error !== undefined && r.error !== '') {
    o.map(1);
    o.str('error');
    o.str(r.error);
    return;
  }
  const messages = r.messages ?? [];
  o.map(2 + (messages.length > 0 ? 1 : 0) + (r.partial === true ? 1 : 0));
  o.str('statement_id');
  o.int(BigInt(r.statement_id));
  if (messages.length > 0) {
    o.str('messages');
    o.array(messages.length);
    for (const m of messages) {
      o.map(2);
      o.str('level');
      o.str(m.level);
      o.str('text');
      o.str(m.text);
    }
  }
  const series = r.series ?? [];
  o.str('series');
  o.array(series.length);
  for (const s of series) writeSeries(o, s, divisor);
  if (r.partial === true) {
    o.str('partial');
    o.byte(0xc3);
  }
}

/**
 * InfluxDB 1.6.7's MessagePack answer (`Accept: application/x-msgpack`): the same shapes as the JSON
 * (an errored result is just `{error}`, `series` always present), times as msgp's time extension
 * unless `epoch` asks for integers, no separator between the documents of a chunked answer.
 */
export function formatMsgpack(resp: QueryResponse, epoch?: string): Buffer {
  const o = new Out();
  const divisor = epoch === undefined || epoch === '' ? undefined : epochDivisor(epoch);
  o.map(1);
  if (resp.error !== undefined && resp.error !== '') {
    o.str('error');
    o.str(resp.error);
    return o.take();
  }
  const results = resp.results ?? [];
  o.str('results');
  o.array(results.length);
  for (const r of results) writeResult(o, r, divisor);
  return o.take();
}
