import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { ConfigProblem } from './config-schema.js';
import { ConnPool } from './contracts/conn-pool.js';
import { MetaStore } from './contracts/meta-store.js';
import { Transport } from './contracts/transport.js';
import { TSDBStore } from './contracts/tsdb-store.js';
import type { DependencyContainer } from './di.js';
import { TesseraError } from './errors.js';
import { CORE_VERSION, type Plugin } from './plugin.js';
import { satisfies } from './semver-range.js';
import { tokenName } from './tokens.js';

/** The slots that exactly one plugin must provide. */
export const EXCLUSIVE_SLOTS: readonly symbol[] = [MetaStore, TSDBStore, Transport, ConnPool];

/** Resolves a plugin reference (built-in name, module path or package name) to a plugin value. */
export type PluginResolver = (ref: string) => Promise<Plugin<unknown>>;

/**
 * A resolver: names in `builtins` first, then a module path (relative to `baseDir`, or absolute) or a
 * package name, importing its `default` or `plugin` export.
 */
export function createPluginResolver(
  builtins: Readonly<Record<string, () => Promise<Plugin<unknown>>>>,
  baseDir: string,
): PluginResolver {
  return async (ref) => {
    const builtin = builtins[ref];
    if (builtin) return builtin();
    const isPath = ref.startsWith('.') || ref.startsWith('/') || ref.endsWith('.js');
    const specifier = isPath ? pathToFileURL(path.resolve(baseDir, ref)).href : ref;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch (err) {
      throw new TesseraError('ERR_PLUGIN_NOT_FOUND', `plugin "${ref}" could not be loaded: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const candidate = mod.default ?? mod.plugin;
    return validatePlugin(candidate, ref);
  };
}

/** Checks the shape of a plugin value (ERR_PLUGIN_INVALID naming what is wrong). */
export function validatePlugin(value: unknown, ref: string): Plugin<unknown> {
  const p = value as Plugin<unknown> | undefined;
  const m = p?.manifest;
  const problems: string[] = [];
  if (!p || typeof p !== 'object') problems.push('no default or `plugin` export');
  else {
    if (!m || typeof m !== 'object') problems.push('missing manifest');
    else {
      if (typeof m.name !== 'string' || m.name === '') problems.push('manifest.name must be a non-empty string');
      if (typeof m.version !== 'string') problems.push('manifest.version must be a string');
      if (typeof m.core !== 'string') problems.push('manifest.core must be a semver range');
      if (!Array.isArray(m.provides) || m.provides.some((t) => typeof t !== 'symbol'))
        problems.push('manifest.provides must be an array of tokens');
      if (!Array.isArray(m.requires) || m.requires.some((t) => typeof t !== 'symbol'))
        problems.push('manifest.requires must be an array of tokens');
    }
    if (typeof p.parseConfig !== 'function') problems.push('parseConfig must be a function');
    if (typeof p.register !== 'function') problems.push('register must be a function');
  }
  if (problems.length) {
    throw new TesseraError('ERR_PLUGIN_INVALID', `plugin "${ref}" is invalid: ${problems.join('; ')}`);
  }
  return p!;
}

/** Checks core version ranges, exclusive slots (exactly one provider each) and requirements. */
export function checkPlugins(plugins: readonly Plugin<unknown>[], coreVersion = CORE_VERSION): void {
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.manifest.name)) {
      throw new TesseraError('ERR_PLUGIN_SLOT_CONFLICT', `plugin "${p.manifest.name}" is loaded twice`);
    }
    names.add(p.manifest.name);
    if (!satisfies(coreVersion, p.manifest.core)) {
      throw new TesseraError(
        'ERR_PLUGIN_CORE_RANGE',
        `plugin "${p.manifest.name}" supports core ${p.manifest.core}, this is core ${coreVersion}`,
      );
    }
  }
  for (const slot of EXCLUSIVE_SLOTS) {
    const providers = plugins.filter((p) => p.manifest.provides.includes(slot));
    if (providers.length === 0) {
      throw new TesseraError('ERR_PLUGIN_SLOT_EMPTY', `no plugin provides ${tokenName(slot)}`);
    }
    if (providers.length > 1) {
      throw new TesseraError(
        'ERR_PLUGIN_SLOT_CONFLICT',
        `${tokenName(slot)} is provided by both "${providers[0]!.manifest.name}" and "${providers[1]!.manifest.name}"`,
      );
    }
  }
  const provided = new Set(plugins.flatMap((p) => p.manifest.provides));
  for (const p of plugins) {
    for (const t of p.manifest.requires) {
      if (!provided.has(t)) {
        throw new TesseraError(
          'ERR_PLUGIN_MISSING_REQUIREMENT',
          `plugin "${p.manifest.name}" requires ${tokenName(t)}, which no loaded plugin provides`,
        );
      }
    }
  }
}

/**
 * Wraps a node's container for one plugin's `register`: registering an exclusive slot that another
 * plugin already registered fails naming both (tsyringe would let the last registration win silently).
 */
export function guardedContainer(
  container: DependencyContainer,
  pluginName: string,
  owners: Map<symbol, string>,
): DependencyContainer {
  const registerNames = new Set(['register', 'registerInstance', 'registerSingleton', 'registerType']);
  return new Proxy(container, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !registerNames.has(prop) || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (token: unknown, ...rest: unknown[]) => {
        if (typeof token === 'symbol' && EXCLUSIVE_SLOTS.includes(token)) {
          const owner = owners.get(token);
          if (owner !== undefined && owner !== pluginName) {
            throw new TesseraError(
              'ERR_PLUGIN_SLOT_CONFLICT',
              `${tokenName(token)} is provided by both "${owner}" and "${pluginName}"`,
            );
          }
          owners.set(token, pluginName);
        }
        (value as (...a: unknown[]) => unknown).call(target, token, ...rest);
        return receiver;
      };
    },
  });
}

/** Collects plugin config problems: each plugin parses its own section (named after the plugin). */
export function parsePluginConfigs(
  plugins: readonly Plugin<unknown>[],
  raw: Readonly<Record<string, unknown>>,
  problems: ConfigProblem[],
): Map<Plugin<unknown>, unknown> {
  const out = new Map<Plugin<unknown>, unknown>();
  for (const p of plugins) {
    const name = p.manifest.name;
    out.set(p, p.parseConfig(raw[name], name, problems));
  }
  return out;
}
