// Crash cycles against a whole node: a Tessera node (tsdb-file) runs as a child process; a writer sends
// batches over HTTP and records which were acknowledged (204); the node is killed with SIGKILL at a
// random moment; after a restart every acknowledged point must be there. Reports restart times.
//
//   node dist/test/integration/node-crash-run.js --cycles 100 [--seed 1]
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { type NodeProcess, query, startNode, tempDir } from './harness.js';
import { prng } from '../../core/testing/suite-harness.js';

export interface CrashResult {
  readonly cycles: number;
  readonly acknowledgedBatches: number;
  /** Acknowledged points not found after a restart (must be 0). */
  readonly missing: number;
  /** ms from spawn to /ping answering, per restart. */
  readonly restartMs: number[];
}


/** Runs `cycles` kill/restart cycles; each batch is 500 points of series `b<batch>` (one point per host). */
export async function runNodeCrashCycles(options: { cycles: number; seed?: number; log?: (s: string) => void }): Promise<CrashResult> {
  const rand = prng(options.seed ?? 1);
  const dir = await tempDir('crash');
  const restartMs: number[] = [];
  const acked: number[] = [];
  let nextBatch = 0;
  let node: NodeProcess | undefined;
  let missing = 0;
  try {
    let t0 = Date.now();
    node = await startNode({ dir });
    restartMs.push(Date.now() - t0);
    await query(node.url, 'CREATE DATABASE crash');
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const current = node;
      // Writers at concurrency 2 until the kill; a batch counts only when its 204 arrived.
      let killed = false;
      const writer = async () => {
        while (!killed) {
          const b = nextBatch++;
          const lines: string[] = [];
          for (let h = 0; h < 500; h++) lines.push(`crash,batch=b${b},host=h${h} v=${b}i,w=${h}.5 ${1_600_000_000_000_000_000n + BigInt(b) * 1_000_000n + BigInt(h)}`);
          try {
            const r = await request(`${current.url}/write?db=crash`, { method: 'POST', body: lines.join('\n') });
            await r.body.dump();
            if (r.statusCode === 204) acked.push(b);
          } catch {
            return; // the node died under us: this batch is not acknowledged
          }
        }
      };
      const writers = [writer(), writer()];
      await new Promise((r) => setTimeout(r, 200 + Math.floor(rand() * 1500)));
      killed = true;
      await current.stop('SIGKILL');
      await Promise.all(writers);
      t0 = Date.now();
      node = await startNode({ dir, httpPort: current.httpPort, clusterPort: current.clusterPort });
      restartMs.push(Date.now() - t0);
      // Every acknowledged batch has its 500 points.
      const r = await query(node.url, 'SELECT count(v) FROM crash GROUP BY batch', { db: 'crash' });
      const counts = new Map<string, number>();
      for (const s of r.body.results[0].series ?? []) counts.set(s.tags.batch, s.values[0][1]);
      for (const b of acked) {
        const c = counts.get(`b${b}`) ?? 0;
        if (c !== 500) missing += 500 - c;
      }
      options.log?.(`cycle ${cycle + 1}: ${acked.length} batches acknowledged so far, missing points ${missing}, restart ${restartMs.at(-1)} ms`);
    }
  } finally {
    await node?.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { cycles: options.cycles, acknowledgedBatches: acked.length, missing, restartMs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const result = await runNodeCrashCycles({ cycles: arg('--cycles', 10), seed: arg('--seed', 1), log: (s) => process.stderr.write(`${s}\n`) });
  const sorted = [...result.restartMs].sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ ...result, restartMs: undefined, restartMsMedian: sorted[Math.floor(sorted.length / 2)], restartMsMax: sorted.at(-1) })}\n`,
  );
  process.exit(result.missing === 0 ? 0 : 1);
}
