import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { TesseraError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { encodeLogRecord, MetaLogFile, type MetaLogRecord } from '../meta-log.js';
import { syncDir, writeFileAtomic } from '../snapshot-file.js';
import type { RaftInitialState } from './raft.js';
import type { Entry, HardState, Snapshot } from './types.js';

/** The Raft log file inside the Raft directory. */
export const RAFT_LOG_FILE = 'raft.log';
/** The Raft snapshot file inside the Raft directory. */
export const RAFT_SNAPSHOT_FILE = 'raft.snapshot';

// The log reuses the meta log's record format (u32 length | u32 CRC-32 | u64 index | payload); a record
// with index 0 holds the hard state, any other an entry. An entry whose index is ≤ the last one replaces
// the tail from there (a follower's truncation), so the file is append-only between compactions.
const SNAP_MAGIC = Buffer.from('TSRS');

function entryRecord(e: Entry): MetaLogRecord {
  return { index: e.index, payload: Buffer.from(JSON.stringify([e.term, e.kind, e.data]), 'utf8') };
}

function hardStateRecord(hs: HardState): MetaLogRecord {
  return { index: 0, payload: Buffer.from(JSON.stringify([hs.term, hs.vote, hs.commit]), 'utf8') };
}

/**
 * Durable Raft state in one directory: `raft.log` (hard state + entries, CRC per record, fsynced before
 * `save` resolves; a torn or corrupt tail is cut off at open, never a crash loop) and `raft.snapshot`
 * (written atomically: temp file, fsync, rename, directory fsync). Compaction rewrites the log the same
 * atomic way.
 */
export class RaftStorage {
  private hard: HardState = { term: 0, vote: '', commit: 0 };
  private lastIndex = 0;

  private constructor(
    private readonly dir: string,
    private log: MetaLogFile,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating) the directory; `state` is undefined when nothing was ever stored. */
  static async open(dir: string, logger: Logger): Promise<{ storage: RaftStorage; state: RaftInitialState | undefined }> {
    await mkdir(dir, { recursive: true });
    const snapshot = await readRaftSnapshot(join(dir, RAFT_SNAPSHOT_FILE));
    const { log, records } = await MetaLogFile.open(join(dir, RAFT_LOG_FILE), logger);
    // The log file may have just been created: make its directory entry durable too.
    await syncDir(dir);
    const storage = new RaftStorage(dir, log, logger);
    let hard: HardState | undefined;
    let entries: Entry[] = [];
    try {
      for (const rec of records) {
        const v = JSON.parse(Buffer.from(rec.payload).toString('utf8')) as unknown[];
        if (rec.index === 0) {
          hard = { term: v[0] as number, vote: v[1] as string, commit: v[2] as number };
          continue;
        }
        const e: Entry = { index: rec.index, term: v[0] as number, kind: v[1] as Entry['kind'], data: v[2] as string };
        const first = entries[0]?.index ?? e.index;
        entries.length = Math.max(0, Math.min(entries.length, e.index - first));
        if (entries.length > 0 && entries[entries.length - 1]!.index !== e.index - 1) entries = [];
        entries.push(e);
      }
    } catch (err) {
      await log.close();
      throw new TesseraError('ERR_META_LOG_CORRUPT', `raft log record is not valid JSON: ${join(dir, RAFT_LOG_FILE)}`, { cause: err });
    }
    if (snapshot !== undefined) {
      const s = snapshot.meta;
      // Keep the entries after the snapshot only if the log agrees with it at its index.
      const at = entries.find((e) => e.index === s.index);
      const agrees = at !== undefined ? at.term === s.term : entries.length > 0 && entries[0]!.index === s.index + 1;
      entries = agrees ? entries.filter((e) => e.index > s.index) : [];
    }
    if (hard === undefined && snapshot === undefined && entries.length === 0) return { storage, state: undefined };
    const base = snapshot?.meta.index ?? 0;
    const last = entries[entries.length - 1]?.index ?? base;
    hard ??= { term: snapshot?.meta.term ?? 0, vote: '', commit: base };
    hard = { ...hard, commit: Math.min(Math.max(hard.commit, base), last) };
    storage.hard = hard;
    storage.lastIndex = last;
    return { storage, state: { hardState: hard, ...(snapshot ? { snapshot } : {}), entries } };
  }

  /**
   * Makes a Ready durable: `snapshot` first (replacing the log), then `entries` and `hardState`, one fsync.
   * Resolves only once everything is on disk.
   */
  async save(hardState: HardState | undefined, entries: readonly Entry[], snapshot?: Snapshot): Promise<void> {
    if (snapshot !== undefined) {
      await writeRaftSnapshot(join(this.dir, RAFT_SNAPSHOT_FILE), snapshot);
      const hs = hardState ?? this.hard;
      await this.rewrite(hs, entries.filter((e) => e.index > snapshot.meta.index));
      return;
    }
    const records = entries.map(entryRecord);
    if (hardState !== undefined) records.push(hardStateRecord(hardState));
    if (records.length === 0) return;
    await this.log.append(records);
    if (hardState !== undefined) this.hard = hardState;
    if (entries.length > 0) this.lastIndex = entries[entries.length - 1]!.index;
  }

  /** Stores a snapshot the node took itself and drops the log before `keepFrom` (atomic rewrite). */
  async compact(snapshot: Snapshot, keep: readonly Entry[]): Promise<void> {
    await writeRaftSnapshot(join(this.dir, RAFT_SNAPSHOT_FILE), snapshot);
    await this.rewrite(this.hard, keep);
  }

  private async rewrite(hs: HardState, entries: readonly Entry[]): Promise<void> {
    const path = join(this.dir, RAFT_LOG_FILE);
    const tmp = `${path}.tmp`;
    const buf = Buffer.concat([...entries.map(entryRecord), hardStateRecord(hs)].map(encodeLogRecord));
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(buf);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.log.close();
    await rename(tmp, path);
    await syncDir(this.dir);
    this.log = (await MetaLogFile.open(path, this.logger)).log;
    this.hard = hs;
    this.lastIndex = entries[entries.length - 1]?.index ?? this.lastIndex;
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}

/** Reads a Raft snapshot file; undefined when absent; a damaged file is ERR_META_SNAPSHOT_CORRUPT. */
export async function readRaftSnapshot(path: string): Promise<Snapshot | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (buf.length < 8 || !buf.subarray(0, 4).equals(SNAP_MAGIC) || crc32(buf.subarray(8)) !== buf.readUInt32BE(4)) {
    throw new TesseraError('ERR_META_SNAPSHOT_CORRUPT', `raft snapshot is corrupt: ${path}`);
  }
  return JSON.parse(buf.subarray(8).toString('utf8')) as Snapshot;
}

/** Writes a Raft snapshot atomically (temp file, fsync, rename, directory fsync). */
export async function writeRaftSnapshot(path: string, snap: Snapshot): Promise<void> {
  const body = Buffer.from(JSON.stringify(snap), 'utf8');
  const head = Buffer.allocUnsafe(8);
  SNAP_MAGIC.copy(head, 0);
  head.writeUInt32BE(crc32(body), 4);
  await writeFileAtomic(path, Buffer.concat([head, body]));
}
