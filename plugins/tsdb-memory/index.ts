import { definePlugin, TSDBStore } from '../../core/index.js';
import { type MemoryConfig, parseMemoryConfig } from './config.js';
import { MemoryTSDBStore } from './memory-tsdb-store.js';

export { MemoryTSDBStore, type MemoryTSDBStoreOptions } from './memory-tsdb-store.js';
export { type MemoryConfig, memoryConfigSchema, parseMemoryConfig } from './config.js';

/** The tsdb-memory plugin: provides TSDBStore, in memory (not persistent). */
export const tsdbMemoryPlugin = definePlugin<MemoryConfig>({
  manifest: {
    name: 'tsdb-memory',
    version: '0.1.0',
    core: '^0.1.0',
    provides: [TSDBStore],
    requires: [],
  },
  parseConfig: parseMemoryConfig,
  register(container, config, ctx) {
    let store: MemoryTSDBStore | undefined;
    // One instance per container, built on first resolve.
    container.register(TSDBStore, {
      useFactory: () => {
        store ??= new MemoryTSDBStore({ maxBlockPoints: config['max-block-points'], logger: ctx.logger });
        return store;
      },
    });
  },
});

export default tsdbMemoryPlugin;
