import test from 'ava';
import { silentLogger } from '../../../core/index.js';
import { tsdbStoreSuite } from '../../../core/testing/index.js';
import { FileTSDBStore } from '../../../plugins/tsdb-file/index.js';

tsdbStoreSuite({ test, name: 'tsdb-file', factory: (dir) => new FileTSDBStore({ dir, logger: silentLogger() }) });

// The same suite with a tiny cache, so every write snapshots to segments and compaction runs: reads
// then come from segments, frozen caches and the active cache merged.
tsdbStoreSuite({
  test,
  name: 'tsdb-file (tiny cache, compacting)',
  factory: (dir) =>
    new FileTSDBStore({ dir, logger: silentLogger(), cacheSnapshotBytes: 1, compactionThreshold: 2, maxBlockPoints: 3 }),
});
