// [cluster] shared-secret alone (no pool settings) makes two nodes authenticate each other, and a node
// with another secret is refused.
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { freePort, query, startNode, tempDir, write } from './harness.js';

test.serial('two processes with the same [cluster] shared-secret write to each other; remote shards answer queries', async (t) => {
  const root = await tempDir('secret');
  const specs = [];
  for (let i = 0; i < 2; i++) specs.push({ dir: path.join(root, `n${i}`), httpPort: await freePort(), clusterPort: await freePort() });
  const peers = specs.map((s) => `"127.0.0.1:${s.clusterPort}"`).join(', ');
  const nodes = await Promise.all(
    specs.map((s) => startNode({ ...s, extraToml: `[meta]\npeers = [${peers}]\n`, env: { TESSERA_CLUSTER_SHARED_SECRET: 'sesame' } })),
  );
  try {
    t.is((await query(nodes[0]!.url, 'CREATE DATABASE s')).status, 200);
    // Two nodes, replication 1: two shards per group, one on each node; enough series to touch both.
    const lines = Array.from({ length: 50 }, (_, i) => `m,h=h${i} v=${i} 1600000000000000000`).join('\n');
    let status = 0;
    for (let i = 0; i < 100 && status !== 204; i++) {
      status = (await write(nodes[0]!.url, 's', lines)).status;
      if (status !== 204) await new Promise((r) => setTimeout(r, 200));
    }
    t.is(status, 204);
    const r = await query(nodes[1]!.url, 'SELECT count(v) FROM m', { db: 's' });
    t.is(r.body.results[0].series[0].values[0][1], 50);
  } finally {
    for (const n of nodes) await n.stop('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
  }
});
