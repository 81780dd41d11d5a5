import test from 'ava';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigProblem } from '../../../core/config-schema.js';
import { MetaStore } from '../../../core/contracts/meta-store.js';
import { Transport } from '../../../core/contracts/transport.js';
import { MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { rootContainer } from '../../../core/di.js';
import { silentLogger } from '../../../core/logger.js';
import { MetaRaftStore, metaRaftPlugin } from '../../../plugins/meta-raft/index.js';

test('manifest: meta-raft provides MetaStore and requires the Transport', (t) => {
  t.is(metaRaftPlugin.manifest.name, 'meta-raft');
  t.is(metaRaftPlugin.manifest.core, '^0.1.0');
  t.deepEqual(metaRaftPlugin.manifest.provides, [MetaStore]);
  t.deepEqual(metaRaftPlugin.manifest.requires, [Transport]);
});

test('config: defaults, validation of snapshot-interval, unknown keys rejected', (t) => {
  const problems: ConfigProblem[] = [];
  const cfg = metaRaftPlugin.parseConfig(undefined, 'meta-raft', problems);
  t.deepEqual(problems, []);
  t.is(cfg['snapshot-interval'], 1000);
  t.is(cfg['tick-ms'], 50);
  t.is(cfg['recover-as-sole-voter'], false);
  t.true(Object.isFrozen(cfg));
  const bad: ConfigProblem[] = [];
  metaRaftPlugin.parseConfig({ 'snapshot-interval': 0, 'nope': 1 }, 'meta-raft', bad);
  t.deepEqual(bad.map((p) => p.path).sort(), ['meta-raft.nope', 'meta-raft.snapshot-interval']);
});

test('register: a child container resolves one store (started by the caller) under <nodeDir>/meta', async (t) => {
  const nodeDir = await mkdtemp(join(tmpdir(), 'tessera-meta-plugin-'));
  const container = rootContainer.createChildContainer();
  const transport = new MemoryTransport(new MemoryNetwork());
  await transport.start();
  container.register(Transport, { useValue: transport });
  try {
    const problems: ConfigProblem[] = [];
    const cfg = metaRaftPlugin.parseConfig({ 'snapshot-interval': 10 }, 'meta-raft', problems);
    metaRaftPlugin.register(container, cfg, {
      nodeDir,
      logger: silentLogger(),
      node: { dir: nodeDir, httpBindAddress: '127.0.0.1:8086', clusterBindAddress: '127.0.0.1:8088', metaPeers: [], metaJoin: [] },
    });
    const store = container.resolve(MetaStore);
    t.is(container.resolve(MetaStore), store);
    t.false(rootContainer.isRegistered(MetaStore));
    t.deepEqual(store.supports, { persistent: true, replicated: false });
    await store.start();
    t.deepEqual(store.data().nodes, [{ id: 1, address: '127.0.0.1:8088', httpAddress: '127.0.0.1:8086' }]);
    t.true((await stat(join(nodeDir, 'meta', 'raft'))).isDirectory());
    await store.createDatabase('kept');
    await store.stop();
    // A cluster of one keeps its databases over a restart.
    const again = rootContainer.createChildContainer();
    again.register(Transport, { useValue: transport });
    metaRaftPlugin.register(again, cfg, {
      nodeDir,
      logger: silentLogger(),
      node: { dir: nodeDir, httpBindAddress: '127.0.0.1:8086', clusterBindAddress: '127.0.0.1:8089', metaPeers: [], metaJoin: [] },
    });
    const second = again.resolve(MetaStore);
    await second.start();
    t.truthy(second.database('kept'));
    t.is(second.nodeId(), 1, 'same node, new bind address');
    await second.stop();
    await again.dispose();
  } finally {
    await container.dispose();
    await transport.stop();
    await rm(nodeDir, { recursive: true, force: true });
  }
});

test('upgrade: a node dir written by the unreplicated meta log keeps its databases under Raft', async (t) => {
  const nodeDir = await mkdtemp(join(tmpdir(), 'tessera-meta-upgrade-'));
  const transport = new MemoryTransport(new MemoryNetwork());
  await transport.start();
  const container = rootContainer.createChildContainer();
  container.register(Transport, { useValue: transport });
  try {
    const old = new MetaRaftStore({ dir: join(nodeDir, 'meta'), address: '127.0.0.1:8088', logger: silentLogger(), snapshotInterval: 2 });
    await old.start();
    for (const db of ['a', 'b', 'c']) await old.createDatabase(db);
    await old.stop();
    const cfg = metaRaftPlugin.parseConfig(undefined, 'meta-raft', []);
    metaRaftPlugin.register(container, cfg, {
      nodeDir,
      logger: silentLogger(),
      node: { dir: nodeDir, httpBindAddress: '127.0.0.1:8086', clusterBindAddress: '127.0.0.1:8088', metaPeers: [], metaJoin: [] },
    });
    const store = container.resolve(MetaStore);
    await store.start();
    t.deepEqual(store.data().databases.map((d) => d.name), ['a', 'b', 'c']);
    t.is(store.nodeId(), 1);
    await store.createDatabase('d');
    await store.stop();
  } finally {
    await container.dispose();
    await transport.stop();
    await rm(nodeDir, { recursive: true, force: true });
  }
});
