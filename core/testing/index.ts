// Conformance suites and test helpers, exported for third-party plugins as `tessera/testing`.
export {};
export * from './conn-pool-suite.js';
export * from './memory-transport.js';
export * from './transport-suite.js';
