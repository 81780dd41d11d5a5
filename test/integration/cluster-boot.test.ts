// Two nodes booted by bootNode() in one process, talking over their cluster ports through the wiring of
// core/node.ts (PointsWriter -> ShardWriter -> ConnPool; ClusterService on the mux; remote ShardMapper).
// Their MetaStore is a test plugin over one shared command stream (test/cluster/shared-meta.ts), which
// STANDS IN FOR RAFT REPLICATION until meta-raft replicates across nodes; everything else is built-in.
import fs from 'node:fs/promises';
import test from 'ava';
import { MetaStore } from '../../core/contracts/meta-store.js';
import { TSDBStore } from '../../core/contracts/tsdb-store.js';
import { bootNode, type TesseraNode } from '../../core/node.js';
import { definePlugin, type Plugin } from '../../core/plugin.js';
import { createPluginResolver } from '../../core/plugin-loader.js';
import { BUILTIN_PLUGINS } from '../../plugins/builtin.js';
import { SharedMetaLog, SharedMetaStore } from '../cluster/shared-meta.js';
import { freePort, query, tempDir, write } from './harness.js';

function sharedMetaPlugin(log: SharedMetaLog): Plugin<unknown> {
  return definePlugin<unknown>({
    manifest: { name: 'test-shared-meta', version: '0.1.0', core: '^0.1.0', provides: [MetaStore], requires: [] },
    parseConfig: () => ({}),
    register(container, _config, ctx) {
      container.register(MetaStore, { useValue: new SharedMetaStore(log, ctx.node.clusterBindAddress) });
    },
  });
}

async function boot(dir: string, clusterPort: number, log: SharedMetaLog): Promise<TesseraNode> {
  const builtins = createPluginResolver(BUILTIN_PLUGINS, dir);
  return bootNode({
    raw: {
      node: { dir, 'log-level': 'silent' },
      http: { 'bind-address': '127.0.0.1:0' },
      cluster: { 'bind-address': `127.0.0.1:${clusterPort}`, 'write-timeout': '3s' },
      plugins: { meta: 'test-shared-meta' },
    },
    env: {},
    resolvePlugin: async (ref) => (ref === 'test-shared-meta' ? sharedMetaPlugin(log) : builtins(ref)),
  });
}

test('two booted nodes: a write through one lands on the other\'s shards, and both answer queries the same', async (t) => {
  const [d1, d2] = [await tempDir('cb1'), await tempDir('cb2')];
  const [p1, p2] = [await freePort(), await freePort()];
  const log = new SharedMetaLog();
  await log.addNode(`127.0.0.1:${p1}`);
  await log.addNode(`127.0.0.1:${p2}`);
  const a = await boot(d1, p1, log);
  const b = await boot(d2, p2, log);
  try {
    const [ua, ub] = [`http://${a.httpAddress()}`, `http://${b.httpAddress()}`];
    t.is((await query(ua, 'CREATE DATABASE db')).status, 200);
    const lines = Array.from({ length: 400 }, (_, i) => `cpu,host=h${i % 40} value=${i},n=${i}i ${1_700_000_000 + i}`).join('\n');
    const w = await write(ua, 'db', lines, { precision: 's' });
    t.is(w.status, 204, w.text);

    const storeA = a.container.resolve(TSDBStore);
    const storeB = b.container.resolve(TSDBStore);
    const shards = log.data.databases[0]!.retentionPolicies[0]!.shardGroups.flatMap((g) => g.shards);
    const onB = shards.filter((s) => s.owners[0] === 2);
    t.true(onB.length > 0);
    for (const s of onB) {
      t.is(storeA.shardInfo(s.id), undefined, `node 1 holds no copy of shard ${s.id}`);
      t.true(storeB.reader(s.id).series('cpu').length > 0, `node 2 holds shard ${s.id}`);
    }

    for (const q of ['SELECT count(value), sum(n) FROM cpu', 'SELECT max(value) FROM cpu GROUP BY host', 'SELECT * FROM cpu WHERE host = \'h7\'']) {
      const ra = await query(ua, q, { db: 'db' });
      const rb = await query(ub, q, { db: 'db' });
      t.is(ra.status, 200);
      t.deepEqual(ra.body, rb.body, q);
    }
    const total = await query(ua, 'SELECT count(value) FROM cpu', { db: 'db' });
    t.deepEqual(total.body.results[0].series[0].values, [['1970-01-01T00:00:00Z', 400]]);

    // A type conflict in a shard only node 2 holds, written through node 1: InfluxDB's partial write.
    const remoteHost = Array.from({ length: 40 }, (_, i) => `h${i}`).find((h) =>
      onB.some((s) => storeB.reader(s.id).series('cpu').some((x) => x.key === `cpu,host=${h}`)),
    )!;
    const conflict = await write(ua, 'db', `cpu,host=${remoteHost} value="text" ${1_700_000_000}`, { precision: 's' });
    t.is(conflict.status, 400);
    t.regex(JSON.parse(conflict.text).error, /^partial write: field type conflict: input field "value" on measurement "cpu" is type string, already exists as type float dropped=1$/);
  } finally {
    await a.stop();
    await b.stop();
    await fs.rm(d1, { recursive: true, force: true });
    await fs.rm(d2, { recursive: true, force: true });
  }
});
