/**
 * Decoded segment blocks kept for queries, least recently used first out, within a byte budget (the
 * `block-cache-size` setting). A dashboard that asks for the last hours again and again finds their
 * blocks decoded; InfluxDB gets a similar effect from the page cache of its mmapped TSM files, which a
 * Node process cannot map. Only queries fill it (compaction reads around it), with whole blocks, and
 * only numeric blocks are kept. Entries of a closed segment are dropped with it.
 */
import type { BlockValues } from '../../core/index.js';
import type { BlockRef } from './segment-format.js';
import type { SegmentReader } from './segment-reader.js';

/** Decoded points of a block, ascending (shared with readers: never modified). */
export interface CachedRun {
  readonly times: BigInt64Array;
  readonly values: BlockValues;
}

interface Entry {
  readonly seg: SegmentReader;
  readonly run: CachedRun;
  readonly bytes: number;
}

export class BlockCache {
  readonly #max: number;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  /** Insertion order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<BlockRef, Entry>();

  /** `maxBytes`: budget for the decoded arrays (0 keeps nothing). */
  constructor(maxBytes: number) {
    this.#max = Math.max(0, maxBytes);
  }

  /** The decoded block, when cached. */
  get(seg: SegmentReader, ref: BlockRef): CachedRun | undefined {
    const e = this.#entries.get(ref);
    if (e === undefined || e.seg !== seg) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    // Most recently used goes last.
    this.#entries.delete(ref);
    this.#entries.set(ref, e);
    return e.run;
  }

  /** Keeps a whole decoded block. */
  put(seg: SegmentReader, ref: BlockRef, run: CachedRun): void {
    if (Array.isArray(run.values)) return;
    const bytes = run.times.buffer.byteLength + (run.values as Float64Array | BigInt64Array).buffer.byteLength;
    if (bytes > this.#max || seg.closed) return;
    const old = this.#entries.get(ref);
    if (old !== undefined) {
      this.#entries.delete(ref);
      this.#bytes -= old.bytes;
    }
    this.#entries.set(ref, { seg, run, bytes });
    this.#bytes += bytes;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#max) break;
      this.#entries.delete(k);
      this.#bytes -= v.bytes;
    }
  }

  /** Forgets the blocks of a segment (closed by compaction or shard close). */
  dropSegment(seg: SegmentReader): void {
    for (const [k, v] of this.#entries) {
      if (v.seg !== seg) continue;
      this.#entries.delete(k);
      this.#bytes -= v.bytes;
    }
  }

  /** Bytes held, entries, hits and misses since start (for tests and diagnostics). */
  stats(): { bytes: number; entries: number; hits: number; misses: number } {
    return { bytes: this.#bytes, entries: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }
}
