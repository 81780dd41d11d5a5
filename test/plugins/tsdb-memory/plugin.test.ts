import test from 'ava';
import { type ConfigProblem, rootContainer, silentLogger, TSDBStore } from '../../../core/index.js';
import { MemoryTSDBStore, tsdbMemoryPlugin } from '../../../plugins/tsdb-memory/index.js';

const ctx = {
  nodeDir: '/nonexistent',
  logger: silentLogger(),
  node: { dir: '/nonexistent', httpBindAddress: '127.0.0.1:0', clusterBindAddress: '127.0.0.1:0', metaPeers: [], metaJoin: [] },
};

test('the manifest declares the TSDBStore slot and core range', (t) => {
  const m = tsdbMemoryPlugin.manifest;
  t.is(m.name, 'tsdb-memory');
  t.is(m.core, '^0.1.0');
  t.deepEqual(m.provides, [TSDBStore]);
  t.deepEqual(m.requires, []);
});

test('parseConfig applies defaults and reports unknown keys and bad values with their path', (t) => {
  const ok: ConfigProblem[] = [];
  t.deepEqual({ ...tsdbMemoryPlugin.parseConfig(undefined, 'tsdb-memory', ok) }, { 'max-block-points': 1000 });
  t.deepEqual(ok, []);
  const problems: ConfigProblem[] = [];
  tsdbMemoryPlugin.parseConfig({ 'max-block-points': 0, bogus: 1 }, 'tsdb-memory', problems);
  t.deepEqual(problems.map((p) => p.path).sort(), ['tsdb-memory.bogus', 'tsdb-memory.max-block-points']);
});

test('register gives one store per container, separate between containers', async (t) => {
  const a = rootContainer.createChildContainer();
  const b = rootContainer.createChildContainer();
  const config = tsdbMemoryPlugin.parseConfig({ 'max-block-points': 2 }, 'tsdb-memory', []);
  tsdbMemoryPlugin.register(a, config, ctx);
  tsdbMemoryPlugin.register(b, config, ctx);
  const sa = a.resolve(TSDBStore);
  t.true(sa instanceof MemoryTSDBStore);
  t.is(a.resolve(TSDBStore), sa);
  t.not(b.resolve(TSDBStore), sa);
  t.false(rootContainer.isRegistered(TSDBStore), 'nothing registered in the root container');
  await sa.start();
  await sa.createShard('db', 'rp', 1);
  await sa.writeToShard(1, [1n, 2n, 3n].map((time) => ({ measurement: 'm', tags: [], fields: [['v', 1]] as const, time, key: 'm' })));
  t.deepEqual(
    [...sa.reader(1).scan('m', 'v', 0n, 10n)].map((blk) => blk.count),
    [2, 1],
    'max-block-points from config reaches the store',
  );
  await sa.stop();
});
