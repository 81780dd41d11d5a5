import test from 'ava';
import type { ConfigProblem } from '../../core/config-schema.js';
import { parseSection } from '../../core/config-schema.js';
import { ConnPool } from '../../core/contracts/conn-pool.js';
import { MetaStore } from '../../core/contracts/meta-store.js';
import { Transport } from '../../core/contracts/transport.js';
import { TSDBStore } from '../../core/contracts/tsdb-store.js';
import { rootContainer } from '../../core/di.js';
import type { TesseraError } from '../../core/errors.js';
import { definePlugin, type Plugin } from '../../core/plugin.js';
import { checkPlugins, createPluginResolver, guardedContainer, validatePlugin } from '../../core/plugin-loader.js';
import { createToken } from '../../core/tokens.js';

function plugin(name: string, provides: symbol[], requires: symbol[] = [], core = '^0.1.0'): Plugin<unknown> {
  return definePlugin({
    manifest: { name, version: '1.0.0', core, provides, requires },
    parseConfig: (raw, path, problems: ConfigProblem[]) => parseSection(raw, path, {}, problems),
    register: (c) => {
      for (const t of provides) c.register(t, { useValue: { name } });
    },
  });
}

const full = () => [
  plugin('meta', [MetaStore], [Transport]),
  plugin('tsdb', [TSDBStore]),
  plugin('tcp', [Transport]),
  plugin('pool', [ConnPool], [Transport, MetaStore]),
];

test('a full set of plugins passes the slot check', (t) => {
  t.notThrows(() => checkPlugins(full()));
});

test('two providers of one exclusive slot fail naming both plugins', (t) => {
  const err = t.throws(() => checkPlugins([...full(), plugin('other-tsdb', [TSDBStore])]));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_SLOT_CONFLICT');
  t.regex(err!.message, /tessera\.core\.TSDBStore is provided by both "tsdb" and "other-tsdb"/);
});

test('an empty exclusive slot fails naming the slot', (t) => {
  const err = t.throws(() => checkPlugins(full().filter((p) => p.manifest.name !== 'pool')));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_SLOT_EMPTY');
  t.regex(err!.message, /ConnPool/);
});

test('a plugin for another core version is refused', (t) => {
  const err = t.throws(() => checkPlugins([...full().slice(1), plugin('meta', [MetaStore], [], '^2.0.0')]));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_CORE_RANGE');
  t.regex(err!.message, /"meta" supports core \^2\.0\.0/);
});

test('a requirement no plugin provides is refused', (t) => {
  const X = createToken<unknown>('test.loader.X');
  const err = t.throws(() => checkPlugins([...full(), plugin('needy', [], [X])]));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_MISSING_REQUIREMENT');
  t.regex(err!.message, /"needy" requires test\.loader\.X/);
});

test('registering a slot another plugin registered fails at register time, naming both', (t) => {
  const c = rootContainer.createChildContainer();
  const owners = new Map<symbol, string>();
  guardedContainer(c, 'first', owners).register(TSDBStore, { useValue: {} as never });
  const err = t.throws(() => guardedContainer(c, 'sneaky', owners).register(TSDBStore, { useValue: {} as never }));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_SLOT_CONFLICT');
  t.regex(err!.message, /both "first" and "sneaky"/);
});

test('validatePlugin names every problem of a malformed plugin', (t) => {
  const err = t.throws(() => validatePlugin({ manifest: { name: '', version: 1 } }, './bad.js'));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_INVALID');
  t.regex(err!.message, /manifest\.name/);
  t.regex(err!.message, /parseConfig must be a function/);
});

test('the resolver finds built-ins by name and reports a missing module with ERR_PLUGIN_NOT_FOUND', async (t) => {
  const builtin = plugin('tsdb', [TSDBStore]);
  const resolve = createPluginResolver({ tsdb: async () => builtin }, process.cwd());
  t.is(await resolve('tsdb'), builtin);
  const err = await t.throwsAsync(resolve('./no/such/plugin.js'));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_NOT_FOUND');
});

test('child containers keep nodes apart', (t) => {
  const a = rootContainer.createChildContainer();
  const b = rootContainer.createChildContainer();
  a.register(TSDBStore, { useValue: { node: 'a' } as never });
  b.register(TSDBStore, { useValue: { node: 'b' } as never });
  t.deepEqual(a.resolve(TSDBStore) as unknown, { node: 'a' });
  t.deepEqual(b.resolve(TSDBStore) as unknown, { node: 'b' });
  t.false(rootContainer.isRegistered(TSDBStore));
});
