import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Logger } from '../../core/logger.js';

/** One record of the meta log: the index it was applied at and the encoded command. */
export interface MetaLogRecord {
  readonly index: number;
  readonly payload: Uint8Array;
}

// Record: u32 BE body length | u32 BE CRC-32 of the body | body = u64 BE index + payload.
const HEADER = 8;
const INDEX_BYTES = 8;
/** Records larger than this are treated as corrupt (a meta command is a few hundred bytes). */
export const MAX_META_RECORD_BYTES = 64 * 1024 * 1024;

/** Encodes one record (header + body). */
export function encodeLogRecord(rec: MetaLogRecord): Buffer {
  const body = Buffer.allocUnsafe(INDEX_BYTES + rec.payload.byteLength);
  body.writeBigUInt64BE(BigInt(rec.index), 0);
  body.set(rec.payload, INDEX_BYTES);
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  out.writeUInt32BE(crc32(body), 4);
  body.copy(out, HEADER);
  return out;
}

/** The valid records at the start of `buf`, and the offset where the valid prefix ends (and why, if early). */
export function scanLogRecords(buf: Buffer): { records: MetaLogRecord[]; validBytes: number; problem?: string } {
  const records: MetaLogRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HEADER) return { records, validBytes: off, problem: 'torn record header' };
    const len = buf.readUInt32BE(off);
    if (len < INDEX_BYTES || len > MAX_META_RECORD_BYTES) return { records, validBytes: off, problem: `bad record length ${len}` };
    if (buf.length - off - HEADER < len) return { records, validBytes: off, problem: 'torn record body' };
    const body = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(body) !== buf.readUInt32BE(off + 4)) return { records, validBytes: off, problem: 'checksum mismatch' };
    const index = body.readBigUInt64BE(0);
    if (index > BigInt(Number.MAX_SAFE_INTEGER)) return { records, validBytes: off, problem: 'bad record index' };
    records.push({ index: Number(index), payload: body.subarray(INDEX_BYTES) });
    off += HEADER + len;
  }
  return { records, validBytes: off };
}

/**
 * The meta log file: CRC-checked, length-prefixed records, appended and fsynced in batches. Opening it
 * reads the valid prefix; a torn or corrupt tail is cut off (logged with file and offset), so a crash
 * mid-write never stops the next start.
 */
export class MetaLogFile {
  private size: number;
  private broken: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    size: number,
  ) {
    this.size = size;
  }

  /** Opens (creating) the log at `path`, returning it with the records it holds. */
  static async open(path: string, logger: Logger): Promise<{ log: MetaLogFile; records: MetaLogRecord[] }> {
    const fh = await open(path, 'a+');
    try {
      const buf = await fh.readFile();
      const { records, validBytes, problem } = scanLogRecords(buf);
      if (problem !== undefined) {
        logger.warn(
          { file: path, offset: validBytes, fileSize: buf.length, droppedBytes: buf.length - validBytes, reason: problem },
          'meta log has a torn or corrupt tail; truncating it',
        );
        await fh.truncate(validBytes);
        await fh.sync();
      }
      return { log: new MetaLogFile(path, fh, validBytes), records };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Bytes of valid records in the file. */
  get byteSize(): number {
    return this.size;
  }

  /** Appends records and fsyncs; on failure the file is cut back to its previous size and the error rethrown. */
  async append(records: readonly MetaLogRecord[]): Promise<void> {
    if (this.broken) throw this.broken;
    const buf = Buffer.concat(records.map(encodeLogRecord));
    try {
      // A regular-file write may in principle be short: keep writing until the whole batch is out.
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      await this.fh.datasync();
      this.size += buf.length;
    } catch (err) {
      try {
        await this.fh.truncate(this.size);
      } catch (truncErr) {
        // The tail is unknown now: refuse further appends (a restart will truncate the torn tail).
        this.broken = truncErr as Error;
      }
      throw err;
    }
  }

  /** Empties the log (after a snapshot made its records redundant). */
  async reset(): Promise<void> {
    if (this.broken) throw this.broken;
    await this.fh.truncate(0);
    await this.fh.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
