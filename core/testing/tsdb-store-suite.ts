import type { TSDBStoreSuiteOptions } from './suite-harness.js';
import { dataTests } from './tsdb-suite-data.js';
import { deleteAndPersistenceTests } from './tsdb-suite-deletes.js';
import { lifecycleTests } from './tsdb-suite-lifecycle.js';
import { modelTests } from './tsdb-suite-model.js';

/**
 * The TSDBStore conformance suite. Every backend, first- or third-party, runs it in a few lines:
 * ```ts
 * import test from 'ava';
 * import { tsdbStoreSuite } from 'tessera/testing';
 * tsdbStoreSuite({ test, name: 'my-store', factory: (dir) => new MyStore({ dir }) });
 * ```
 * The factory returns a store that is not started, keeping any files under `dir` (a fresh temp folder
 * per test, removed afterwards; the persistence test calls the factory twice with the same folder).
 * Capabilities the store declares absent in `supports` are skipped visibly (a passing test that
 * asserts the flag and logs the skip).
 */
export function tsdbStoreSuite(options: TSDBStoreSuiteOptions): void {
  lifecycleTests(options);
  dataTests(options);
  deleteAndPersistenceTests(options);
  modelTests(options);
}
