// The meta state machine: pure data + applyCommand, shared by every MetaStore.
export * from './apply.js';
export * from './commands.js';
export * from './durations.js';
export * from './maintenance.js';
export * from './meta-data.js';
export * from './snapshot.js';
export { DEFAULT_POLICY_NAME } from './apply-schema.js';
export { BaseMetaStore, type BaseMetaStoreOptions, type LoggedCommand } from './base-meta-store.js';
