import test from 'ava';
import type { ConfigProblem } from '../../../core/config-schema.js';
import { ConnPool } from '../../../core/contracts/conn-pool.js';
import { MetaStore } from '../../../core/contracts/meta-store.js';
import { Transport } from '../../../core/contracts/transport.js';
import { rootContainer } from '../../../core/di.js';
import { silentLogger } from '../../../core/logger.js';
import { MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { ChannelPool, poolChannelPlugin } from '../../../plugins/pool-channel/index.js';

test('config: defaults match InfluxDB 0.10 (max 3 per node, 5s wait) and problems are reported with paths', (t) => {
  const ok: ConfigProblem[] = [];
  const cfg = poolChannelPlugin.parseConfig(undefined, 'pool-channel', ok);
  t.deepEqual(ok, []);
  t.like(cfg, { initial: 1, max: 3, 'global-max': 500, 'get-timeout': 5000, 'idle-timeout': 60_000 });
  const bad: ConfigProblem[] = [];
  poolChannelPlugin.parseConfig({ initial: 4, max: 2, 'get-timeout': 'never', extra: true }, 'pool-channel', bad);
  t.deepEqual(bad.map((p) => p.path).sort(), ['pool-channel.extra', 'pool-channel.get-timeout', 'pool-channel.initial']);
});

test('plugin registers a ChannelPool that dials through the container\'s Transport using MetaStore addresses', async (t) => {
  const network = new MemoryNetwork();
  const server = new MemoryTransport(network);
  await server.start();
  const bound = await server.listen('n1:0', (conn) => conn.pipe(conn));
  const c = rootContainer.createChildContainer();
  const transport = new MemoryTransport(network);
  c.register(Transport, { useValue: transport });
  // Only data() is used by the pool: a small hand-written view of the MetaStore.
  c.register(MetaStore, { useValue: { data: () => ({ nodes: [{ id: 1, address: bound.address }] }) } as unknown as MetaStore });
  const problems: ConfigProblem[] = [];
  const config = poolChannelPlugin.parseConfig({ initial: 0 }, 'pool-channel', problems);
  poolChannelPlugin.register(c, config, {
    nodeDir: '/nonexistent',
    logger: silentLogger(),
    node: { dir: '/nonexistent', httpBindAddress: '', clusterBindAddress: '', metaPeers: [], metaJoin: [] },
  });
  const pool = c.resolve(ConnPool);
  t.true(pool instanceof ChannelPool);
  t.is(c.resolve(ConnPool), pool);
  await transport.start();
  await pool.start();
  try {
    const pc = await pool.get(1);
    t.is(pc.nodeId, 1);
    pc.release();
    t.deepEqual(pool.stats(), { idle: 1, live: 1, waiting: 0 });
  } finally {
    await pool.stop();
    await transport.stop();
    await server.stop();
  }
  t.deepEqual(poolChannelPlugin.manifest.requires, [Transport, MetaStore]);
});
