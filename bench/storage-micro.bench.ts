// Micro-benchmarks of tsdb-file's hot paths: block encode/decode per type (1,000-value blocks) and WAL
// append + fsync (one writer, and four concurrent writers sharing fsyncs by group commit).
//
//   node dist/bench/storage-micro.bench.js
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../core/logger.js';
import type { FieldType } from '../core/model/point.js';
import type { BlockValues } from '../core/contracts/tsdb-store.js';
import { BufWriter } from '../plugins/tsdb-file/buf-writer.js';
import { decodeBlock, encodeBlock } from '../plugins/tsdb-file/codec/block.js';
import { Wal } from '../plugins/tsdb-file/wal.js';
import { RECORD_HEADER } from '../plugins/tsdb-file/wal-codec.js';
import { seededRandom } from './devops-data.js';

const N = 1000;

function columns(kind: string, rand: () => number): { type: FieldType; times: BigInt64Array; values: BlockValues } {
  const times = new BigInt64Array(N);
  for (let i = 0; i < N; i++) times[i] = 1_451_606_400_000_000_000n + BigInt(i) * 10_000_000_000n;
  let v = 50;
  const walk = () => {
    v = Math.min(100, Math.max(0, v + (rand() - 0.5) * 2));
    return v;
  };
  switch (kind) {
    case 'float (random walk, jittered times)':
      for (let i = 1; i < N; i++) times[i] = times[i - 1]! + 10_000_000_000n + BigInt(Math.floor(rand() * 2_000_000)) - 1_000_000n;
      return { type: 'float', times, values: Float64Array.from({ length: N }, walk) };
    case 'float (random walk)':
      return { type: 'float', times, values: Float64Array.from({ length: N }, walk) };
    case 'float (whole numbers)':
      return { type: 'float', times, values: Float64Array.from({ length: N }, () => Math.round(walk())) };
    case 'integer':
      return { type: 'integer', times, values: BigInt64Array.from({ length: N }, () => BigInt(Math.round(walk() * 1000))) };
    case 'string':
      return { type: 'string', times, values: Array.from({ length: N }, () => `status-${Math.floor(rand() * 8)}`) };
    default:
      return { type: 'boolean', times, values: Array.from({ length: N }, () => rand() < 0.9) };
  }
}

function timeIt(fn: () => void, minMs = 300): number {
  let reps = 0;
  const t0 = performance.now();
  do {
    fn();
    reps++;
  } while (performance.now() - t0 < minMs);
  return (performance.now() - t0) / reps;
}

/** Figures: per type, encode and decode values/s and bytes/value; WAL appends/s and MB/s. */
export async function run(_options: Record<string, unknown> = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const rand = seededRandom(99);
  for (const kind of ['float (random walk)', 'float (random walk, jittered times)', 'float (whole numbers)', 'integer', 'string', 'boolean']) {
    const c = columns(kind, rand);
    let block = encodeBlock(c.type, c.times, c.values, 0, N);
    const encMs = timeIt(() => {
      block = encodeBlock(c.type, c.times, c.values, 0, N);
    });
    const decMs = timeIt(() => decodeBlock(block));
    out[`block ${kind}: encode values/s`] = N / (encMs / 1000);
    out[`block ${kind}: decode values/s`] = N / (decMs / 1000);
    out[`block ${kind}: bytes/value`] = block.length / N;
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-wal-bench-'));
  try {
    const payload = Buffer.alloc(256 * 1024, 7); // about one 500-line batch of DevOps points, encoded
    const record = () => {
      const w = new BufWriter(RECORD_HEADER + payload.length);
      w.pos = RECORD_HEADER;
      w.bytes(payload);
      return w;
    };
    for (const writers of [1, 4]) {
      const wal = new Wal(path.join(dir, `w${writers}`), 1, true, silentLogger());
      await fs.mkdir(wal.dir, { recursive: true });
      const perWriter = 40;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < perWriter; i++) await wal.append(record());
        }),
      );
      const s = (performance.now() - t0) / 1000;
      out[`WAL ${writers} writer(s), 256 KiB records: appends/s`] = (writers * perWriter) / s;
      out[`WAL ${writers} writer(s): MB/s`] = (writers * perWriter * payload.length) / 1e6 / s;
      out[`WAL ${writers} writer(s): records per fsync`] = wal.stats.appends / Math.max(1, wal.stats.flushes);
      await wal.close();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) process.stdout.write(`${k}: ${v < 100 ? v.toFixed(2) : Math.round(v)}\n`);
}
