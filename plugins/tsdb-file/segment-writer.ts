/**
 * Writes one segment file (format in segment-format.ts) to `<name>.tmp`, then fsyncs, renames into
 * place and fsyncs the folder, so a segment either exists whole or not at all.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { BlockStats, FieldType } from '../../core/index.js';
import { BufWriter } from './buf-writer.js';
import { TYPE_CODES } from './codec/block.js';
import {
  type BlockRef,
  FOOTER_MAGIC,
  FOOTER_SIZE,
  SEGMENT_HEADER,
  SEGMENT_MAGIC,
  SEGMENT_VERSION,
  type SegmentMeta,
  segmentFileName,
} from './segment-format.js';
import { syncDir } from './fs-util.js';

const FLUSH_BYTES = 1 << 20;
const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

interface IndexField {
  readonly name: string;
  readonly type: FieldType;
  readonly blocks: BlockRef[];
}

/** Streaming writer of one segment. */
export class SegmentWriter {
  #fh: fsp.FileHandle | undefined;
  #offset = SEGMENT_HEADER;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  readonly #index = new Map<string, IndexField[]>();
  #blocks = 0;

  private constructor(
    readonly dir: string,
    readonly tmpPath: string,
  ) {}

  /** Creates the temporary file in `dir`. */
  static async create(dir: string, meta: SegmentMeta): Promise<SegmentWriter> {
    const w = new SegmentWriter(dir, join(dir, `${segmentFileName(meta)}.tmp`));
    w.#fh = await fsp.open(w.tmpPath, 'w');
    const head = Buffer.alloc(SEGMENT_HEADER);
    head.writeUInt32LE(SEGMENT_MAGIC, 0);
    head.writeUInt32LE(SEGMENT_VERSION, 4);
    w.#pending.push(head);
    w.#pendingBytes = head.length;
    return w;
  }

  /** Number of blocks added. */
  get blockCount(): number {
    return this.#blocks;
  }

  /**
   * Adds the blocks of one series field (ascending, non-overlapping). Each series field may be added
   * once; `blocks` are encoded blocks (codec/block.ts) with their ranges and stats.
   */
  async addField(
    key: string,
    name: string,
    type: FieldType,
    blocks: ReadonlyArray<{ bytes: Uint8Array; minTime: bigint; maxTime: bigint; count: number; stats?: BlockStats }>,
  ): Promise<void> {
    if (blocks.length === 0) return;
    const refs: BlockRef[] = [];
    for (const b of blocks) {
      refs.push({ offset: this.#offset, length: b.bytes.length, minTime: b.minTime, maxTime: b.maxTime, count: b.count, stats: b.stats });
      this.#offset += b.bytes.length;
      this.#pending.push(b.bytes);
      this.#pendingBytes += b.bytes.length;
      this.#blocks++;
    }
    let fields = this.#index.get(key);
    if (fields === undefined) {
      fields = [];
      this.#index.set(key, fields);
    }
    fields.push({ name, type, blocks: refs });
    if (this.#pendingBytes >= FLUSH_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const bufs = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const all = Buffer.concat(bufs);
    let done = 0;
    while (done < all.length) {
      const { bytesWritten } = await this.#fh!.write(all, done, all.length - done);
      done += bytesWritten;
    }
  }

  /** Writes index and footer, syncs, renames into place; returns the final path. */
  async finish(meta: SegmentMeta): Promise<string> {
    const idx = new BufWriter(1 << 16);
    const keys = [...this.#index.keys()].sort();
    idx.u32(keys.length);
    for (const key of keys) {
      const fields = this.#index.get(key)!;
      idx.str(key);
      idx.varint(fields.length);
      for (const f of fields) {
        idx.str(f.name);
        idx.u8(TYPE_CODES[f.type]);
        idx.varint(f.blocks.length);
        // offsets and times relative to the previous block: mostly one or two bytes each
        let nextOffset = 0;
        let prevMax = 0n;
        for (const b of f.blocks) {
          idx.varint(b.offset - nextOffset);
          idx.varint(b.length);
          idx.varint64(b.minTime - prevMax);
          idx.uvarint64(b.maxTime - b.minTime);
          idx.varint(b.count);
          nextOffset = b.offset + b.length;
          prevMax = b.maxTime;
          const s = b.stats;
          if (s !== undefined && f.type === 'float') {
            idx.u8(1);
            for (const v of [s.min, s.max, s.sum, s.first, s.last]) idx.f64(v as number);
          } else if (s !== undefined && f.type === 'integer' && (s.sum as bigint) <= I64_MAX && (s.sum as bigint) >= I64_MIN) {
            idx.u8(1);
            for (const v of [s.min, s.max, s.sum, s.first, s.last]) idx.i64(v as bigint);
          } else {
            idx.u8(0);
          }
        }
      }
    }
    const index = deflateRawSync(idx.view());
    const footer = Buffer.alloc(FOOTER_SIZE);
    footer.writeDoubleLE(this.#offset, 0);
    footer.writeUInt32LE(index.length, 8);
    footer.writeUInt32LE(crc32(index), 12);
    footer.writeUInt32LE(meta.seq, 16);
    footer.writeUInt32LE(meta.level, 20);
    footer.writeUInt32LE(meta.walGen, 24);
    footer.writeUInt32LE(meta.minSeq, 28);
    footer.writeUInt32LE(FOOTER_MAGIC, 32);
    footer.writeUInt32LE(crc32(footer.subarray(0, 36)), 36);
    this.#pending.push(index, footer);
    await this.#flush();
    await this.#fh!.sync();
    await this.#fh!.close();
    this.#fh = undefined;
    const finalPath = join(dirname(this.tmpPath), segmentFileName(meta));
    await fsp.rename(this.tmpPath, finalPath);
    await syncDir(this.dir);
    return finalPath;
  }

  /** Removes the temporary file (failed or abandoned write). */
  async abort(): Promise<void> {
    await this.#fh?.close().catch(() => undefined);
    this.#fh = undefined;
    await fsp.rm(this.tmpPath, { force: true });
  }
}
