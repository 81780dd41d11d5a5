import test from 'ava';
import { silentLogger } from '../../../core/logger.js';
import { MemoryMetaStore } from '../../../core/testing/memory-meta-store.js';
import { metaStoreSuite } from '../../../core/testing/meta-store-suite.js';
import { MetaRaftStore } from '../../../plugins/meta-raft/index.js';

metaStoreSuite({
  test,
  name: 'meta-raft (unreplicated log, kept for upgrades)',
  factory: (dir) => new MetaRaftStore({ dir, address: '127.0.0.1:8088', logger: silentLogger(), snapshotInterval: 3 }),
});

metaStoreSuite({ test, name: 'memory', factory: () => new MemoryMetaStore() });
