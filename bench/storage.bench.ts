// Storage efficiency and ingest of tsdb-file on the DevOps data (see storage-data.ts): writes every
// point through writeToShard (WAL with fsync, cache, snapshots, background compaction), compacts the
// shard fully, then divides all bytes of the shard's files by the number of field values.
//
//   node dist/bench/storage.bench.js [--hosts 100] [--points 10000] [--decimals -1,0] [--batch 5000]
//
// Reference (same data): InfluxDB 1.6.7 7.15 B/value full precision, 0.80 rounded to integers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_TIME, MIN_TIME, silentLogger } from '../core/index.js';
import { FileTSDBStore } from '../plugins/tsdb-file/index.js';
import { STORAGE_CPU_FIELDS, storageBatches } from './storage-data.js';

/** Options of {@link run}. */
export interface StorageBenchOptions {
  readonly hosts?: number;
  readonly points?: number;
  readonly batch?: number;
  readonly seed?: number;
  /** Variants to run: -1 = full precision, d >= 0 = rounded to d decimals. */
  readonly decimals?: readonly number[];
  readonly walFsync?: boolean;
}

/**
 * Runs the benchmark; returns, per variant (`full` or `decimalsN`), bytes/value after full compaction,
 * ingest points/s and values/s, and compaction seconds.
 */
export async function run(options: StorageBenchOptions = {}): Promise<Record<string, number>> {
  const hosts = options.hosts ?? 100;
  const points = options.points ?? 10_000;
  const out: Record<string, number> = {};
  for (const decimals of options.decimals ?? [-1, 0]) {
    const name = decimals < 0 ? 'full' : `decimals${decimals}`;
    const dir = await mkdtemp(join(tmpdir(), 'tessera-storage-bench-'));
    const store = new FileTSDBStore({ dir, logger: silentLogger(), walFsync: options.walFsync ?? true });
    try {
      await store.start();
      await store.createShard('bench', 'autogen', 1);
      // Batches are generated lazily (a million Points held at once would measure the GC); only the
      // time inside writeToShard counts (background snapshots and compactions run during it).
      let ingestMs = 0;
      for (const b of storageBatches({ hosts, points, batch: options.batch ?? 5000, seed: options.seed ?? 12345, decimals })) {
        const t0 = performance.now();
        await store.writeToShard(1, b);
        ingestMs += performance.now() - t0;
      }
      const ingestS = ingestMs / 1000;
      const t1 = performance.now();
      await store.compactFull(1);
      const compactS = (performance.now() - t1) / 1000;
      const bytes = await store.diskBytes(1);
      const values = hosts * points * STORAGE_CPU_FIELDS.length;
      // sanity: every value is there (block stats, no decoding)
      const reader = store.reader(1);
      let counted = 0;
      for (const s of reader.series('cpu')) for (const f of STORAGE_CPU_FIELDS) for (const b of reader.scan(s.key, f, MIN_TIME, MAX_TIME)) counted += b.count;
      if (counted !== values) throw new Error(`expected ${values} values, read ${counted}`);
      out[`${name}.bytesPerValue`] = bytes / values;
      out[`${name}.bytes`] = bytes;
      out[`${name}.ingestPointsPerS`] = (hosts * points) / ingestS;
      out[`${name}.ingestValuesPerS`] = values / ingestS;
      out[`${name}.compactS`] = compactS;
    } finally {
      await store.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}

function parseArgs(argv: readonly string[]): StorageBenchOptions {
  const o: { -readonly [K in keyof StorageBenchOptions]: StorageBenchOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1] ?? '';
    if (a === '--hosts') o.hosts = Number(v);
    else if (a === '--points') o.points = Number(v);
    else if (a === '--batch') o.batch = Number(v);
    else if (a === '--seed') o.seed = Number(v);
    else if (a === '--decimals') o.decimals = v.split(',').map(Number);
    else if (a === '--no-fsync') {
      o.walFsync = false;
      continue;
    } else throw new Error(`unknown option ${a}`);
    i++;
  }
  return o;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run(parseArgs(process.argv.slice(2)));
  for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(32)} ${Number.isInteger(v) ? v : v.toFixed(4)}\n`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
