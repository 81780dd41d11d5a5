import type { Block, BlockValues, ShardReader } from '../../contracts/tsdb-store.js';
import type { Value } from '../result.js';

/**
 * Blocks of one series field in the given direction: ascending straight from `scan`; descending from
 * the reader's optional `scanDescending` when it has one (only the blocks a cursor reaches are read),
 * else the ascending scan reversed.
 */
export function directedBlocks(reader: ShardReader, key: string, field: string, tmin: bigint, tmax: bigint, ascending: boolean): Iterable<Block> {
  if (ascending) return reader.scan(key, field, tmin, tmax);
  if (reader.scanDescending !== undefined) return reader.scanDescending(key, field, tmin, tmax);
  return [...reader.scan(key, field, tmin, tmax)].reverse();
}

/**
 * Walks one field of one series point by point, block by block, in either direction. Blocks are
 * pulled from the iterable only when reached. A block with statistics gives its first point in the
 * walk's direction (stats.first at minTime, stats.last at maxTime) without being decoded; it is decoded
 * only when the cursor moves past that point.
 */
export class FieldCursor {
  private readonly it: Iterator<Block>;
  private block: Block | null = null;
  private times: BigInt64Array | null = null;
  private values: BlockValues | null = null;
  /** The current point comes from the block's stats; the block is not decoded yet. */
  private fromStats = false;
  private i = 0;
  /** Current time (valid while !done). */
  t = 0n;
  /** Current value (valid while !done). */
  v: Value = null;
  done = false;

  constructor(blocks: Iterable<Block>, private readonly ascending: boolean) {
    this.it = blocks[Symbol.iterator]();
    this.nextBlock();
  }

  /** Moves to the first point of the next non-empty block; sets `done` when there is none. */
  private nextBlock(): void {
    for (;;) {
      const r = this.it.next();
      if (r.done === true) {
        this.block = null;
        this.times = null;
        this.values = null;
        this.done = true;
        return;
      }
      const b = r.value;
      if (b.count <= 0) continue;
      this.block = b;
      const st = b.stats;
      if (st !== undefined) {
        this.fromStats = true;
        this.times = null;
        this.values = null;
        this.t = this.ascending ? b.minTime : b.maxTime;
        this.v = (this.ascending ? st.first : st.last) as Value;
        return;
      }
      if (this.decodeCurrent()) {
        this.i = this.ascending ? 0 : (this.times as BigInt64Array).length - 1;
        this.load();
        return;
      }
    }
  }

  /** Decodes the current block; false when it holds no points. */
  private decodeCurrent(): boolean {
    const d = (this.block as Block).decode();
    this.fromStats = false;
    this.times = d.times;
    this.values = d.values;
    return d.times.length > 0;
  }

  private load(): void {
    this.t = (this.times as BigInt64Array)[this.i] as bigint;
    this.v = (this.values as BlockValues)[this.i] as Value;
  }

  /** Moves to the next point; sets `done` at the end. */
  advance(): void {
    if (this.done) return;
    if (this.fromStats) {
      if (!this.decodeCurrent()) return this.nextBlock();
      this.i = this.ascending ? 0 : (this.times as BigInt64Array).length - 1;
    }
    const n = (this.times as BigInt64Array).length;
    this.i += this.ascending ? 1 : -1;
    if (this.i >= 0 && this.i < n) this.load();
    else this.nextBlock();
  }
}

/**
 * Joins several fields of one series by time: each `next()` gives the next timestamp present in any
 * field, with one value per field (null where that field has no point at that time).
 */
export class SeriesRowCursor {
  private readonly cursors: FieldCursor[];
  /** Current row time (valid while !done). */
  t = 0n;
  /** Current row values, one per field (valid while !done); reused between rows. */
  readonly values: Value[];
  done = false;
  /** 1 for each cursor whose current point was handed out in the last row. */
  private readonly consumed: Uint8Array;

  /**
   * `blocks(field)` gives each field's blocks in the walk's direction (see {@link directedBlocks});
   * by default the reader's blocks over [tmin, tmax].
   */
  constructor(
    reader: ShardReader,
    seriesKey: string,
    fields: readonly string[],
    tmin: bigint,
    tmax: bigint,
    private readonly ascending: boolean,
    blocks?: (field: string, index: number) => Iterable<Block>,
  ) {
    const get = blocks ?? ((f: string) => directedBlocks(reader, seriesKey, f, tmin, tmax, ascending));
    this.cursors = fields.map((f, i) => new FieldCursor(get(f, i), ascending));
    this.values = new Array<Value>(fields.length).fill(null);
    this.consumed = new Uint8Array(fields.length);
  }

  /** Loads the next row; returns false at the end. */
  next(): boolean {
    // Cursors whose point went into the previous row move on only now, so a row that is never
    // followed by another (LIMIT) does not decode blocks it does not need.
    const consumed = this.consumed;
    for (let i = 0; i < consumed.length; i++) {
      if (consumed[i] === 1) {
        consumed[i] = 0;
        (this.cursors[i] as FieldCursor).advance();
      }
    }
    let found = false;
    let best = 0n;
    for (const c of this.cursors) {
      if (c.done) continue;
      if (!found || (this.ascending ? c.t < best : c.t > best)) {
        best = c.t;
        found = true;
      }
    }
    if (!found) {
      this.done = true;
      return false;
    }
    this.t = best;
    for (let i = 0; i < this.cursors.length; i++) {
      const c = this.cursors[i] as FieldCursor;
      if (!c.done && c.t === best) {
        this.values[i] = c.v;
        consumed[i] = 1;
      } else this.values[i] = null;
    }
    return true;
  }
}
