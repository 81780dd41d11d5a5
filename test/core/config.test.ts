import test from 'ava';
import { applyEnvOverrides, parseCoreConfig, readToml } from '../../core/config.js';
import type { ConfigProblem } from '../../core/config-schema.js';
import type { TesseraError } from '../../core/errors.js';

test('omitted keys take the defaults', (t) => {
  const problems: ConfigProblem[] = [];
  const c = parseCoreConfig({}, problems);
  t.deepEqual(problems, []);
  t.is(c.http['bind-address'], '127.0.0.1:8086');
  t.is(c.cluster['bind-address'], '127.0.0.1:8088');
  t.is(c.node.dir, './data');
  t.deepEqual(c.meta.peers, []);
  t.is(c.plugins.meta, 'meta-raft');
  t.is(c.plugins.transport, 'transport-tcp');
  t.is(c.plugins.tsdb, 'tsdb-file');
  t.is(c.plugins.pool, 'pool-channel');
});

test('TOML sections are read with kebab-case keys and durations as strings', (t) => {
  const raw = readToml('[http]\nbind-address = "127.0.0.1:9999"\n[node]\nstart-timeout = "5s"\n[meta]\npeers = ["a:8088", "b:8088"]\n', 'x.toml');
  const problems: ConfigProblem[] = [];
  const c = parseCoreConfig(raw, problems);
  t.deepEqual(problems, []);
  t.is(c.http['bind-address'], '127.0.0.1:9999');
  t.is(c.node['start-timeout'], 5000);
  t.deepEqual(c.meta.peers, ['a:8088', 'b:8088']);
});

test('a TOML syntax error is a config error naming the file', (t) => {
  const err = t.throws(() => readToml('[http\nbind-address = 1', 'node.toml'));
  t.is((err as TesseraError).code, 'ERR_CONFIG_INVALID');
  t.regex(err!.message, /node\.toml/);
});

test('every key can be overridden by TESSERA_<SECTION>_<KEY>, arrays comma-separated', (t) => {
  const raw = applyEnvOverrides(
    { http: { 'bind-address': '127.0.0.1:1' } },
    {
      TESSERA_HTTP_BIND_ADDRESS: '0.0.0.0:8086',
      TESSERA_META_PEERS: 'a:8088,b:8088',
      TESSERA_PLUGINS_TSDB: 'tsdb-memory',
      TESSERA_NODE_START_TIMEOUT: '7s',
      TESSERA_TSDB_FILE_CACHE_MAX_MEMORY_SIZE: '1GiB',
      OTHER: 'x',
    },
    ['node', 'http', 'meta', 'plugins', 'tsdb', 'tsdb-file'],
  );
  t.is(raw.http!['bind-address'], '0.0.0.0:8086');
  t.is(raw['tsdb-file']!['cache-max-memory-size'], '1GiB', 'the longest section name wins');
  const problems: ConfigProblem[] = [];
  const c = parseCoreConfig(raw, problems);
  t.deepEqual(problems, []);
  t.deepEqual(c.meta.peers, ['a:8088', 'b:8088']);
  t.is(c.plugins.tsdb, 'tsdb-memory');
  t.is(c.node['start-timeout'], 7000);
});

test('bad values and unknown keys are all reported with their paths', (t) => {
  const problems: ConfigProblem[] = [];
  parseCoreConfig({ http: { 'bind-adress': 'x', 'max-body-size': 'lots' }, node: { 'log-level': 'loud' } }, problems);
  t.deepEqual(problems.map((p) => p.path).sort(), ['http.bind-adress', 'http.max-body-size', 'node.log-level']);
});
