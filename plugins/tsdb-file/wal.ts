/**
 * The write-ahead log of one shard: numbered files `<gen>.wal` in one folder. Appends are group
 * committed: every append made while a flush is running joins the next flush, which writes all pending
 * records with one writev and one fsync, then resolves them together. `rotate()` starts a new file
 * (at snapshot); `removeUpTo(gen)` deletes files whose records are safe in a segment.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '../../core/index.js';
import type { BufWriter } from './buf-writer.js';
import { syncDir } from './fs-util.js';
import { RECORD_HEADER } from './wal-codec.js';

interface Pending {
  readonly gen: number;
  readonly buf: Buffer;
  resolve(): void;
  reject(err: unknown): void;
}

/** File name of a WAL generation. */
export function walFileName(gen: number): string {
  return `${String(gen).padStart(10, '0')}.wal`;
}

/** Generations of the WAL files in `dir`, ascending. */
export async function listWalGens(dir: string): Promise<number[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^\d{10}\.wal$/.test(n))
    .map((n) => Number(n.slice(0, 10)))
    .sort((a, b) => a - b);
}

/**
 * Reads every intact record of one WAL file, in order, calling `onRecord(payload, start, end)`. At the
 * first torn or corrupt record the file is truncated there and the damage is logged with file and
 * offset. Returns the number of records read.
 */
export async function replayWalFile(
  path: string,
  logger: Logger,
  onRecord: (buf: Buffer, start: number, end: number) => void,
): Promise<number> {
  const buf = await fsp.readFile(path);
  let pos = 0;
  let count = 0;
  let reason: string | undefined;
  while (pos < buf.length) {
    if (pos + RECORD_HEADER > buf.length) {
      reason = 'torn record header';
      break;
    }
    const len = buf.readUInt32LE(pos);
    const crc = buf.readUInt32LE(pos + 4);
    const start = pos + RECORD_HEADER;
    const end = start + len;
    if (len === 0 || end > buf.length) {
      reason = len === 0 ? 'empty record' : 'torn record';
      break;
    }
    if (crc32(buf.subarray(start, end)) !== crc) {
      reason = 'record checksum mismatch';
      break;
    }
    try {
      onRecord(buf, start, end);
    } catch (err) {
      reason = `undecodable record: ${(err as Error).message}`;
      break;
    }
    count++;
    pos = end;
  }
  if (reason !== undefined) {
    logger.warn({ file: path, offset: pos, size: buf.length, reason }, 'WAL damaged: truncating at offset');
    await fsp.truncate(path, pos);
  }
  return count;
}

/** An open WAL (see module comment). */
export class Wal {
  #gen: number;
  readonly #fsync: boolean;
  readonly #files = new Map<number, fsp.FileHandle>();
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  /** Settles (never rejects) once the latest append is settled; appends settle in order. */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  /** Records appended and flushes (one write + one fsync each) done, for tests and metrics. */
  readonly stats = { appends: 0, flushes: 0 };

  constructor(
    readonly dir: string,
    gen: number,
    fsync: boolean,
    private readonly logger: Logger,
  ) {
    this.#gen = gen;
    this.#fsync = fsync;
  }

  /** The generation new appends go to. */
  get gen(): number {
    return this.#gen;
  }

  /**
   * Appends a record (payload written after the reserved header of `w`); resolves when it is durable
   * (written and, with fsync on, synced). Records are durable in append order.
   */
  append(w: BufWriter): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('WAL closed'));
    const buf = w.view();
    buf.writeUInt32LE(buf.length - RECORD_HEADER, 0);
    buf.writeUInt32LE(crc32(buf.subarray(RECORD_HEADER)), 4);
    this.stats.appends++;
    const done = new Promise<void>((resolve, reject) => {
      this.#queue.push({ gen: this.#gen, buf, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
    this.#tail = done.then(noop, noop);
    return done;
  }

  /** Starts a new generation for later appends; returns the previous one. */
  rotate(): number {
    const old = this.#gen;
    this.#gen = old + 1;
    return old;
  }

  /**
   * Resolves when every record appended so far is settled (durable, or failed and reported to its
   * writer). Later appends are not waited for: under steady load the flush loop never idles.
   */
  async drain(): Promise<void> {
    await this.#tail;
  }

  /** Deletes the files of generations <= gen (their records are in a durable segment). */
  async removeUpTo(gen: number): Promise<void> {
    await this.drain();
    for (const g of await listWalGens(this.dir)) {
      if (g > gen || g >= this.#gen) continue;
      const fh = this.#files.get(g);
      if (fh !== undefined) {
        this.#files.delete(g);
        await fh.close();
      }
      await fsp.rm(join(this.dir, walFileName(g)), { force: true });
    }
  }

  /** Waits for pending appends, then closes the files. */
  async close(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    this.#closed = true;
    for (const fh of this.#files.values()) await fh.close().catch(() => undefined);
    this.#files.clear();
  }

  async #file(gen: number): Promise<fsp.FileHandle> {
    let fh = this.#files.get(gen);
    if (fh === undefined) {
      fh = await fsp.open(join(this.dir, walFileName(gen)), 'a');
      this.#files.set(gen, fh);
      if (this.#fsync) await syncDir(this.dir);
    }
    return fh;
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        this.stats.flushes++;
        try {
          let i = 0;
          while (i < batch.length) {
            const gen = batch[i]!.gen;
            let j = i;
            const bufs: Buffer[] = [];
            while (j < batch.length && batch[j]!.gen === gen) bufs.push(batch[j++]!.buf);
            const fh = await this.#file(gen);
            await writeAll(fh, bufs);
            if (this.#fsync) await fh.datasync();
            i = j;
          }
          for (const p of batch) p.resolve();
        } catch (err) {
          this.logger.error({ err, dir: this.dir }, 'WAL write failed');
          for (const p of batch) p.reject(err);
        }
        // Close files of old generations nobody appends to any more.
        for (const [g, fh] of this.#files) {
          if (g < this.#gen && !this.#queue.some((p) => p.gen === g)) {
            this.#files.delete(g);
            await fh.close().catch(() => undefined);
          }
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}

function noop(): void {}

async function writeAll(fh: fsp.FileHandle, bufs: Buffer[]): Promise<void> {
  // writev may write partially; loop until everything is out.
  let list = bufs;
  while (list.length > 0) {
    const total = list.reduce((a, b) => a + b.length, 0);
    const { bytesWritten } = await fh.writev(list.slice(0, 1024));
    if (bytesWritten === total) return;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of list) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    list = rest;
  }
}
