// Three real server processes replicating meta with Raft: create through any node, kill -9 the leader,
// survivors elect and accept DDL, the killed node restarts and catches up, a fourth node joins.
import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePort, query, startNode, tempDir, type NodeProcess } from './harness.js';

interface Spec {
  dir: string;
  httpPort: number;
  clusterPort: number;
  toml: string;
}

const ENV = { TESSERA_NODE_LOG_LEVEL: 'info' };

/** The node's latest Raft role line (pino JSON on stdout/stderr). */
function lastRole(node: NodeProcess): { role: string; term: number } | undefined {
  let last: { role: string; term: number } | undefined;
  for (const line of node.output().split('\n')) {
    if (!line.includes('raft role changed')) continue;
    try {
      const rec = JSON.parse(line) as { role: string; term: number };
      last = { role: rec.role, term: rec.term };
    } catch {
      // not JSON
    }
  }
  return last;
}

async function databases(node: NodeProcess): Promise<string[]> {
  const r = await query(node.url, 'SHOW DATABASES');
  const values = (r.body?.results?.[0]?.series?.[0]?.values ?? []) as string[][];
  return values.map((v) => v[0]!);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ddl(node: NodeProcess, q: string): Promise<true | undefined> {
  const r = await query(node.url, q);
  return r.status === 200 && r.body?.results?.[0]?.error === undefined ? true : undefined;
}

test.serial('three processes: DDL through any node, kill -9 the leader, failover, restart catch-up, a fourth node joins', async (t) => {
  const root = await tempDir('meta-raft-3');
  const specs: Spec[] = [];
  for (let i = 0; i < 3; i++) specs.push({ dir: path.join(root, `n${i + 1}`), httpPort: await freePort(), clusterPort: await freePort(), toml: '' });
  const peers = specs.map((s) => `"127.0.0.1:${s.clusterPort}"`).join(', ');
  for (const s of specs) s.toml = `[meta]\npeers = [${peers}]\n`;
  const start = (s: Spec) => startNode({ dir: s.dir, httpPort: s.httpPort, clusterPort: s.clusterPort, extraToml: s.toml, env: ENV, waitMs: 30_000 });
  const nodes: NodeProcess[] = await Promise.all(specs.map(start));
  try {
    t.truthy(await ddl(nodes[1]!, 'CREATE DATABASE made_on_two'));
    for (const n of nodes) await until('the database on every node', async () => ((await databases(n)).includes('made_on_two') ? true : undefined));

    const leaderIdx = await until('a leader', async () => {
      const i = nodes.findIndex((n) => lastRole(n)?.role === 'leader');
      return i >= 0 ? i : undefined;
    });
    const leader = nodes[leaderIdx]!;
    const killedAt = Date.now();
    await leader.stop('SIGKILL');
    const survivors = nodes.filter((n) => n !== leader);
    await until('a survivor accepting CREATE DATABASE', () => ddl(survivors[0]!, 'CREATE DATABASE after_kill'), 30_000);
    const failoverMs = Date.now() - killedAt;
    t.log(`failover: CREATE DATABASE accepted ${failoverMs} ms after kill -9 of the leader (tick 50 ms, election 0.5-1 s)`);
    t.true((await databases(survivors[1]!)).includes('made_on_two'));

    const restarted = await start(specs[leaderIdx]!);
    nodes[leaderIdx] = restarted;
    await until('the restarted node caught up', async () => ((await databases(restarted)).includes('after_kill') ? true : undefined));

    const fourth: Spec = {
      dir: path.join(root, 'n4'),
      httpPort: await freePort(),
      clusterPort: await freePort(),
      toml: `[meta]\njoin = ["127.0.0.1:${specs[0]!.clusterPort}"]\n`,
    };
    const joiner = await start(fourth);
    nodes.push(joiner);
    const dbs = await databases(joiner);
    t.true(dbs.includes('made_on_two') && dbs.includes('after_kill'), dbs.join(','));
    t.truthy(await ddl(joiner, 'CREATE DATABASE from_four'));
    await until('the joiner\'s database on node 1', async () => ((await databases(nodes[0]!)).includes('from_four') ? true : undefined));

    // A rolling restart step: SIGTERM the current leader; it hands leadership over before exiting.
    const current = await until('the current leader', async () => {
      let best: NodeProcess | undefined;
      let bestTerm = -1;
      for (const n of nodes) {
        const r = lastRole(n);
        if (n.child.exitCode === null && n.child.signalCode === null && r?.role === 'leader' && r.term > bestTerm) [best, bestTerm] = [n, r.term];
      }
      return best;
    });
    const termAt = Date.now();
    t.is(await current.stop('SIGTERM'), 0);
    const other = nodes.find((n) => n !== current && n.child.exitCode === null && n.child.signalCode === null)!;
    await until('DDL after the graceful stop', () => ddl(other, 'CREATE DATABASE after_sigterm'), 30_000);
    t.log(`graceful SIGTERM of the leader: CREATE DATABASE accepted ${Date.now() - termAt} ms after the signal (includes process shutdown)`);
    t.regex(current.output(), /leadership handed off before stopping/);
  } finally {
    for (const n of nodes) await n.stop('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
  }
});
