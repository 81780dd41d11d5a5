import { join } from 'node:path';
import { definePlugin, TSDBStore } from '../../core/index.js';
import { type FileConfig, parseFileConfig } from './config.js';
import { FileTSDBStore } from './file-tsdb-store.js';

export { FileTSDBStore, type FileTSDBStoreOptions } from './file-tsdb-store.js';
export { type FileConfig, fileConfigSchema, parseFileConfig } from './config.js';

/** The tsdb-file plugin: provides TSDBStore, durable, compressed; files under `<nodeDir>/tsdb-file/`. */
export const tsdbFilePlugin = definePlugin<FileConfig>({
  manifest: {
    name: 'tsdb-file',
    version: '0.1.0',
    core: '^0.1.0',
    provides: [TSDBStore],
    requires: [],
  },
  parseConfig: parseFileConfig,
  register(container, config, ctx) {
    let store: FileTSDBStore | undefined;
    // One instance per container, built on first resolve.
    container.register(TSDBStore, {
      useFactory: () => {
        store ??= new FileTSDBStore({
          dir: join(ctx.nodeDir, 'tsdb-file'),
          logger: ctx.logger,
          cacheMaxBytes: config['cache-max-memory-size'],
          cacheSnapshotBytes: config['cache-snapshot-memory-size'],
          coldSnapshotMs: config['cache-snapshot-write-cold-duration'],
          walFsync: config['wal-fsync'],
          maxBlockPoints: config['max-points-per-block'],
          compaction: config['compaction-enabled'],
          snapshotWorker: config['worker-thread'],
          compactionThreshold: config['compaction-threshold'],
          compactionMaxLevel: config['compaction-max-level'],
          blockCacheBytes: config['block-cache-size'],
        });
        return store;
      },
    });
  },
});
