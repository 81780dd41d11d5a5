import fs from 'node:fs/promises';
import test from 'ava';
import { Agent, request } from 'undici';
import { devopsBatches } from '../../../bench/devops-data.js';
import { query, startNode, tempDir } from '../../integration/harness.js';

const TOML = '[plugins]\ntsdb = "tsdb-file"\n\n[tsdb-file]\ncache-snapshot-memory-size = "2MiB"\n';

test.serial('a node on tsdb-file: 100,000 points over HTTP, SIGKILL, restart: every point is still there', async (t) => {
  t.timeout(300_000);
  const dir = await tempDir('tsdb-file-node');
  let node = await startNode({ dir, extraToml: TOML });
  try {
    t.is((await query(node.url, 'CREATE DATABASE bench')).status, 200);
    const agent = new Agent({ connections: 2 });
    for (const body of devopsBatches({ hosts: 100, points: 1000, batch: 5000, seed: 7 })) {
      const r = await request(`${node.url}/write?db=bench&precision=s`, { method: 'POST', body, dispatcher: agent });
      await r.body.dump();
      t.is(r.statusCode, 204);
    }
    await agent.close();
    const q = 'SELECT count(usage_user), sum(usage_idle) FROM cpu';
    const before = await query(node.url, q, { db: 'bench' });
    t.is(before.body.results[0].series[0].values[0][1], 100_000);
    await node.stop('SIGKILL');
    node = await startNode({ dir, httpPort: node.httpPort, clusterPort: node.clusterPort, extraToml: TOML });
    const after = await query(node.url, q, { db: 'bench' });
    const [, countBefore, sumBefore] = before.body.results[0].series[0].values[0];
    const [, countAfter, sumAfter] = after.body.results[0].series[0].values[0];
    t.is(countAfter, countBefore);
    // the sum is added up in another order when the blocks are laid out differently: last bits may differ
    t.true(Math.abs(sumAfter - sumBefore) <= Math.abs(sumBefore) * 1e-12, `${sumAfter} vs ${sumBefore}`);
    const tags = await query(node.url, 'SHOW TAG VALUES FROM cpu WITH KEY = "hostname"', { db: 'bench' });
    t.is(tags.body.results[0].series[0].values.length, 100);
  } finally {
    await node.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});
