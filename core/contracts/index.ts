export * from './conn-pool.js';
export * from './mapper.js';
export * from './meta-store.js';
export * from './transport.js';
export * from './tsdb-store.js';
