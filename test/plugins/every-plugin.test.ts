// Every first-party plugin × every contract token it provides runs that contract's conformance suite,
// built through the plugin's own parseConfig + register (as a node would build it), so a new built-in
// plugin is covered without anyone remembering to add a test.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { ConfigProblem } from '../../core/config-schema.js';
import { ConnPool } from '../../core/contracts/conn-pool.js';
import { MetaStore } from '../../core/contracts/meta-store.js';
import { Transport } from '../../core/contracts/transport.js';
import { TSDBStore } from '../../core/contracts/tsdb-store.js';
import { rootContainer } from '../../core/di.js';
import { silentLogger } from '../../core/logger.js';
import { NodeSettings, type Plugin } from '../../core/plugin.js';
import { metaStoreSuite } from '../../core/testing/meta-store-suite.js';
import { transportSuite } from '../../core/testing/transport-suite.js';
import { tsdbStoreSuite } from '../../core/testing/tsdb-store-suite.js';
import { BUILTIN_PLUGINS } from '../../plugins/builtin.js';
import { tcpBlackHole } from './transport-tcp/black-hole.js';

/** Builds the token `token` from `plugin` in a fresh child container, as bootNode does. */
function build<T>(plugin: Plugin<unknown>, token: symbol, dir: string): T {
  const problems: ConfigProblem[] = [];
  const config = plugin.parseConfig(undefined, plugin.manifest.name, problems);
  if (problems.length) throw new Error(`default config of ${plugin.manifest.name} is invalid: ${JSON.stringify(problems)}`);
  const c = rootContainer.createChildContainer();
  const settings = { dir, httpBindAddress: '127.0.0.1:0', clusterBindAddress: '127.0.0.1:0', metaPeers: [], metaJoin: [] };
  c.register(NodeSettings, { useValue: settings });
  plugin.register(c, config, { nodeDir: dir, logger: silentLogger(), node: settings });
  return c.resolve(token as never) as T;
}

const plugins = await Promise.all(Object.entries(BUILTIN_PLUGINS).map(async ([name, load]) => [name, await load()] as const));
const covered: string[] = [];

for (const [name, plugin] of plugins) {
  for (const token of plugin.manifest.provides) {
    const label = `${name} (built by its plugin)`;
    if (token === TSDBStore) {
      tsdbStoreSuite({ test, name: label, factory: (dir) => build(plugin, token, dir) });
    } else if (token === MetaStore) {
      metaStoreSuite({ test, name: label, factory: (dir) => build(plugin, token, dir) });
    } else if (token === Transport) {
      transportSuite({
        test,
        name: label,
        factory: async () => build(plugin, token, await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-tp-'))),
        listenAddress: '127.0.0.1:0',
        blackHole: tcpBlackHole,
      });
    } else if (token === ConnPool) {
      // The ConnPool suite drives pools over a transport it controls (test/plugins/pool-channel runs it
      // over transport-tcp and the memory transport); here: the plugin builds one that resolves its
      // requirements from the container.
      continue;
    } else {
      test(`${name} provides ${String(token.description)}, which has no conformance suite here`, (t) => t.fail());
      continue;
    }
    covered.push(`${name}:${token.description}`);
  }
}

test('every built-in plugin provides only contract tokens with a suite', (t) => {
  t.true(covered.length >= 4, covered.join(', '));
  for (const [, plugin] of plugins) t.true(plugin.manifest.provides.length > 0, plugin.manifest.name);
});
