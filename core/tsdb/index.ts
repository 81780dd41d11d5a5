// Helpers shared by TSDBStore implementations (first- and third-party).
export * from './abstract-tsdb-store.js';
export * from './field-types.js';
export * from './growable.js';
export * from './time-value-column.js';
export * from './compare.js';
export * from './series-index.js';
