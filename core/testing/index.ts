// Conformance suites and test helpers, exported for third-party plugins as `tessera/testing`.
export * from './memory-meta-store.js';
export * from './meta-store-suite.js';
export { makePoint } from './points.js';
export {
  expectCode,
  expectTypeError,
  prng,
  type ScanResult,
  type SuiteContext,
  scanAll,
  type TestFn,
  type TSDBStoreFactory,
  type TSDBStoreSuiteOptions,
} from './suite-harness.js';
export { tsdbStoreSuite } from './tsdb-store-suite.js';
export * from './conn-pool-suite.js';
export * from './memory-transport.js';
export * from './transport-suite.js';
