import type { MetaData, MetaStoreSupports } from '../contracts/meta-store.js';
import type { Logger } from '../logger.js';
import { BaseMetaStore, type LoggedCommand } from '../meta/base-meta-store.js';
import { emptyMetaData } from '../meta/meta-data.js';

/** Options of MemoryMetaStore; all optional. */
export interface MemoryMetaStoreOptions {
  /** The node's cluster address (default "127.0.0.1:8088"); it registers as node 1 on start. */
  readonly address?: string;
  readonly httpAddress?: string;
  readonly logger?: Logger;
  /** Clock for soft deletes, ns since the epoch (default Date.now()). */
  readonly now?: () => bigint;
}

/**
 * A MetaStore held in memory: the same state machine and proposal path as meta-raft, no files. For tests
 * of components that need a MetaStore. Like every Service it must be started before use.
 */
export class MemoryMetaStore extends BaseMetaStore {
  readonly supports: MetaStoreSupports = Object.freeze({ persistent: false, replicated: false });

  constructor(options: MemoryMetaStoreOptions = {}) {
    super({ ...options, address: options.address ?? '127.0.0.1:8088' });
  }

  protected override async _open(): Promise<MetaData> {
    return emptyMetaData();
  }

  protected override async _persist(_commands: readonly LoggedCommand[], _next: MetaData): Promise<void> {}

  protected override async _close(): Promise<void> {}
}
