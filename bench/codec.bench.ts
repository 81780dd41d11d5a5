// Write-shard body codecs on DevOps-style points (10 tags, 10 float fields), encode and decode measured
// separately. Run: npx tsc -p . && node dist/bench/codec.bench.js [points] [batch] [rounds]
import { pathToFileURL } from 'node:url';
import { decodeMessage, encodeWriteShardRequest } from '../core/cluster/codec.js';
import { decodeValue, encodeValue } from '../core/cluster/codec-values.js';
import { MessageType } from '../core/cluster/schema.js';
import type { Point, Tag } from '../core/model/point.js';
import {
  decodeLineProtocol,
  decodeRecordPerPoint,
  encodeLineProtocol,
  encodeRecordPerPoint,
} from './codec-variants.js';

/** Options of the codec bench. */
export interface CodecBenchOptions {
  /** Points per round (default 100,000). */
  readonly points?: number;
  /** Points per write-shard request (default 5,000, InfluxDB's recommended batch). */
  readonly batch?: number;
  /** Timed rounds per codec; the median is reported (default 5). */
  readonly rounds?: number;
}

const TAG_CHOICES: Record<string, string[]> = {
  region: ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'],
  datacenter: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e', 'us-west-1a', 'eu-west-1b'],
  rack: Array.from({ length: 100 }, (_, i) => String(i)),
  os: ['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'],
  arch: ['x64', 'x86'],
  team: ['SF', 'NYC', 'LON', 'CHI'],
  service: Array.from({ length: 20 }, (_, i) => String(i)),
  service_version: ['0', '1'],
  service_environment: ['production', 'staging', 'test'],
};
const FIELDS = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice'];

/** Deterministic DevOps `cpu` points: hosts x time, time-major, 10 s apart, random-walk floats. */
export function devopsPoints(count: number, hosts = 100, seed = 12345): Point[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const hostTags: Tag[][] = [];
  const keys: string[] = [];
  for (let h = 0; h < hosts; h++) {
    const tags: Tag[] = [['hostname', `host_${h}`]];
    for (const [k, choices] of Object.entries(TAG_CHOICES)) tags.push([k, choices[Math.floor(rand() * choices.length)]!]);
    tags.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    hostTags.push(tags);
    keys.push(`cpu,${tags.map(([k, v]) => `${k}=${v}`).join(',')}`);
  }
  const walk = Array.from({ length: hosts }, () => FIELDS.map(() => rand() * 100));
  const out: Point[] = new Array(count);
  const t0 = 1451606400n * 1_000_000_000n;
  for (let i = 0; i < count; i++) {
    const h = i % hosts;
    const w = walk[h]!;
    const fields: [string, number][] = FIELDS.map((name, j) => {
      w[j] = Math.min(100, Math.max(0, w[j]! + (rand() + rand() + rand() - 1.5) * 2));
      return [name, w[j]!];
    });
    out[i] = { measurement: 'cpu', tags: hostTags[h]!, fields, time: t0 + BigInt(Math.floor(i / hosts)) * 10_000_000_000n, key: keys[h]! };
  }
  return out;
}

interface Codec {
  readonly name: string;
  encode(shardId: number, points: readonly Point[]): Buffer;
  decode(buf: Buffer): Point[];
}

const codecs: Codec[] = [
  {
    name: 'record-per-point (map of union fields, BigInt longs)',
    encode: encodeRecordPerPoint,
    decode: decodeRecordPerPoint,
  },
  {
    name: 'column batch (production)',
    encode: (shardId, points) => encodeWriteShardRequest({ shardId, points }),
    decode: (buf) => {
      const m = decodeMessage({ type: buf[0]!, body: buf.subarray(5) });
      if (m.type !== MessageType.WRITE_SHARD_REQUEST) throw new Error('unexpected type');
      return m.body.points as Point[];
    },
  },
  { name: 'line protocol in an Avro bytes field', encode: encodeLineProtocol, decode: decodeLineProtocol },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function samePoint(a: Point, b: Point): boolean {
  return (
    a.key === b.key &&
    a.measurement === b.measurement &&
    a.time === b.time &&
    JSON.stringify(a.tags) === JSON.stringify(b.tags) &&
    a.fields.length === b.fields.length &&
    a.fields.every(([k, v], i) => k === b.fields[i]![0] && v === b.fields[i]![1])
  );
}

/** Runs the bench; returns `<codec>.<metric>` numbers (encode/decode points per second, bytes per point). */
export async function run(options: CodecBenchOptions = {}): Promise<Record<string, number>> {
  const total = options.points ?? 100_000;
  const batch = options.batch ?? 5_000;
  const rounds = options.rounds ?? 5;
  const points = devopsPoints(total);
  const batches: Point[][] = [];
  for (let i = 0; i < total; i += batch) batches.push(points.slice(i, i + batch));
  const results: Record<string, number> = {};
  for (const codec of codecs) {
    // Correctness first: every point must survive the round trip exactly.
    const check = codec.decode(codec.encode(1, batches[0]!));
    if (check.length !== batches[0]!.length || !check.every((p, i) => samePoint(p, batches[0]![i]!)))
      throw new Error(`${codec.name}: round trip changed the points`);
    let encoded: Buffer[] = [];
    const enc: number[] = [];
    const dec: number[] = [];
    for (let r = 0; r < rounds + 1; r++) {
      let t = process.hrtime.bigint();
      encoded = batches.map((b) => codec.encode(1, b));
      const e = Number(process.hrtime.bigint() - t) / 1e9;
      t = process.hrtime.bigint();
      let n = 0;
      for (const buf of encoded) n += codec.decode(buf).length;
      const d = Number(process.hrtime.bigint() - t) / 1e9;
      if (n !== total) throw new Error('lost points');
      if (r > 0) {
        // round 0 warms the JIT
        enc.push(total / e);
        dec.push(total / d);
      }
    }
    const bytes = encoded.reduce((s, b) => s + b.length, 0);
    const encPs = median(enc);
    const decPs = median(dec);
    results[`${codec.name}.encode_pts_s`] = Math.round(encPs);
    results[`${codec.name}.decode_pts_s`] = Math.round(decPs);
    results[`${codec.name}.round_trip_pts_s`] = Math.round(1 / (1 / encPs + 1 / decPs));
    results[`${codec.name}.bytes_per_point`] = Math.round((bytes / total) * 10) / 10;
  }
  Object.assign(results, mapChunkBench(rounds));
  return results;
}

/** JSON with a bigint reviver (what map chunks would otherwise travel as). */
function jsonEncode(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? { $n: x.toString() } : x)));
}
function jsonDecode(b: Buffer): unknown {
  return JSON.parse(b.toString(), (_k, x: unknown) => {
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      const keys = Object.keys(x);
      if (keys.length === 1 && keys[0] === '$n') return BigInt((x as { $n: string }).$n);
    }
    return x;
  });
}

/** Map-shard chunk bodies: raw rows [time bigint, float, tag] in 10 groups of 1,000 rows (30k values). */
function mapChunkBench(rounds: number): Record<string, number> {
  const chunk = {
    groups: Array.from({ length: 10 }, (_, g) => ({
      key: `host_${g}`,
      tags: [`host_${g}`],
      rows: Array.from({ length: 1000 }, (_, i) => [1451606400000000000n + BigInt(i) * 10_000_000_000n, (i * 7.3) % 100, `host_${g}`]),
    })),
  };
  const values = 30_000;
  const out: Record<string, number> = {};
  for (const [name, enc, dec] of [
    ['map chunk: JSON + bigint reviver', jsonEncode, jsonDecode],
    ['map chunk: binary values (production)', encodeValue, decodeValue],
  ] as const) {
    const e: number[] = [];
    const d: number[] = [];
    let bytes = 0;
    for (let r = 0; r < rounds + 1; r++) {
      let t = process.hrtime.bigint();
      const buf = enc(chunk);
      const te = Number(process.hrtime.bigint() - t) / 1e9;
      t = process.hrtime.bigint();
      dec(buf);
      const td = Number(process.hrtime.bigint() - t) / 1e9;
      bytes = buf.length;
      if (r > 0) {
        e.push(values / te);
        d.push(values / td);
      }
    }
    out[`${name}.encode_values_s`] = Math.round(median(e));
    out[`${name}.decode_values_s`] = Math.round(median(d));
    out[`${name}.bytes_per_value`] = Math.round((bytes / values) * 10) / 10;
  }
  return out;
}

function printTable(results: Record<string, number>): void {
  const rows = new Map<string, Record<string, number>>();
  for (const [k, v] of Object.entries(results)) {
    const dot = k.lastIndexOf('.');
    const name = k.slice(0, dot);
    rows.set(name, { ...(rows.get(name) ?? {}), [k.slice(dot + 1)]: v });
  }
  const lines = ['| codec | encode pts/s | decode pts/s | round trip pts/s | bytes/point |', '|---|---|---|---|---|'];
  const chunkLines = ['', '| map chunk codec | encode values/s | decode values/s | bytes/value |', '|---|---|---|---|'];
  for (const [name, r] of rows)
    if (r.encode_values_s !== undefined)
      chunkLines.push(`| ${name} | ${r.encode_values_s.toLocaleString('en')} | ${r.decode_values_s!.toLocaleString('en')} | ${r.bytes_per_value} |`);
    else
      lines.push(`| ${name} | ${r.encode_pts_s!.toLocaleString('en')} | ${r.decode_pts_s!.toLocaleString('en')} | ${r.round_trip_pts_s!.toLocaleString('en')} | ${r.bytes_per_point} |`);
  process.stdout.write(`${[...lines, ...chunkLines].join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [points, batch, rounds] = process.argv.slice(2).map(Number);
  const results = await run({ points: points || undefined, batch: batch || undefined, rounds: rounds || undefined });
  printTable(results);
}
