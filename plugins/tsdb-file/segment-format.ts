/**
 * Segment files: immutable, written once from a cache snapshot or a compaction.
 *
 * Layout: "TSSG" u32 version | blocks... | index (raw deflate) | footer (40 bytes).
 * Index (before deflate): u32 seriesCount, then per series: str key, varint fieldCount, per field: str name, u8 type,
 *   varint blockCount, per block: varint (offset - end of previous block), varint length,
 *   zig-zag varint (minTime - previous maxTime), varint (maxTime - minTime), varint count, u8 hasStats [, 5 × f64 (float) or 5 × i64 (integer): min max sum first last].
 * Footer: f64 indexOffset, u32 indexLength, u32 indexCRC, u32 seq, u32 level, u32 walGen, u32 minSeq,
 *   "TSFT", u32 CRC of the footer's first 36 bytes.
 * seq orders segments (newer wins at equal times; tombstones apply to seq < theirs); level counts
 * compactions; walGen is the newest WAL generation whose records the segment holds.
 */
import type { BlockStats, FieldType } from '../../core/index.js';

/** Magic at the start of a segment. */
export const SEGMENT_MAGIC = 0x47535354; // "TSSG" little-endian
/** Magic in the footer. */
export const FOOTER_MAGIC = 0x54465354; // "TSFT"
/** Format version. */
export const SEGMENT_VERSION = 1;
/** Header bytes. */
export const SEGMENT_HEADER = 8;
/** Footer bytes. */
export const FOOTER_SIZE = 40;

/** Where a block lives and what it holds. */
export interface BlockRef {
  readonly offset: number;
  readonly length: number;
  readonly minTime: bigint;
  readonly maxTime: bigint;
  readonly count: number;
  readonly stats?: BlockStats;
}

/** The blocks of one series field in a segment, ascending and non-overlapping. */
export interface FieldEntry {
  readonly type: FieldType;
  readonly blocks: readonly BlockRef[];
}

/** Segment identity kept in the footer. */
export interface SegmentMeta {
  readonly seq: number;
  /** Lowest seq among the segments this one was compacted from (= seq for a snapshot). */
  readonly minSeq: number;
  readonly level: number;
  readonly walGen: number;
}

/** File name of a segment. */
export function segmentFileName(meta: SegmentMeta): string {
  return `${String(meta.seq).padStart(10, '0')}-${String(meta.level).padStart(2, '0')}.seg`;
}

/** True for a segment file name. */
export function isSegmentFileName(name: string): boolean {
  return /^\d{10}-\d{2}\.seg$/.test(name);
}
