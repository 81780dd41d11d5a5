import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const RUN_JS = resolve(fileURLToPath(import.meta.url), '../../../bench/run.js');

interface Row {
  name: string;
  tessera: number[];
  influxdb: number[];
}

// The benchmark harness end to end at a tiny size (Tessera only): it starts a node, ingests, waits for
// quiet, runs the standard queries and measures storage, then writes BENCHMARKS.md and results.json.
test('npm run bench at a tiny size measures ingest, the five queries and bytes per value, and writes both reports', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'tessera-bench-test-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const args = [RUN_JS, 'ingest', 'query', 'storage', '--hosts', '3', '--points', '400', '--runs', '1', '--query-runs', '3', '--no-influx', '--out', out];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  t.is(code, 0, log.slice(-3000));
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { rows: Row[] };
  const value = (name: string): number | undefined => results.rows.find((r) => r.name === name)?.tessera[0];
  for (const name of ['ingest C=1 points/s', 'ingest C=2 points/s', 'ingest C=4 points/s', 'ingest C=4 CPU per point', 'peak RSS while ingesting (C=4)']) {
    t.true((value(name) ?? 0) > 0, name);
  }
  for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) {
    const row = results.rows.find((r) => r.name.startsWith(`${q} `));
    t.true(row !== undefined && row.tessera[0]! > 0, `${q} measured`);
  }
  t.true((value('background work after ingest (s)') ?? -1) >= 0);
  const bpv = value('disk bytes/value (full precision)') ?? 0;
  t.true(bpv > 1 && bpv < 16, `full precision ${bpv} B/value`);
  const md = await readFile(join(out, 'BENCHMARKS.md'), 'utf8');
  t.regex(md, /\| ingest C=4 points\/s \| [\d,]+ points\/s \|/);
  t.regex(md, /q4 count\(\*\) all/);
});
