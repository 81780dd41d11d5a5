// Meta Raft across three real processes (server.ts on loopback, default timeouts): how long a database
// created on one node takes to become visible on the others, and failover after kill -9 of the leader
// (time until a survivor accepts CREATE DATABASE). `node dist/bench/raft.bench.js [--trials 10]`
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, type NodeProcess, query, startNode, tempDir } from '../test/integration/harness.js';

async function dbs(n: NodeProcess): Promise<string[]> {
  const r = await query(n.url, 'SHOW DATABASES');
  return ((r.body?.results?.[0]?.series?.[0]?.values ?? []) as string[][]).map((v) => v[0]!);
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // retry
    }
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function leaderOf(nodes: NodeProcess[]): NodeProcess | undefined {
  let best: NodeProcess | undefined;
  let bestTerm = -1;
  for (const n of nodes) {
    let role: { role: string; term: number } | undefined;
    for (const line of n.output().split('\n')) {
      if (!line.includes('raft role changed')) continue;
      try {
        role = JSON.parse(line);
      } catch {
        // not JSON
      }
    }
    if (role?.role === 'leader' && role.term > bestTerm && n.child.exitCode === null) [best, bestTerm] = [n, role.term];
  }
  return best;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Figures: visibility lag (median, max) and failover time after kill -9 of the leader. */
export async function run(options: { trials?: number } = {}): Promise<Record<string, number>> {
  const trials = options.trials ?? 10;
  const root = await tempDir('raft-bench');
  const specs = [];
  for (let i = 0; i < 3; i++) specs.push({ dir: path.join(root, `n${i}`), httpPort: await freePort(), clusterPort: await freePort() });
  const peers = specs.map((s) => `"127.0.0.1:${s.clusterPort}"`).join(', ');
  const nodes = await Promise.all(
    specs.map((s) => startNode({ ...s, extraToml: `[meta]\npeers = [${peers}]\n`, env: { TESSERA_NODE_LOG_LEVEL: 'info' } })),
  );
  try {
    const lags: number[] = [];
    for (let i = 0; i < trials; i++) {
      const via = nodes[i % 3]!;
      const t0 = performance.now();
      const r = await query(via.url, `CREATE DATABASE vis_${i}`);
      if (r.status !== 200) throw new Error(`CREATE DATABASE failed: ${JSON.stringify(r.body)}`);
      await Promise.all(nodes.map((n) => until(async () => ((await dbs(n)).includes(`vis_${i}`) ? true : undefined))));
      lags.push(performance.now() - t0);
    }
    const leader = await until(async () => leaderOf(nodes));
    const survivor = nodes.find((n) => n !== leader)!;
    const t0 = performance.now();
    await leader.stop('SIGKILL');
    await until(async () => {
      const r = await query(survivor.url, 'CREATE DATABASE after_failover');
      return r.status === 200 && !r.body.results[0].error ? true : undefined;
    });
    const failoverMs = performance.now() - t0;
    return {
      'create → visible on all 3 nodes, median ms': median(lags),
      'create → visible on all 3 nodes, max ms': Math.max(...lags),
      'failover after kill -9 of the leader, ms': failoverMs,
    };
  } finally {
    for (const n of nodes) await n.stop('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--trials');
  const r = await run({ trials: i > 0 ? Number(process.argv[i + 1]) : 10 });
  for (const [k, v] of Object.entries(r)) process.stdout.write(`${k}: ${v.toFixed(1)}\n`);
}
