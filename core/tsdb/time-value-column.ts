import type { Block, BlockValues } from '../contracts/tsdb-store.js';
import type { FieldType, FieldValue } from '../model/point.js';
import { ensureCapacity, lowerBound, nextCapacity, type NumericArray, upperBound } from './growable.js';

type Values = Float64Array | BigInt64Array | string[] | boolean[];

/** Default maximum number of points in one Block yielded by {@link TimeValueColumn.blocks}. */
export const DEFAULT_BLOCK_POINTS = 1000;

function allocValues(type: FieldType, cap: number): Values {
  switch (type) {
    case 'float':
      return new Float64Array(cap);
    case 'integer':
      return new BigInt64Array(cap);
    default:
      return [];
  }
}

function valuesView(values: Values, lo: number, hi: number): BlockValues {
  return Array.isArray(values) ? values.slice(lo, hi) : values.subarray(lo, hi);
}

const NO_TIMES = new BigInt64Array(0);

/**
 * Times shared by the columns of one series whose fields are written together (each point carrying
 * every field): appended once per point instead of once per field. Append-only, grown by copying, so
 * a column's view of `[0, length)` never changes under it.
 */
export class SharedTimes {
  times: BigInt64Array;
  length = 0;
  /** Columns currently reading their times from here (when none is left, nobody needs new times). */
  attached = 0;
  /** True while every time appended was above the one before (columns then skip their own checks). */
  ascending = true;
  #last = 0n;

  constructor(initialCapacity = 16) {
    this.times = new BigInt64Array(initialCapacity);
  }

  /** Appends the time of the next point. */
  append(time: bigint): void {
    const n = this.length;
    if (n > 0 && time <= this.#last) this.ascending = false;
    if (n === this.times.length) this.times = ensureCapacity(this.times, n, n + 1);
    this.times[n] = time;
    this.#last = time;
    this.length = n + 1;
  }
}

/**
 * The points of one series field, columnar: times in a BigInt64Array, values in a Float64Array
 * (float), BigInt64Array (integer) or a plain array (string, boolean); grown by copying.
 *
 * Appends are O(1) and never sort: an out-of-order or duplicate time only marks the column unsorted
 * from that index on; the next read sorts that tail (stably) and merges it, the later write winning
 * at equal times. Invariant that makes Blocks safe snapshots: an element below `length` is never
 * changed in place; sorting, merging and deleting build new arrays.
 */
export class TimeValueColumn {
  readonly type: FieldType;
  /** Own times (unused while `#shared` is set). */
  #times: BigInt64Array;
  /**
   * Set while this column's times are `#shared.times[0, length)`: every append so far was the
   * latest time of the shared list (so the column is sorted). Any other write detaches the column.
   */
  #shared: SharedTimes | undefined;
  #values: Values;
  #length = 0;
  /** [0, sortedLength) is ascending without duplicates. */
  #sortedLength = 0;
  /** times[length - 1] while sorted (reading a BigInt64Array allocates; appends compare with this). */
  #lastTime = 0n;

  /**
   * An empty column. With `shared` (which must hold no time yet, or just the time of this column's
   * first append), the column reads its times from there while its appends follow the shared times.
   */
  constructor(type: FieldType, initialCapacity = 8, shared?: SharedTimes) {
    this.type = type;
    if (shared !== undefined && shared.length <= 1) {
      this.#shared = shared;
      shared.attached++;
      this.#times = NO_TIMES;
    } else {
      this.#times = new BigInt64Array(initialCapacity);
    }
    this.#values = allocValues(type, initialCapacity);
  }

  /**
   * A column over sorted, duplicate-free arrays (used as they are, not copied; the caller must not
   * change them).
   */
  static fromSorted(type: FieldType, times: BigInt64Array, values: BlockValues): TimeValueColumn {
    const col = new TimeValueColumn(type, 0);
    const n = times.length;
    col.#times = times;
    col.#values = values as Values;
    col.#length = n;
    col.#sortedLength = n;
    col.#lastTime = n === 0 ? 0n : times[n - 1]!;
    return col;
  }

  /** The current times array (own or shared); entries `[0, length)` are this column's. */
  #timesArray(): BigInt64Array {
    return this.#shared === undefined ? this.#times : this.#shared.times;
  }

  /**
   * The object holding this column's times (its shared list, or its own array): columns of a series
   * with the same holder and length have the same times.
   */
  get timesHolder(): object {
    return this.#shared ?? this.#times;
  }

  /** Gives the column its own copy of its times (before any write that is not a shared append). */
  #detach(capacity: number): void {
    const shared = this.#shared!;
    const own = new BigInt64Array(capacity);
    own.set(shared.times.subarray(0, this.#length));
    this.#times = own;
    // not kept up to date while attached
    this.#lastTime = this.#length === 0 ? 0n : own[this.#length - 1]!;
    shared.attached--;
    this.#shared = undefined;
  }

  /** Number of stored entries (before duplicate times are merged away on the next read). */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends one value; `value` must be of the column's type (the caller validated it). A column on
   * shared times expects `time` to be the shared list's latest entry, just appended (else it detaches).
   */
  append(time: bigint, value: FieldValue): void {
    const n = this.#length;
    const shared = this.#shared;
    if (shared !== undefined) {
      // `time` is the shared list's newest entry and above all before it: no check of our own
      if (shared.length === n + 1 && shared.ascending) {
        const values = this.#values;
        if (Array.isArray(values)) (values as FieldValue[])[n] = value;
        else {
          if (n === values.length) this.#values = ensureCapacity(values, n, n + 1);
          (this.#values as Float64Array)[n] = value as number; // BigInt64Array takes bigint; same slot write
        }
        this.#sortedLength = n + 1;
        this.#length = n + 1;
        return;
      }
      this.#detach(nextCapacity(0, n + 1));
    }
    if (n === this.#times.length || (!Array.isArray(this.#values) && n === this.#values.length)) this.#grow(n + 1);
    if (this.#sortedLength === n && (n === 0 || time > this.#lastTime)) {
      this.#sortedLength = n + 1;
      this.#lastTime = time;
    }
    this.#times[n] = time;
    const values = this.#values;
    if (Array.isArray(values)) (values as FieldValue[])[n] = value;
    else (values as Float64Array)[n] = value as number; // BigInt64Array takes bigint; same slot write
    this.#length = n + 1;
  }

  /** Sorts and deduplicates pending out-of-order appends (newest write wins at equal times). */
  ensureSorted(): void {
    if (this.#sortedLength === this.#length) return;
    const times = this.#times;
    const values = this.#values;
    const start = this.#sortedLength;
    const end = this.#length;
    // Reading a BigInt64Array allocates: times are compared and copied as (signed hi, unsigned lo) words.
    const tw = words(times);
    const order = sortTail(tw, start, end);
    const tailLen = end - start;
    // The prefix below the first tail time is copied as is.
    const keep = lowerBound(times, start, times[order[0]!]!);
    const cap = nextCapacity(0, end + 8);
    const outTimes = new BigInt64Array(cap);
    const outValues = allocValues(this.type, cap);
    const ow = words(outTimes);
    outTimes.set(times.subarray(0, keep));
    const plain = Array.isArray(values);
    const vw = plain ? undefined : words(values as NumericArray);
    const ovw = plain ? undefined : words(outValues as NumericArray);
    if (plain) {
      for (let i = 0; i < keep; i++) (outValues as FieldValue[])[i] = values[i]!;
    } else {
      (outValues as Float64Array).set((values as Float64Array).subarray(0, keep));
    }
    let o = keep;
    let p = keep;
    let k = 0;
    const put = (src: number): void => {
      // a later entry at the same time replaces the earlier
      if (o > 0 && ow[2 * o - 1] === tw[2 * src + 1] && ow[2 * o - 2] === tw[2 * src]) o--;
      ow[2 * o] = tw[2 * src]!;
      ow[2 * o + 1] = tw[2 * src + 1]!;
      if (vw === undefined) {
        (outValues as FieldValue[])[o] = (values as FieldValue[])[src]!;
      } else {
        ovw![2 * o] = vw[2 * src]!;
        ovw![2 * o + 1] = vw[2 * src + 1]!;
      }
      o++;
    };
    while (k < tailLen) {
      if (p < start && compareWords(tw, p, order[k]!) <= 0) put(p++);
      else put(order[k++]!);
    }
    // The rest of the prefix is later than every tail entry: copied in bulk.
    if (p < start) {
      outTimes.set(times.subarray(p, start), o);
      if (plain) {
        for (let i = p; i < start; i++) (outValues as FieldValue[])[o + i - p] = values[i]!;
      } else {
        (outValues as Float64Array).set((values as Float64Array).subarray(p, start), o);
      }
      o += start - p;
    }
    this.#times = outTimes;
    this.#values = outValues;
    this.#length = o;
    this.#sortedLength = o;
    this.#lastTime = o === 0 ? 0n : outTimes[o - 1]!;
  }

  /** Smallest time, or undefined when empty. */
  minTime(): bigint | undefined {
    this.ensureSorted();
    return this.#length === 0 ? undefined : this.#timesArray()[0];
  }

  /** Largest time, or undefined when empty. */
  maxTime(): bigint | undefined {
    this.ensureSorted();
    return this.#length === 0 ? undefined : this.#timesArray()[this.#length - 1];
  }

  /** Number of distinct times in [tmin, tmax]. */
  countInRange(tmin: bigint, tmax: bigint): number {
    this.ensureSorted();
    if (tmin > tmax) return 0;
    const times = this.#timesArray();
    return upperBound(times, this.#length, tmax) - lowerBound(times, this.#length, tmin);
  }

  /** Removes entries with time in [tmin, tmax]; returns how many were removed. */
  deleteRange(tmin: bigint, tmax: bigint): number {
    this.ensureSorted();
    if (tmin > tmax || this.#length === 0) return 0;
    const n = this.#length;
    const old = this.#timesArray();
    const lo = lowerBound(old, n, tmin);
    const hi = upperBound(old, n, tmax);
    if (hi <= lo) return 0;
    const remaining = n - (hi - lo);
    const cap = nextCapacity(0, remaining + 8);
    const times = new BigInt64Array(cap);
    times.set(old.subarray(0, lo));
    times.set(old.subarray(hi, n), lo);
    if (this.#shared !== undefined) {
      this.#shared.attached--;
      this.#shared = undefined;
    }
    let values: Values;
    if (Array.isArray(this.#values)) {
      values = (this.#values as FieldValue[]).slice(0, lo).concat((this.#values as FieldValue[]).slice(hi, n)) as Values;
    } else {
      values = allocValues(this.type, cap);
      (values as Float64Array).set((this.#values as Float64Array).subarray(0, lo));
      (values as Float64Array).set((this.#values as Float64Array).subarray(hi, n), lo);
    }
    this.#times = times;
    this.#values = values;
    this.#length = remaining;
    this.#sortedLength = remaining;
    this.#lastTime = remaining === 0 ? 0n : times[remaining - 1]!;
    return hi - lo;
  }

  /**
   * Blocks of at most `maxPoints` entries with time in [tmin, tmax], ascending. Each Block decodes to
   * views of the current arrays (copies for strings and booleans); later writes do not change them.
   */
  *blocks(tmin: bigint, tmax: bigint, maxPoints = DEFAULT_BLOCK_POINTS): Generator<Block> {
    this.ensureSorted();
    if (tmin > tmax) return;
    const times = this.#timesArray();
    const values = this.#values;
    const lo = lowerBound(times, this.#length, tmin);
    const hi = upperBound(times, this.#length, tmax);
    for (let a = lo; a < hi; a += maxPoints) {
      const b = Math.min(hi, a + maxPoints);
      yield {
        count: b - a,
        minTime: times[a]!,
        maxTime: times[b - 1]!,
        decode: () => ({ times: times.subarray(a, b), values: valuesView(values, a, b) }),
      };
    }
  }

  /**
   * The blocks of {@link blocks} in descending order, lazily: block boundaries are counted from the
   * newest entry, each block's values stay ascending.
   */
  *blocksDescending(tmin: bigint, tmax: bigint, maxPoints = DEFAULT_BLOCK_POINTS): Generator<Block> {
    this.ensureSorted();
    if (tmin > tmax) return;
    const times = this.#timesArray();
    const values = this.#values;
    const lo = lowerBound(times, this.#length, tmin);
    const hi = upperBound(times, this.#length, tmax);
    for (let b = hi; b > lo; b -= maxPoints) {
      const a = Math.max(lo, b - maxPoints);
      yield {
        count: b - a,
        minTime: times[a]!,
        maxTime: times[b - 1]!,
        decode: () => ({ times: times.subarray(a, b), values: valuesView(values, a, b) }),
      };
    }
  }

  /** Approximate bytes held by this column's arrays (shared times counted in full). */
  byteSize(): number {
    const v = this.#values;
    return this.#timesArray().byteLength + (Array.isArray(v) ? v.length * 8 : v.byteLength);
  }

  /**
   * This column's sorted, deduplicated content as views (times, and values for numeric types) or a
   * copy (string and boolean values); later writes do not change them.
   */
  sortedView(): { times: BigInt64Array; values: BlockValues } {
    this.ensureSorted();
    return { times: this.#timesArray().subarray(0, this.#length), values: valuesView(this.#values, 0, this.#length) };
  }

  #grow(needed: number): void {
    const n = this.#length;
    this.#times = ensureCapacity(this.#times, n, needed);
    if (!Array.isArray(this.#values)) this.#values = ensureCapacity(this.#values, n, needed);
  }
}

/** The 64-bit slots of a typed array as 32-bit words (little-endian: word 2i is the low half of slot i). */
function words(arr: NumericArray): Uint32Array {
  return new Uint32Array(arr.buffer, arr.byteOffset, arr.length * 2);
}

/** Compares int64 slots a and b of `w` (see words) without allocating: negative, zero or positive. */
function compareWords(w: Uint32Array, a: number, b: number): number {
  const ha = w[2 * a + 1]! | 0;
  const hb = w[2 * b + 1]! | 0;
  if (ha !== hb) return ha < hb ? -1 : 1;
  const la = w[2 * a]!;
  const lb = w[2 * b]!;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * Indices start..end-1 ordered by time, stable (equal times keep arrival order): a natural merge sort,
 * since a tail is usually a few ascending runs (batches that arrived out of order).
 */
function sortTail(w: Uint32Array, start: number, end: number): Uint32Array {
  const n = end - start;
  let a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = start + i;
  // run boundaries: non-decreasing stretches
  const bounds: number[] = [0];
  for (let i = 1; i < n; i++) if (compareWords(w, a[i - 1]!, a[i]!) > 0) bounds.push(i);
  if (bounds.length === 1) return a;
  bounds.push(n);
  let b = new Uint32Array(n);
  let runs = bounds;
  while (runs.length > 2) {
    const next: number[] = [0];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const lo = runs[r]!;
      const mid = runs[r + 1]!;
      const hi = r + 2 < runs.length ? runs[r + 2]! : mid;
      let i = lo;
      let j = mid;
      let o = lo;
      // left first on ties: stable
      while (i < mid && j < hi) b[o++] = compareWords(w, a[j]!, a[i]!) < 0 ? a[j++]! : a[i++]!;
      while (i < mid) b[o++] = a[i++]!;
      while (j < hi) b[o++] = a[j++]!;
      next.push(hi);
    }
    const t = a;
    a = b;
    b = t;
    runs = next;
  }
  return a;
}
