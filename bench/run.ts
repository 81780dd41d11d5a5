// npm run bench [-- part ...] [--hosts N] [--points N] [--runs N] [--query-runs N] [--no-influx] [--full] [--out DIR]
//
// Parts: ingest, query, storage, codec, micro, raft, cluster (default: all). Tessera and, when influxd is installed,
// InfluxDB 1.x are measured in the same run, interleaved, on the same data; ratios are Tessera / InfluxDB
// (min–median–max over runs). Results go to BENCHMARKS.md and bench/results.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool, request } from 'undici';
import { devopsBatches, seededRandom } from './devops-data.js';
import { pushBatches, timedQuery } from './load.js';
import { dirBytes, influxdPath, type ServerUnderTest, startInfluxdb, startTessera } from './servers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

interface Options {
  parts: string[];
  hosts: number;
  points: number;
  runs: number;
  queryRuns: number;
  influx: boolean;
  /** Folder for BENCHMARKS.md and results.json (default: the repository, results.json under bench/). */
  out: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { parts: [], hosts: 100, points: 10_000, runs: 3, queryRuns: 15, influx: true, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => Number(argv[++i]);
    if (a === '--hosts') o.hosts = num();
    else if (a === '--points') o.points = num();
    else if (a === '--runs') o.runs = num();
    else if (a === '--query-runs') o.queryRuns = num();
    else if (a === '--no-influx') o.influx = false;
    else if (a === '--out') o.out = path.resolve(String(argv[++i]));
    else if (a === '--full') {
      o.runs = 5;
      o.queryRuns = 30;
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.parts.push(a);
  }
  if (o.parts.length === 0) o.parts = ['ingest', 'query', 'storage', 'codec', 'micro', 'raft', 'cluster'];
  o.influx &&= influxdPath() !== undefined;
  return o;
}

/** A figure measured per system over several runs. */
type Samples = Record<string, { tessera: number[]; influxdb: number[]; unit: string; better: 'higher' | 'lower' }>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Seconds until the server's background work after a load is done: it used under 5% of a core over
 * two whole seconds, looking no earlier than 8 s after the load (the reference InfluxDB is configured
 * to start its full compaction 5 s after the last write); at most 120 s.
 */
async function waitQuiet(server: ServerUnderTest): Promise<number> {
  const t0 = performance.now();
  const samples: number[] = [server.cpuSeconds()];
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(server.cpuSeconds());
    const elapsed = (performance.now() - t0) / 1000;
    const n = samples.length;
    if ((elapsed >= 8 && samples[n - 1]! - samples[n - 3]! < 0.1) || elapsed > 120) {
      // the time the last busy second ended
      let busyEnd = 0;
      for (let i = 1; i < n; i++) if (samples[i]! - samples[i - 1]! >= 0.05) busyEnd = i;
      return busyEnd;
    }
  }
}

function record(samples: Samples, name: string, system: ServerUnderTest['name'], value: number, unit: string, better: 'higher' | 'lower') {
  samples[name] ??= { tessera: [], influxdb: [], unit, better };
  samples[name]![system].push(value);
}

function log(text: string) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

async function createDb(url: string) {
  const r = await request(`${url}/query?q=${encodeURIComponent('CREATE DATABASE bench')}`, { method: 'POST' });
  await r.body.dump();
}

/** The five standard queries over the DevOps data, with seeded random hosts and windows. */
function standardQueries(o: Options, rand: () => number): Record<string, () => string> {
  const t0 = 1451606400;
  const span = o.points * 10;
  const window = (len: number) => {
    const start = t0 + Math.floor(rand() * Math.max(1, span - len));
    return `time >= ${start}s AND time < ${start + len}s`;
  };
  const host = () => `host_${Math.floor(rand() * o.hosts)}`;
  return {
    'q1 max 1 host 1h by 1m': () => `SELECT max(usage_user) FROM cpu WHERE hostname = '${host()}' AND ${window(3600)} GROUP BY time(1m)`,
    'q2 mean 5 fields 8 hosts 1h by 1m': () => {
      const hosts = Array.from({ length: 8 }, () => `hostname = '${host()}'`).join(' OR ');
      return `SELECT mean(usage_user), mean(usage_system), mean(usage_idle), mean(usage_nice), mean(usage_iowait) FROM cpu WHERE (${hosts}) AND ${window(3600)} GROUP BY time(1m)`;
    },
    'q3 last point per host': () => 'SELECT * FROM cpu GROUP BY hostname ORDER BY time DESC LIMIT 1',
    'q4 count(*) all': () => 'SELECT count(*) FROM cpu',
    'q5 mean all hosts 24h by 1h by host': () => `SELECT mean(usage_user) FROM cpu WHERE ${window(86_400)} GROUP BY time(1h), hostname`,
  };
}

async function clientCeiling(batches: Buffer[], lines: number[], concurrency: number): Promise<number> {
  const child = spawn(process.execPath, [path.join(HERE, 'sink.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
  });
  try {
    const r = await pushBatches(`http://127.0.0.1:${port}`, 'db=bench&precision=s', batches, lines, concurrency);
    return r.pointsPerSecond;
  } finally {
    child.kill('SIGTERM');
  }
}

async function ingestAndQuery(o: Options, samples: Samples, notes: string[]) {
  log(`generating ${o.hosts} hosts x ${o.points} points`);
  const batches = [...devopsBatches({ hosts: o.hosts, points: o.points, batch: 5000, seed: 12345 })];
  const lines = batches.map((b) => {
    let n = 0;
    for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
    return n;
  });
  const totalPoints = lines.reduce((a, b) => a + b, 0);
  const systems: ServerUnderTest['name'][] = o.influx ? ['tessera', 'influxdb'] : ['tessera'];
  const start = (s: ServerUnderTest['name']) => (s === 'tessera' ? startTessera() : startInfluxdb());
  const wantIngest = o.parts.includes('ingest');
  const wantQuery = o.parts.includes('query');
  let serverRate = 0;
  // Concurrency 1 and 2 once; concurrency 4 `runs` times (the target figure), interleaving the systems.
  const plan: number[] = wantIngest ? [1, 2, ...Array.from({ length: o.runs }, () => 4)] : Array.from({ length: o.runs }, () => 4);
  let run = 0;
  for (const c of plan) {
    run++;
    for (const sys of systems) {
      const server = await start(sys);
      try {
        await createDb(server.url);
        const cpu0 = server.cpuSeconds();
        const r = await pushBatches(server.url, 'db=bench&precision=s', batches, lines, c);
        const cpu = server.cpuSeconds() - cpu0;
        if (r.failures) notes.push(`${sys} C=${c}: ${r.failures} failed batches (${r.firstError})`);
        log(`${sys} ingest C=${c}: ${Math.round(r.pointsPerSecond)} points/s, ${((cpu / totalPoints) * 1e6).toFixed(2)} CPU-us/point`);
        if (wantIngest) {
          record(samples, `ingest C=${c} points/s`, sys, r.pointsPerSecond, 'points/s', 'higher');
          if (c === 4) {
            record(samples, 'ingest C=4 CPU per point', sys, (cpu / totalPoints) * 1e6, 'µs', 'lower');
            record(samples, 'peak RSS while ingesting (C=4)', sys, server.peakRssBytes() / 2 ** 20, 'MiB', 'lower');
          }
        }
        serverRate = Math.max(serverRate, r.pointsPerSecond);
        if (wantQuery && c === 4) {
          // Both systems compact and flush after a bulk load: measure steady-state latency once the
          // server has gone quiet, and report how long its background work after the load took.
          const quietAfter = await waitQuiet(server);
          record(samples, 'background work after ingest (s)', sys, quietAfter, 's', 'lower');
          log(`${sys} quiet ${quietAfter.toFixed(1)} s after the load`);
          // The measured queries come from their own seeded generator, so both systems get exactly the
          // same ones whatever the warm-up did; the warm-up draws from another.
          const qs = standardQueries(o, seededRandom(run * 7919));
          const warm = standardQueries(o, seededRandom(run * 7919 + 1));
          const pool = new Pool(server.url, { connections: 1 });
          try {
            for (const [name, make] of Object.entries(qs)) {
              // Warm-up (both systems alike): up to 1000 runs or 2 s, at least 2 — a JIT compiles the
              // query path only after it has run a while; a serving database is warm.
              const warmUntil = performance.now() + 2000;
              for (let i = 0; i < 1000 && (i < 2 || performance.now() < warmUntil); i++) await timedQuery(pool, 'bench', warm[name]!());
              const times: number[] = [];
              for (let i = 0; i < o.queryRuns; i++) times.push(await timedQuery(pool, 'bench', make()));
              const m = median(times);
              record(samples, `${name} (ms)`, sys, m, 'ms', 'lower');
              log(`${sys} ${name}: median ${m.toFixed(2)} ms`);
            }
          } finally {
            await pool.close();
          }
        }
      } finally {
        await server.stop();
      }
    }
  }
  const ceiling = await clientCeiling(batches, lines, 4);
  if (wantQuery) {
    notes.push(
      `queries: after each C=4 load the harness waits until the server is quiet (figure "background work after ingest"), then per query warms up (up to 1000 runs or 2 s, at least 2) and takes the median of ${o.queryRuns} runs; both systems alike`,
    );
  }
  notes.push(
    `load client into a discarding sink: ${Math.round(ceiling)} points/s = ${(ceiling / serverRate).toFixed(1)}x the fastest server rate measured (must be >= 5x)`,
  );
}


/** Bytes per value on disk after full compaction, Tessera (in-process tsdb-file) and InfluxDB (TSM files). */
async function storagePart(o: Options, samples: Samples, notes: string[]) {
  const mod = await importIfPresent('./storage.bench.js');
  for (const decimals of [-1, 0]) {
    const label = decimals < 0 ? 'full precision' : 'rounded to integers';
    if (mod?.run) {
      const r = await mod.run({ hosts: o.hosts, points: o.points, decimals: [decimals] });
      const key = decimals < 0 ? 'full' : `decimals${decimals}`;
      const bpv = r[`${key}.bytesPerValue`] ?? r[`${key}BytesPerValue`] ?? Object.entries(r).find(([k]) => k.startsWith(key) && /byte/i.test(k))?.[1];
      if (bpv !== undefined) record(samples, `disk bytes/value (${label})`, 'tessera', bpv, 'B', 'lower');
      log(`tessera storage ${label}: ${JSON.stringify(r)}`);
    }
    if (o.influx) {
      const server = await startInfluxdb({ coldSnapshot: true });
      try {
        await createDb(server.url);
        const batches = [...devopsBatches({ hosts: o.hosts, points: o.points, batch: 5000, seed: 12345, decimals })];
        await pushBatches(server.url, 'db=bench&precision=s', batches, batches.map(() => 5000), 4);
        // Wait until every value is in TSM files and fully compacted: the cache is snapshotted 5 s after
        // the last write, then a full compaction leaves one TSM file per shard; the byte count stops changing.
        // (Counting TSM bytes earlier misses the values still in the cache/WAL: 6.2-6.4 instead of ~7.1.)
        let last = -1;
        let stable = 0;
        const tsm = (f: string) => f.endsWith('.tsm');
        for (let i = 0; i < 180 && stable < 3; i++) {
          await new Promise((r) => setTimeout(r, 2000));
          const b = await dirBytes(server.dataDir, tsm);
          const full = b > 0 && (await tsmFilesPerShard(server.dataDir)).every((n) => n <= 1);
          stable = b === last && full ? stable + 1 : 0;
          last = b;
        }
        if (stable < 3) notes.push(`influxdb storage ${label}: TSM files not fully compacted after 6 min; figure taken anyway`);
        const values = o.hosts * o.points * 10;
        record(samples, `disk bytes/value (${label})`, 'influxdb', last / values, 'B', 'lower');
        log(`influxdb storage ${label}: ${(last / values).toFixed(3)} B/value`);
      } finally {
        await server.stop();
      }
    }
  }
  if (!mod) notes.push('storage: bench/storage.bench.js not built');
}

/** Number of .tsm files in each shard folder (`<data>/<db>/<rp>/<shard>/`) of an InfluxDB data dir. */
async function tsmFilesPerShard(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const db of await fs.readdir(dataDir).catch(() => [] as string[])) {
    for (const rp of await fs.readdir(path.join(dataDir, db)).catch(() => [] as string[])) {
      for (const shard of await fs.readdir(path.join(dataDir, db, rp)).catch(() => [] as string[])) {
        const files = await fs.readdir(path.join(dataDir, db, rp, shard)).catch(() => [] as string[]);
        out.push(files.filter((f) => f.endsWith('.tsm')).length);
      }
    }
  }
  return out;
}

async function importIfPresent(rel: string): Promise<Record<string, any> | undefined> {
  const file = path.join(HERE, rel);
  try {
    await fs.access(file);
  } catch {
    return undefined;
  }
  return import(pathToFileURL(file).href);
}

/** Micro-benchmarks contributed by each area (line protocol, codec...): `run(options)` → figures. */
async function microParts(o: Options, wanted: string[]): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  const files: Record<string, string[]> = {
    micro: ['./line-protocol.bench.js', './storage-micro.bench.js'],
    codec: ['./codec.bench.js'],
    raft: ['./raft.bench.js'],
    cluster: ['./cluster.bench.js'],
  };
  for (const part of wanted) {
    for (const file of files[part] ?? []) {
      const mod = await importIfPresent(file);
      if (!mod?.run) {
        log(`${part}: ${file} not present`);
        continue;
      }
      log(`running ${part} ${file}`);
      const name = `${part}: ${path.basename(file, '.bench.js')}`;
      out[name] = await mod.run({ quick: o.runs < 5 });
    }
  }
  return out;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(3);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const samples: Samples = {};
  const notes: string[] = [];
  const started = new Date();
  if (o.parts.includes('ingest') || o.parts.includes('query')) await ingestAndQuery(o, samples, notes);
  if (o.parts.includes('storage')) await storagePart(o, samples, notes);
  const micro = await microParts(o, o.parts.filter((p) => ['micro', 'codec', 'raft', 'cluster'].includes(p)));

  const rows = Object.entries(samples).map(([name, s]) => {
    const tm = median(s.tessera);
    const im = median(s.influxdb);
    const ratios = s.influxdb.length && s.tessera.length ? s.tessera.map((t, i) => t / (s.influxdb[i] ?? im)) : [];
    return { name, unit: s.unit, better: s.better, tessera: s.tessera, influxdb: s.influxdb, tesseraMedian: tm, influxdbMedian: im, ratios };
  });
  const cmd = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  const md: string[] = [
    '# Benchmarks',
    '',
    `Run ${started.toISOString()} on ${machine}.`,
    `Command: \`${cmd}\`. Data: DevOps cpu, ${o.hosts} hosts × ${o.points} points (${fmt(o.hosts * o.points)} points, ${fmt(o.hosts * o.points * 10)} values), batches of 5,000 lines.`,
    o.influx ? 'Reference: influxd (Debian package), fresh instance per run, interleaved with Tessera.' : 'influxd not installed or --no-influx: Tessera only.',
    '',
    '| figure | Tessera (median) | InfluxDB (median) | ratio T/I min–median–max | better |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const ratio = r.ratios.length ? `${fmt(Math.min(...r.ratios))} – ${fmt(median(r.ratios))} – ${fmt(Math.max(...r.ratios))}` : '–';
      return `| ${r.name} | ${fmt(r.tesseraMedian)} ${r.unit} | ${fmt(r.influxdbMedian)} ${r.unit} | ${ratio} | ${r.better} |`;
    }),
    '',
    ...Object.entries(micro).flatMap(([part, figures]) => [`## ${part}`, '', '| figure | value |', '| --- | --- |', ...Object.entries(figures).map(([k, v]) => `| ${k} | ${fmt(v)} |`), '']),
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ];
  await fs.writeFile(path.join(o.out ?? REPO, 'BENCHMARKS.md'), `${md.join('\n')}\n`);
  await fs.writeFile(o.out !== undefined ? path.join(o.out, 'results.json') : path.join(REPO, 'bench', 'results.json'), `${JSON.stringify({ started, machine, command: cmd, options: o, rows, micro, notes }, null, 2)}\n`);
  process.stdout.write(`${md.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
