import type { Block, BlockValues, ShardReader } from '../../contracts/tsdb-store.js';
import type { Value } from '../result.js';

/** Walks one field of one series point by point, block by block, in either direction. */
export class FieldCursor {
  private readonly blocks: Block[];
  private bi: number;
  private times: BigInt64Array | null = null;
  private values: BlockValues | null = null;
  private i = 0;
  /** Current time (valid while !done). */
  t = 0n;
  /** Current value (valid while !done). */
  v: Value = null;
  done = false;

  constructor(blocks: Block[], private readonly ascending: boolean) {
    this.blocks = blocks;
    this.bi = ascending ? 0 : blocks.length - 1;
    this.loadBlock();
    this.advance(true);
  }

  private loadBlock(): void {
    for (;;) {
      const b = this.blocks[this.bi];
      if (b === undefined) {
        this.times = null;
        this.values = null;
        return;
      }
      const d = b.decode();
      if (d.times.length > 0) {
        this.times = d.times;
        this.values = d.values;
        this.i = this.ascending ? -1 : d.times.length;
        return;
      }
      this.bi += this.ascending ? 1 : -1;
    }
  }

  /** Moves to the next point; sets `done` at the end. */
  advance(first = false): void {
    if (!first && this.done) return;
    for (;;) {
      if (this.times === null) {
        this.done = true;
        return;
      }
      this.i += this.ascending ? 1 : -1;
      if (this.i >= 0 && this.i < this.times.length) {
        this.t = this.times[this.i] as bigint;
        this.v = (this.values as BlockValues)[this.i] as Value;
        return;
      }
      this.bi += this.ascending ? 1 : -1;
      this.loadBlock();
    }
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

  constructor(
    reader: ShardReader,
    seriesKey: string,
    fields: readonly string[],
    tmin: bigint,
    tmax: bigint,
    private readonly ascending: boolean,
  ) {
    this.cursors = fields.map((f) => new FieldCursor([...reader.scan(seriesKey, f, tmin, tmax)], ascending));
    this.values = new Array<Value>(fields.length).fill(null);
  }

  /** Loads the next row; returns false at the end. */
  next(): boolean {
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
        c.advance();
      } else this.values[i] = null;
    }
    return true;
  }
}
