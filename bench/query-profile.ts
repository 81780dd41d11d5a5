// Query latency against one running server, for profiling the standard queries without restarting:
//   node dist/bench/query-profile.js --url http://127.0.0.1:PORT [--load] [--hosts N] [--points N] [--runs N] [--only q1,q3]
// --load creates database `bench` and writes the DevOps data first. Start the server yourself (e.g.
// `node --cpu-prof dist/server.js --config node.toml`) to profile it; this script never starts one.
import { Pool, request } from 'undici';
import { devopsBatches } from './devops-data.js';
import { pushBatches, timedQuery } from './load.js';
import { prng } from '../core/testing/suite-harness.js';

interface Options {
  url: string;
  load: boolean;
  hosts: number;
  points: number;
  runs: number;
  only: string[];
  db: string;
}

function parse(argv: readonly string[]): Options {
  const o: Options = { url: '', load: false, hosts: 100, points: 10_000, runs: 10, only: [], db: 'bench' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => String(argv[++i]);
    if (a === '--url') o.url = next();
    else if (a === '--load') o.load = true;
    else if (a === '--hosts') o.hosts = Number(next());
    else if (a === '--points') o.points = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--db') o.db = next();
  }
  if (o.url === '') throw new Error('--url is required');
  return o;
}


/** The standard queries of bench/run.ts, keyed q1..q5. */
export function standardQueries(hosts: number, points: number, rand: () => number): Record<string, () => string> {
  const t0 = 1451606400;
  const span = points * 10;
  const window = (len: number): string => {
    const start = t0 + Math.floor(rand() * Math.max(1, span - len));
    return `time >= ${start}s AND time < ${start + len}s`;
  };
  const host = (): string => `host_${Math.floor(rand() * hosts)}`;
  return {
    q1: () => `SELECT max(usage_user) FROM cpu WHERE hostname = '${host()}' AND ${window(3600)} GROUP BY time(1m)`,
    q2: () => {
      const hs = Array.from({ length: 8 }, () => `hostname = '${host()}'`).join(' OR ');
      return `SELECT mean(usage_user), mean(usage_system), mean(usage_idle), mean(usage_nice), mean(usage_iowait) FROM cpu WHERE (${hs}) AND ${window(3600)} GROUP BY time(1m)`;
    },
    q3: () => 'SELECT * FROM cpu GROUP BY hostname ORDER BY time DESC LIMIT 1',
    q4: () => 'SELECT count(*) FROM cpu',
    q5: () => `SELECT mean(usage_user) FROM cpu WHERE ${window(86_400)} GROUP BY time(1h), hostname`,
  };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  if (o.load) {
    const r0 = await request(`${o.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${o.db}`)}`, { method: 'POST' });
    await r0.body.dump();
    const batches = [...devopsBatches({ hosts: o.hosts, points: o.points, batch: 5000, seed: 12345 })];
    const lines = batches.map((b) => b.toString('latin1').split('\n').filter((l) => l.length > 0).length);
    const r = await pushBatches(o.url, `db=${o.db}&precision=s`, batches, lines, 4);
    process.stdout.write(`loaded ${r.points} points in ${r.seconds.toFixed(1)} s (${r.failures} failures)\n`);
  }
  const qs = standardQueries(o.hosts, o.points, prng(7919));
  const pool = new Pool(o.url, { connections: 1 });
  try {
    for (const [name, make] of Object.entries(qs)) {
      if (o.only.length > 0 && !o.only.includes(name)) continue;
      await timedQuery(pool, o.db, make());
      const times: number[] = [];
      for (let i = 0; i < o.runs; i++) times.push(await timedQuery(pool, o.db, make()));
      times.sort((a, b) => a - b);
      const med = times[Math.floor(times.length / 2)] as number;
      process.stdout.write(`${name}: median ${med.toFixed(2)} ms (min ${(times[0] as number).toFixed(2)}, max ${(times[times.length - 1] as number).toFixed(2)})\n`);
    }
  } finally {
    await pool.close();
  }
}

await main();
