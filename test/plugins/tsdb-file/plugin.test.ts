import { readdir } from 'node:fs/promises';
import test from 'ava';
import { type ConfigProblem, rootContainer, silentLogger, TSDBStore } from '../../../core/index.js';
import { FileTSDBStore, tsdbFilePlugin } from '../../../plugins/tsdb-file/index.js';
import { tempDir } from './helpers.js';

test('the manifest declares the TSDBStore slot and core range', (t) => {
  const m = tsdbFilePlugin.manifest;
  t.is(m.name, 'tsdb-file');
  t.is(m.core, '^0.1.0');
  t.deepEqual(m.provides, [TSDBStore]);
  t.deepEqual(m.requires, []);
});

test('parseConfig applies defaults, parses sizes, reports unknown keys and bad values with their path', (t) => {
  const ok: ConfigProblem[] = [];
  const c = tsdbFilePlugin.parseConfig(undefined, 'tsdb-file', ok);
  t.deepEqual(ok, []);
  t.is(c['cache-max-memory-size'], 1024 ** 3);
  t.is(c['cache-snapshot-memory-size'], 25 * 1024 ** 2);
  t.is(c['wal-fsync'], true);
  t.true(Object.isFrozen(c));
  const problems: ConfigProblem[] = [];
  tsdbFilePlugin.parseConfig({ 'cache-max-memory-size': 'lots', 'wal-sync': true, 'compaction-threshold': 1 }, 'tsdb-file', problems);
  t.deepEqual(problems.map((p) => p.path).sort(), ['tsdb-file.cache-max-memory-size', 'tsdb-file.compaction-threshold', 'tsdb-file.wal-sync']);
});

test('register provides one FileTSDBStore per container, keeping files under <nodeDir>/tsdb-file', async (t) => {
  const nodeDir = await tempDir(t);
  const container = rootContainer.createChildContainer();
  const config = tsdbFilePlugin.parseConfig({ 'wal-fsync': false }, 'tsdb-file', []);
  tsdbFilePlugin.register(container, config, {
    nodeDir,
    logger: silentLogger(),
    node: { dir: nodeDir, httpBindAddress: '127.0.0.1:0', clusterBindAddress: '127.0.0.1:0', metaPeers: [], metaJoin: [] },
  });
  const store = container.resolve(TSDBStore);
  t.true(store instanceof FileTSDBStore);
  t.is(container.resolve(TSDBStore), store);
  t.true(store.supports.persistent);
  await store.start();
  t.teardown(() => store.stop());
  await store.createShard('db', 'rp', 1);
  t.deepEqual(await readdir(nodeDir), ['tsdb-file']);
});
