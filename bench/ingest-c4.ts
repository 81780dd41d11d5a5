// Focused ingest measurement (the "benchmarks" targets): DevOps data over HTTP at concurrency 4, batches
// of 5,000 lines, precision s; each run on a fresh Tessera node (tsdb-file) and, unless --no-influx, a
// fresh influxd, interleaved. Prints points/s, server CPU µs per point and peak RSS per run, and the
// medians with Tessera / InfluxDB ratios. Writes no files.
//   npm run build && node dist/bench/ingest-c4.js [--hosts 100] [--points 2000] [--runs 3] [--no-influx]
import { pathToFileURL } from 'node:url';
import { devopsBatches } from './devops-data.js';
import { pushBatches } from './load.js';
import { influxdPath, type ServerUnderTest, startInfluxdb, startTessera } from './servers.js';

/** One run's figures. */
export interface IngestFigures {
  readonly pointsPerSecond: number;
  readonly cpuMicrosPerPoint: number;
  readonly peakRssMiB: number;
  readonly failures: number;
}

/** Pushes the batches to a fresh server of the given kind at concurrency 4 and measures it. */
export async function ingestOnce(kind: ServerUnderTest['name'], batches: readonly Buffer[], lines: readonly number[]): Promise<IngestFigures> {
  const server = kind === 'tessera' ? await startTessera() : await startInfluxdb();
  try {
    const r = await fetch(`${server.url}/query?q=${encodeURIComponent('CREATE DATABASE bench')}`, { method: 'POST' });
    await r.arrayBuffer();
    const cpu0 = server.cpuSeconds();
    const push = await pushBatches(server.url, 'db=bench&precision=s', batches, lines, 4);
    const cpu = server.cpuSeconds() - cpu0;
    const total = lines.reduce((a, b) => a + b, 0);
    return {
      pointsPerSecond: push.pointsPerSecond,
      cpuMicrosPerPoint: (cpu / total) * 1e6,
      peakRssMiB: server.peakRssBytes() / 2 ** 20,
      failures: push.failures,
    };
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(argv: string[]): Promise<void> {
  let hosts = 100;
  let points = 2000;
  let runs = 3;
  let influx = influxdPath() !== undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--hosts') hosts = Number(argv[++i]);
    else if (a === '--points') points = Number(argv[++i]);
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--no-influx') influx = false;
    else throw new Error(`unknown option ${a}`);
  }
  const batches = [...devopsBatches({ hosts, points, batch: 5000, seed: 12345 })];
  const lines = batches.map((b) => {
    let n = 0;
    for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
    return n;
  });
  const kinds: ServerUnderTest['name'][] = influx ? ['tessera', 'influxdb'] : ['tessera'];
  const all: Record<string, IngestFigures[]> = { tessera: [], influxdb: [] };
  for (let run = 1; run <= runs; run++) {
    for (const kind of kinds) {
      const f = await ingestOnce(kind, batches, lines);
      all[kind]!.push(f);
      process.stdout.write(
        `run ${run} ${kind.padEnd(8)} ${Math.round(f.pointsPerSecond)} points/s  ${f.cpuMicrosPerPoint.toFixed(2)} CPU-µs/point  ` +
          `peak RSS ${f.peakRssMiB.toFixed(0)} MiB${f.failures ? `  ${f.failures} failed batches` : ''}\n`,
      );
    }
  }
  const figure = (k: string, pick: (f: IngestFigures) => number) => median(all[k]!.map(pick));
  for (const [name, pick] of [
    ['points/s', (f: IngestFigures) => f.pointsPerSecond],
    ['CPU µs/point', (f: IngestFigures) => f.cpuMicrosPerPoint],
    ['peak RSS MiB', (f: IngestFigures) => f.peakRssMiB],
  ] as const) {
    const t = figure('tessera', pick);
    const line = influx ? `  influxdb ${figure('influxdb', pick).toFixed(2)}  ratio ${(t / figure('influxdb', pick)).toFixed(2)}` : '';
    process.stdout.write(`median ${name}: tessera ${t.toFixed(2)}${line}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
