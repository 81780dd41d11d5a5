// Write-shard body encodings that bench/codec.bench.ts compares with the production codec
// (core/cluster/codec-points.ts). They are not used by the server.
import avro from 'avsc';
import type { FieldValue, Point, Tag } from '../core/model/point.js';

/** avsc long as exact BigInt (so the field union stays unwrapped and int64 survives). */
function bigintLong(): avro.Type {
  return (avro.types.LongType as unknown as { __with(o: unknown): avro.Type }).__with({
    fromBuffer: (b: Buffer) => b.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(n);
      return b;
    },
    fromJSON: (x: unknown) => BigInt(x as string),
    toJSON: (n: bigint) => Number(n),
    isValid: (n: unknown) => typeof n === 'bigint',
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
  });
}

/** Variant A: one Avro record per point, tags map<string>, fields map<union>. */
export const recordPerPointType = avro.Type.forSchema(
  {
    type: 'record',
    name: 'WriteShardRequestA',
    fields: [
      { name: 'shardId', type: 'long' },
      {
        name: 'points',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'PointA',
            fields: [
              { name: 'key', type: 'string' },
              { name: 'measurement', type: 'string' },
              { name: 'tags', type: { type: 'map', values: 'string' } },
              { name: 'fields', type: { type: 'map', values: ['double', 'long', 'string', 'boolean'] } },
              { name: 'time', type: 'long' },
            ],
          },
        },
      },
    ],
  } as avro.Schema,
  { registry: { long: bigintLong() } } as never,
);

/** Variant A encode: Point -> record with tag and field objects. */
export function encodeRecordPerPoint(shardId: number, points: readonly Point[]): Buffer {
  const recs = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const tags: Record<string, string> = {};
    for (const [k, v] of p.tags) tags[k] = v;
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of p.fields) fields[k] = v;
    recs[i] = { key: p.key, measurement: p.measurement, tags, fields, time: p.time };
  }
  return recordPerPointType.toBuffer({ shardId: BigInt(shardId), points: recs });
}

/** Variant A decode: records -> Points (tags sorted back into pairs). */
export function decodeRecordPerPoint(buf: Buffer): Point[] {
  const v = recordPerPointType.fromBuffer(buf) as {
    points: { key: string; measurement: string; tags: Record<string, string>; fields: Record<string, FieldValue>; time: bigint }[];
  };
  return v.points.map((r) => ({
    measurement: r.measurement,
    tags: Object.entries(r.tags).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) as Tag[],
    fields: Object.entries(r.fields),
    time: r.time,
    key: r.key,
  }));
}

/** Variant C: line protocol text in one Avro bytes field. */
export const lineProtocolType = avro.Type.forSchema({
  type: 'record',
  name: 'WriteShardRequestC',
  fields: [
    { name: 'shardId', type: 'long' },
    { name: 'points', type: 'bytes' },
  ],
} as avro.Schema);

function escapeFieldKey(k: string): string {
  return /[ ,=\\]/.test(k) ? k.replace(/([ ,=\\])/g, '\\$1') : k;
}

/** Variant C encode: one LP line per point (the series key is already escaped). */
export function encodeLineProtocol(shardId: number, points: readonly Point[]): Buffer {
  const lines: string[] = [];
  for (const p of points) {
    let line = `${p.key} `;
    let first = true;
    for (const [k, v] of p.fields) {
      if (!first) line += ',';
      first = false;
      line += `${escapeFieldKey(k)}=`;
      switch (typeof v) {
        case 'number':
          line += String(v);
          break;
        case 'bigint':
          line += `${v}i`;
          break;
        case 'string':
          line += `"${v.replace(/(["\\])/g, '\\$1')}"`;
          break;
        default:
          line += v ? 'true' : 'false';
      }
    }
    lines.push(`${line} ${p.time}`);
  }
  return lineProtocolType.toBuffer({ shardId, points: Buffer.from(lines.join('\n')) });
}

/** Index of the next unescaped `ch` outside double quotes (quotes only matter in the field section). */
function scan(s: string, from: number, end: number, ch: string, quotes: boolean): number {
  let inQ = false;
  for (let i = from; i < end; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (quotes && c === '"') inQ = !inQ;
    else if (c === ch && !inQ) return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, '$1') : s;
}

/** Variant C decode: a compact LP parser (enough for this bench: escapes, quoted strings, i suffix). */
export function decodeLineProtocol(buf: Buffer): Point[] {
  const v = lineProtocolType.fromBuffer(buf) as { points: Buffer };
  const text = v.points.toString();
  const out: Point[] = [];
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol);
    if (!line.includes('\\') && !line.includes('"')) {
      // Fast path (no escapes, no strings): plain splits, as a tuned parser would do.
      const [key, fieldText, time] = line.split(' ') as [string, string, string];
      const parts = key.split(',');
      const tags: Tag[] = new Array(parts.length - 1);
      for (let i = 1; i < parts.length; i++) {
        const eq = parts[i]!.indexOf('=');
        tags[i - 1] = [parts[i]!.slice(0, eq), parts[i]!.slice(eq + 1)];
      }
      const fields = fieldText.split(',').map((kv): [string, FieldValue] => {
        const eq = kv.indexOf('=');
        const raw = kv.slice(eq + 1);
        const c = raw.charCodeAt(0);
        const value: FieldValue = raw.endsWith('i') ? BigInt(raw.slice(0, -1)) : c === 116 || c === 84 ? true : c === 102 || c === 70 ? false : Number(raw);
        return [kv.slice(0, eq), value];
      });
      out.push({ measurement: parts[0]!, tags, fields, time: BigInt(time), key });
      pos = eol + 1;
      continue;
    }
    const sp1 = scan(text, pos, eol, ' ', false);
    const sp2 = scan(text, sp1 + 1, eol, ' ', true);
    const key = text.slice(pos, sp1);
    const mEnd = scan(key, 0, key.length, ',', false);
    const measurement = unescape(mEnd < 0 ? key : key.slice(0, mEnd));
    const tags: Tag[] = [];
    let t = mEnd;
    while (t >= 0) {
      const next = scan(key, t + 1, key.length, ',', false);
      const pair = key.slice(t + 1, next < 0 ? key.length : next);
      const eq = scan(pair, 0, pair.length, '=', false);
      tags.push([unescape(pair.slice(0, eq)), unescape(pair.slice(eq + 1))]);
      t = next;
    }
    const fields: [string, FieldValue][] = [];
    let f = sp1 + 1;
    while (f < sp2) {
      let next = scan(text, f, sp2, ',', true);
      if (next < 0) next = sp2;
      const eq = scan(text, f, next, '=', false);
      const name = unescape(text.slice(f, eq));
      const raw = text.slice(eq + 1, next);
      let value: FieldValue;
      const c = raw.charCodeAt(0);
      if (c === 34) value = raw.slice(1, -1).replace(/\\(["\\])/g, '$1');
      else if (raw.endsWith('i')) value = BigInt(raw.slice(0, -1));
      else if (c === 116 || c === 84) value = true;
      else if (c === 102 || c === 70) value = false;
      else value = Number(raw);
      fields.push([name, value]);
      f = next + 1;
    }
    out.push({ measurement, tags, fields, time: BigInt(text.slice(sp2 + 1, eol)), key });
    pos = eol + 1;
  }
  return out;
}
