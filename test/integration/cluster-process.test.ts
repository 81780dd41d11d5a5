// Two real server processes, meta replicated by meta-raft, data over the cluster port: a write through
// one node lands on the other's shards, both answer queries the same, and after kill -9 of one node a
// query needing its shards fails clearly within the deadline while the survivor keeps serving.
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { freePort, type NodeProcess, query, startNode, tempDir, write } from './harness.js';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.serial('two processes: writes cross the cluster port, queries agree, a killed node fails its shards\' queries clearly', async (t) => {
  const root = await tempDir('cluster-2p');
  const specs = [];
  for (let i = 0; i < 2; i++) specs.push({ dir: path.join(root, `n${i + 1}`), httpPort: await freePort(), clusterPort: await freePort() });
  const peers = specs.map((s) => `"127.0.0.1:${s.clusterPort}"`).join(', ');
  const toml = `[meta]\npeers = [${peers}]\n`;
  const nodes: NodeProcess[] = await Promise.all(
    specs.map((s) => startNode({ dir: s.dir, httpPort: s.httpPort, clusterPort: s.clusterPort, extraToml: toml, env: { TESSERA_CLUSTER_WRITE_TIMEOUT: '2s' }, waitMs: 30_000 })),
  );
  try {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    await until('CREATE DATABASE', async () => ((await query(a.url, 'CREATE DATABASE db')).body?.results?.[0]?.error === undefined ? true : undefined));
    // Both nodes registered, so each shard group has 2 shards, one per node (replication 1).
    await until('both nodes in meta', async () => {
      const r = await query(b.url, 'SHOW DATABASES');
      return r.body?.results?.[0]?.series?.[0]?.values?.some((v: string[]) => v[0] === 'db') ? true : undefined;
    });
    const lines = Array.from({ length: 2000 }, (_, i) => `cpu,host=h${i % 50} value=${i},n=${i}i ${1_700_000_000 + i}`).join('\n');
    const w = await write(a.url, 'db', lines, { precision: 's' });
    t.is(w.status, 204, w.text);

    const count = 'SELECT count(value), sum(n) FROM cpu';
    const ra = await query(a.url, count, { db: 'db' });
    const rb = await query(b.url, count, { db: 'db' });
    t.deepEqual(ra.body.results[0].series[0].values, [['1970-01-01T00:00:00Z', 2000, 1999000]]);
    t.deepEqual(rb.body, ra.body);
    const byHost = 'SELECT max(value), last(n) FROM cpu GROUP BY host';
    t.deepEqual((await query(b.url, byHost, { db: 'db' })).body, (await query(a.url, byHost, { db: 'db' })).body);

    await b.stop('SIGKILL');
    const started = Date.now();
    const dead = await query(a.url, count, { db: 'db' });
    const elapsed = Date.now() - started;
    t.regex(dead.body?.results?.[0]?.error ?? '', /^map shard \d+ on node \d+: /, JSON.stringify(dead.body));
    t.true(elapsed < 5000, `answered in ${elapsed} ms`);
    t.is((await query(a.url, 'SHOW DATABASES')).status, 200, 'the survivor keeps serving');
  } finally {
    for (const n of nodes) await n.stop('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
  }
});
