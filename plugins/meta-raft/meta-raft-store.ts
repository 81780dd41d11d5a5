import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MetaData, MetaStoreSupports } from '../../core/contracts/meta-store.js';
import type { Logger } from '../../core/logger.js';
import { applyCommand } from '../../core/meta/apply.js';
import { BaseMetaStore, type LoggedCommand } from '../../core/meta/base-meta-store.js';
import { decodeCommand, encodeCommand } from '../../core/meta/commands.js';
import { emptyMetaData } from '../../core/meta/meta-data.js';
import { MetaLogFile } from './meta-log.js';
import { readSnapshotFile, syncDir, writeSnapshotFile } from './snapshot-file.js';

/** Options of MetaRaftStore. */
export interface MetaRaftStoreOptions {
  /** Directory of the meta files (`<nodeDir>/meta`); created on start. */
  readonly dir: string;
  /** This node's cluster address; it registers under it on first start (node 1). */
  readonly address: string;
  readonly httpAddress?: string;
  readonly logger: Logger;
  /** Commands between snapshots (the log is emptied after each snapshot). */
  readonly snapshotInterval: number;
  /** Clock for soft deletes, ns since the epoch (default Date.now()). */
  readonly now?: () => bigint;
}

/** File names inside the meta directory. */
export const META_LOG_FILE = 'meta.log';
export const META_SNAPSHOT_FILE = 'meta.snapshot';

/**
 * The meta store of a cluster of one: every command is appended to `meta.log` and fsynced before it is
 * applied and its proposal resolves; every `snapshotInterval` commands the state goes to `meta.snapshot`
 * (temp file, fsync, rename) and the log is emptied. Start = snapshot + replay of the log records after
 * the snapshot's index. The state machine (core/meta) is separate from the log, so Raft can replace the
 * log later.
 */
export class MetaRaftStore extends BaseMetaStore {
  readonly supports: MetaStoreSupports = Object.freeze({ persistent: true, replicated: false });
  private readonly dir: string;
  private readonly snapshotInterval: number;
  private log: MetaLogFile | undefined;
  private sinceSnapshot = 0;

  constructor(options: MetaRaftStoreOptions) {
    super(options);
    if (!Number.isInteger(options.snapshotInterval) || options.snapshotInterval < 1) {
      throw new TypeError('snapshotInterval must be a positive integer');
    }
    this.dir = options.dir;
    this.snapshotInterval = options.snapshotInterval;
  }

  protected override async _open(): Promise<MetaData> {
    const created = await mkdir(this.dir, { recursive: true });
    if (created !== undefined) await syncDir(dirname(this.dir));
    let data = (await readSnapshotFile(join(this.dir, META_SNAPSHOT_FILE))) ?? emptyMetaData();
    const { log, records } = await MetaLogFile.open(join(this.dir, META_LOG_FILE), this.logger);
    this.log = log;
    // A newly created log file must survive a crash too: make its directory entry durable.
    await syncDir(this.dir);
    let replayed = 0;
    for (const rec of records) {
      // Records at or below the snapshot's index were written before it (a crash between the snapshot
      // and emptying the log).
      if (rec.index <= data.index) continue;
      const out = applyCommand(data, decodeCommand(rec.payload), rec.index);
      if (out.error) this.logger.warn({ index: rec.index, err: out.error }, 'meta log command rejected on replay');
      data = out.data;
      replayed++;
    }
    this.sinceSnapshot = replayed;
    this.logger.info({ dir: this.dir, index: data.index, replayed }, 'meta store opened');
    return data;
  }

  /** Reads the stored state (snapshot + log replay) without starting the store; for migrations. */
  async load(): Promise<MetaData> {
    const data = await this._open();
    await this._close();
    return data;
  }

  protected override async _persist(commands: readonly LoggedCommand[], next: MetaData): Promise<void> {
    const log = this.log!;
    await log.append(commands.map((c) => ({ index: c.index, payload: encodeCommand(c.command) })));
    this.sinceSnapshot += commands.length;
    if (this.sinceSnapshot >= this.snapshotInterval) {
      // The log is durable already: a failed snapshot is logged and retried at the next command.
      try {
        await writeSnapshotFile(join(this.dir, META_SNAPSHOT_FILE), next);
        await log.reset();
        this.sinceSnapshot = 0;
      } catch (err) {
        this.logger.error({ err, dir: this.dir }, 'meta snapshot failed');
      }
    }
  }

  protected override async _close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.close();
  }
}
