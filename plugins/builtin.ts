import type { Plugin } from '../core/plugin.js';

/**
 * The built-in plugins, by the name a config uses. Loaded lazily so a node imports only what its config
 * names.
 */
export const BUILTIN_PLUGINS: Readonly<Record<string, () => Promise<Plugin<unknown>>>> = {
  'meta-raft': async () => (await import('./meta-raft/index.js')).metaRaftPlugin as Plugin<unknown>,
  'tsdb-memory': async () => (await import('./tsdb-memory/index.js')).tsdbMemoryPlugin as Plugin<unknown>,
  'tsdb-file': async () => (await import('./tsdb-file/index.js')).tsdbFilePlugin as Plugin<unknown>,
  'transport-tcp': async () => (await import('./transport-tcp/index.js')).transportTcpPlugin as Plugin<unknown>,
  'pool-channel': async () => (await import('./pool-channel/index.js')).poolChannelPlugin as Plugin<unknown>,
};
