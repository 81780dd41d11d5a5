// The one module plugins import from.
export * from './config-schema.js';
export * from './contracts/index.js';
export * from './di.js';
export * from './errors.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './model/hash.js';
export * from './model/line-protocol.js';
export * from './meta/index.js';
export * from './model/point.js';
export * from './model/series-key.js';
export * from './plugin.js';
export { createLocalMapper } from './query/select/local-mapper.js';
export type { SelectMapRequest, SelectMapChunk } from './query/select/map-request.js';
export * from './tokens.js';
export * from './tsdb/index.js';
