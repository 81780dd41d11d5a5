/**
 * An open segment: its index in memory (series key -> field -> block refs), the file kept open for
 * synchronous block reads (scans are synchronous iterables). A damaged footer or index makes open()
 * throw ERR_TSDB_CORRUPT with the file and offset; damaged blocks are found by their CRC when read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { type BlockStats, type FieldType, type Tag, TesseraError } from '../../core/index.js';
import { BufReader } from './buf-writer.js';
import { TYPE_NAMES } from './codec/block.js';
import {
  type BlockRef,
  type FieldEntry,
  FOOTER_MAGIC,
  FOOTER_SIZE,
  SEGMENT_HEADER,
  SEGMENT_MAGIC,
  type SegmentMeta,
} from './segment-format.js';
import { parseSeriesKey } from './series-key-parse.js';

/** One series in a segment. */
export interface SegmentSeries {
  readonly key: string;
  readonly measurement: string;
  readonly tags: readonly Tag[];
  readonly fields: Map<string, FieldEntry>;
}

function corrupt(path: string, offset: number, what: string): TesseraError {
  return new TesseraError('ERR_TSDB_CORRUPT', `${what} in ${path} at offset ${offset}`, { details: { file: path, offset } });
}

/** A segment opened for reading. */
export class SegmentReader implements SegmentMeta {
  readonly seq: number;
  readonly minSeq: number;
  readonly level: number;
  readonly walGen: number;
  readonly series = new Map<string, SegmentSeries>();
  readonly byMeasurement = new Map<string, SegmentSeries[]>();
  /** File size in bytes. */
  readonly size: number;
  #fd: number;

  private constructor(
    readonly path: string,
    fd: number,
    meta: SegmentMeta,
    size: number,
  ) {
    this.#fd = fd;
    this.seq = meta.seq;
    this.minSeq = meta.minSeq;
    this.level = meta.level;
    this.walGen = meta.walGen;
    this.size = size;
  }

  /** Opens a segment and loads its index. */
  static open(path: string): SegmentReader {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < SEGMENT_HEADER + FOOTER_SIZE) throw corrupt(path, 0, 'segment too short');
      const head = Buffer.alloc(SEGMENT_HEADER);
      readSync(fd, head, 0, SEGMENT_HEADER, 0);
      if (head.readUInt32LE(0) !== SEGMENT_MAGIC) throw corrupt(path, 0, 'bad segment magic');
      const footer = Buffer.alloc(FOOTER_SIZE);
      const footerAt = size - FOOTER_SIZE;
      readSync(fd, footer, 0, FOOTER_SIZE, footerAt);
      if (footer.readUInt32LE(32) !== FOOTER_MAGIC || crc32(footer.subarray(0, 36)) !== footer.readUInt32LE(36)) {
        throw corrupt(path, footerAt, 'damaged segment footer');
      }
      const indexAt = footer.readDoubleLE(0);
      const indexLen = footer.readUInt32LE(8);
      if (indexAt + indexLen !== footerAt) throw corrupt(path, footerAt, 'bad index position');
      const meta = { seq: footer.readUInt32LE(16), level: footer.readUInt32LE(20), walGen: footer.readUInt32LE(24), minSeq: footer.readUInt32LE(28) };
      const index = Buffer.alloc(indexLen);
      readSync(fd, index, 0, indexLen, indexAt);
      if (crc32(index) !== footer.readUInt32LE(12)) throw corrupt(path, indexAt, 'damaged segment index');
      const seg = new SegmentReader(path, fd, meta, size);
      try {
        seg.#loadIndex(inflateRawSync(index), indexAt);
      } catch (err) {
        if (err instanceof TesseraError) throw err;
        throw corrupt(path, indexAt, 'malformed segment index');
      }
      return seg;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  #loadIndex(index: Buffer, indexAt: number): void {
    const r = new BufReader(index);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const key = r.str();
      const { measurement, tags } = parseSeriesKey(key);
      const fields = new Map<string, FieldEntry>();
      const nf = r.varint();
      for (let f = 0; f < nf; f++) {
        const name = r.str();
        const type = TYPE_NAMES[r.u8()];
        if (type === undefined) throw corrupt(this.path, indexAt + r.pos, 'bad field type');
        const nb = r.varint();
        const blocks: BlockRef[] = new Array(nb);
        let nextOffset = 0;
        let prevMax = 0n;
        for (let b = 0; b < nb; b++) {
          const offset = nextOffset + r.varint();
          const length = r.varint();
          const minTime = prevMax + r.varint64();
          const maxTime = minTime + r.uvarint64();
          const count = r.varint();
          nextOffset = offset + length;
          prevMax = maxTime;
          let stats: BlockStats | undefined;
          if (r.u8() === 1) {
            stats =
              type === 'float'
                ? { count, min: r.f64(), max: r.f64(), sum: r.f64(), first: r.f64(), last: r.f64() }
                : { count, min: r.i64(), max: r.i64(), sum: r.i64(), first: r.i64(), last: r.i64() };
          }
          if (offset < SEGMENT_HEADER || offset + length > indexAt) throw corrupt(this.path, indexAt + r.pos, 'bad block reference');
          blocks[b] = stats === undefined ? { offset, length, minTime, maxTime, count } : { offset, length, minTime, maxTime, count, stats };
        }
        fields.set(name, { type: type as FieldType, blocks });
      }
      const s: SegmentSeries = { key, measurement, tags, fields };
      this.series.set(key, s);
      let m = this.byMeasurement.get(measurement);
      if (m === undefined) {
        m = [];
        this.byMeasurement.set(measurement, m);
      }
      m.push(s);
    }
  }

  /** True once closed (a segment replaced by compaction is closed some time after). */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The raw bytes of a block (CRC not checked here). */
  readBlock(ref: BlockRef): Buffer {
    const buf = Buffer.allocUnsafe(ref.length);
    let done = 0;
    while (done < ref.length) {
      const n = readSync(this.#fd, buf, done, ref.length - done, ref.offset + done);
      if (n === 0) throw corrupt(this.path, ref.offset, 'block past end of file');
      done += n;
    }
    return buf;
  }

  /** File name without folder. */
  get name(): string {
    return basename(this.path);
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }
}
