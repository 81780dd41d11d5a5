import { join } from 'node:path';
import { MetaStore } from '../../core/contracts/meta-store.js';
import { definePlugin } from '../../core/plugin.js';
import { parseMetaRaftConfig, type MetaRaftConfig } from './config.js';
import { MetaRaftStore } from './meta-raft-store.js';

export { MetaRaftStore, META_LOG_FILE, META_SNAPSHOT_FILE, type MetaRaftStoreOptions } from './meta-raft-store.js';
export { metaRaftConfigSchema, parseMetaRaftConfig, type MetaRaftConfig } from './config.js';

/**
 * The meta-raft plugin: provides the MetaStore slot. For now a cluster of one (durable log + snapshots
 * under `<nodeDir>/meta`); Raft replication will replace the log underneath.
 */
export const metaRaftPlugin = definePlugin<MetaRaftConfig>({
  manifest: {
    name: 'meta-raft',
    version: '0.1.0',
    core: '^0.1.0',
    provides: [MetaStore],
    requires: [],
  },
  parseConfig: parseMetaRaftConfig,
  register(container, config, ctx) {
    // Constructing the store does no I/O; files are opened by start().
    const store = new MetaRaftStore({
      dir: join(ctx.nodeDir, 'meta'),
      address: ctx.node.clusterBindAddress,
      httpAddress: ctx.node.httpBindAddress,
      logger: ctx.logger,
      snapshotInterval: config['snapshot-interval'],
    });
    container.register(MetaStore, { useValue: store });
  },
});
