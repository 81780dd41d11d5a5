// Conformance suites and test helpers, exported for third-party plugins as `tessera/testing`.
export * from './memory-meta-store.js';
export * from './meta-store-suite.js';
