import type { ConfigProblem } from './config-schema.js';
import type { DependencyContainer } from './di.js';
import type { Logger } from './logger.js';
import { createToken } from './tokens.js';

/** The version of core that plugins declare support for (manifest.core is a range over it). */
export const CORE_VERSION = '0.1.0';

export interface PluginManifest {
  /** Unique name, e.g. "tsdb-memory" or "@acme/tessera-tsdb-rocks". */
  readonly name: string;
  readonly version: string;
  /** Supported core versions: a semver range such as "^0.1.0" or ">=0.1.0 <0.3.0". */
  readonly core: string;
  /** Tokens this plugin registers. Exclusive slots (MetaStore, TSDBStore, Transport, ConnPool) may have one provider. */
  readonly provides: readonly symbol[];
  /** Tokens this plugin's services need started before its own. */
  readonly requires: readonly symbol[];
}

/** What the kernel gives a plugin when it registers. */
export interface PluginContext {
  /** This node's data directory (the plugin keeps its files under a subfolder named after itself). */
  readonly nodeDir: string;
  /** A child logger with `plugin` bound. */
  readonly logger: Logger;
  /** The whole node configuration, validated and frozen (read-only; the plugin's own section is `config`). */
  readonly node: NodeSettings;
}

/** The core settings a plugin may need to know about its node. */
export interface NodeSettings {
  readonly dir: string;
  readonly httpBindAddress: string;
  readonly clusterBindAddress: string;
  readonly metaPeers: readonly string[];
  readonly metaJoin: readonly string[];
  /** `[cluster] shared-secret` ('' = none): node-to-node connections authenticate with it. */
  readonly clusterSharedSecret?: string;
}

/** The node's core settings, registered in each node's container. */
export const NodeSettings = createToken<NodeSettings>('tessera.core.NodeSettings');

/**
 * A plugin is a value. Importing its module has no side effects; `register` only registers factories
 * in the node's child container (never the global one).
 */
export interface Plugin<C = unknown> {
  readonly manifest: PluginManifest;
  /**
   * Validates the plugin's own config section (undefined when absent): applies defaults, rejects unknown
   * keys, pushes every problem (paths prefixed with `path`) into `problems`, and returns a frozen value.
   */
  parseConfig(raw: unknown, path: string, problems: ConfigProblem[]): C;
  /** Registers the provided tokens in the node's container. */
  register(container: DependencyContainer, config: C, ctx: PluginContext): void;
}

/** Identity helper that gives a plugin literal its type. */
export function definePlugin<C>(plugin: Plugin<C>): Plugin<C> {
  return plugin;
}
