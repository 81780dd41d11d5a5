import type { BlockStats, BlockValues } from '../../contracts/tsdb-store.js';
import type { Value } from '../result.js';
import type { AggSpec, PartialOp, PartialState, SelectedPoint } from './map-request.js';

/** A fresh, empty state for `op`. */
export function newState(op: PartialOp): PartialState {
  switch (op) {
    case 'count':
      return { n: 0 };
    case 'sum':
      return { s: null };
    case 'mean':
      return { s: 0, n: 0 };
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      return { p: null };
    case 'spread':
      return { lo: null, hi: null };
    case 'stddev':
      return { n: 0, m: 0, m2: 0 };
    case 'raw':
      return { pts: [] };
  }
}

/** int64 addition with Go's wrap-around. */
export function addInt64(a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, a + b);
}

function less(a: Value, b: Value): boolean {
  return (a as number) < (b as number);
}

/** Whether a candidate point replaces the current selection (InfluxDB's tie rules). */
function selects(op: PartialOp, cur: SelectedPoint | null | undefined, t: bigint, v: Value): boolean {
  if (cur == null) return true;
  switch (op) {
    case 'min':
      return less(v, cur.v) || (v === cur.v && t < cur.t);
    case 'max':
      return less(cur.v, v) || (v === cur.v && t < cur.t);
    // On equal times the larger value wins (InfluxDB's reducers); independent of the shard split.
    case 'first':
      return t < cur.t || (t === cur.t && less(cur.v, v));
    case 'last':
      return t > cur.t || (t === cur.t && less(cur.v, v));
    default:
      return false;
  }
}

/** Adds one point to a state. `aux` is only read when the spec asks for auxiliary values. */
export function addPoint(state: PartialState, op: PartialOp, t: bigint, v: Value, aux: Value[] | null): void {
  switch (op) {
    case 'count':
      state.n = (state.n as number) + 1;
      return;
    case 'sum':
      if (typeof v === 'bigint') state.s = state.s == null ? v : addInt64(state.s as bigint, v);
      else state.s = state.s == null ? (v as number) : (state.s as number) + (v as number);
      return;
    case 'mean':
      state.s = (state.s as number) + Number(v);
      state.n = (state.n as number) + 1;
      return;
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      if (selects(op, state.p, t, v)) state.p = { t, v, aux };
      return;
    case 'spread':
      if (state.lo == null || less(v, state.lo)) state.lo = v as number | bigint;
      if (state.hi == null || less(state.hi, v)) state.hi = v as number | bigint;
      return;
    case 'stddev': {
      // Welford's update; merged across mappers with Chan's formula.
      const x = Number(v);
      const n = (state.n as number) + 1;
      const d = x - (state.m as number);
      const m = (state.m as number) + d / n;
      state.m2 = (state.m2 as number) + d * (x - m);
      state.m = m;
      state.n = n;
      return;
    }
    case 'raw':
      (state.pts as SelectedPoint[]).push({ t, v, aux });
      return;
  }
}

/**
 * Adds values[from, to) of a decoded block (no auxiliary values). The hot path of aggregate queries:
 * count/sum/mean run over typed arrays without allocating.
 */
export function addRange(
  state: PartialState,
  op: PartialOp,
  times: BigInt64Array,
  values: BlockValues,
  from: number,
  to: number,
): void {
  if (from >= to) return;
  if (op === 'count') {
    state.n = (state.n as number) + (to - from);
    return;
  }
  if (values instanceof Float64Array) {
    if (op === 'sum' || op === 'mean') {
      let s = 0;
      for (let i = from; i < to; i++) s += values[i] as number;
      if (op === 'mean') {
        state.s = (state.s as number) + s;
        state.n = (state.n as number) + (to - from);
      } else state.s = state.s == null ? s : (state.s as number) + s;
      return;
    }
  } else if (values instanceof BigInt64Array) {
    if (op === 'sum') {
      let s = 0n;
      for (let i = from; i < to; i++) s += values[i] as bigint;
      state.s = state.s == null ? BigInt.asIntN(64, s) : addInt64(state.s as bigint, s);
      return;
    }
    if (op === 'mean') {
      let s = 0;
      for (let i = from; i < to; i++) s += Number(values[i]);
      state.s = (state.s as number) + s;
      state.n = (state.n as number) + (to - from);
      return;
    }
  }
  if ((op === 'min' || op === 'max' || op === 'first' || op === 'last') && (values instanceof Float64Array || values instanceof BigInt64Array)) {
    // Times within a block ascend, so one point per range competes with the state: first/last at
    // the ends (unless the end time repeats: a subquery's rows), min/max at the earliest extreme, as
    // the point-by-point rule picks.
    const k =
      op === 'first'
        ? from + 1 < to && times[from + 1] === times[from] ? -1 : from
        : op === 'last'
          ? to - 2 >= from && times[to - 2] === times[to - 1] ? -1 : to - 1
          : extremeIndex(values, from, to, op === 'max');
    if (k >= 0) {
      addPoint(state, op, times[k] as bigint, values[k] as Value, null);
      return;
    }
  }
  for (let i = from; i < to; i++) addPoint(state, op, times[i] as bigint, values[i] as Value, null);
}

/** Index of the first max (or min) of values[from, to), or -1 when a NaN makes the order partial. */
function extremeIndex(values: Float64Array | BigInt64Array, from: number, to: number, max: boolean): number {
  let best = from;
  if (values instanceof Float64Array) {
    let b = values[from] as number;
    if (b !== b) return -1;
    for (let i = from + 1; i < to; i++) {
      const x = values[i] as number;
      if (x !== x) return -1;
      if (max ? b < x : x < b) {
        b = x;
        best = i;
      }
    }
    return best;
  }
  let b = values[from] as bigint;
  for (let i = from + 1; i < to; i++) {
    const x = values[i] as bigint;
    if (max ? b < x : x < b) {
      b = x;
      best = i;
    }
  }
  return best;
}

/**
 * Adds a whole block from its statistics, without decoding. Returns false when the stats cannot
 * serve this spec (the caller then decodes).
 */
export function addStats(state: PartialState, spec: AggSpec, stats: BlockStats, minTime: bigint, maxTime: bigint): boolean {
  if (spec.aux.length > 0) return false;
  switch (spec.op) {
    case 'count':
      state.n = (state.n as number) + stats.count;
      return true;
    case 'sum':
      if (typeof stats.sum === 'bigint') state.s = state.s == null ? stats.sum : addInt64(state.s as bigint, stats.sum);
      else state.s = state.s == null ? stats.sum : (state.s as number) + stats.sum;
      return true;
    case 'mean':
      // An integer block's sum wraps at int64; the mean sums as float64, so only use a sum that
      // cannot have wrapped.
      if (typeof stats.sum === 'bigint' && !sumIsExact(stats)) return false;
      state.s = (state.s as number) + Number(stats.sum);
      state.n = (state.n as number) + stats.count;
      return true;
    case 'min':
    case 'max':
      // The stats do not say when the extreme happened.
      if (spec.withTime) return false;
      addPoint(state, spec.op, minTime, spec.op === 'min' ? stats.min : stats.max, null);
      return true;
    case 'first':
      addPoint(state, 'first', minTime, stats.first, null);
      return true;
    case 'last':
      addPoint(state, 'last', maxTime, stats.last, null);
      return true;
    case 'spread':
      addPoint(state, 'spread', minTime, stats.min, null);
      addPoint(state, 'spread', maxTime, stats.max, null);
      return true;
    default:
      return false;
  }
}

/** Merges `b` into `a` (both states of `op`). */
export function mergeState(a: PartialState, b: PartialState, op: PartialOp): void {
  switch (op) {
    case 'count':
      a.n = (a.n as number) + (b.n as number);
      return;
    case 'sum':
      if (b.s == null) return;
      if (a.s == null) a.s = b.s;
      else if (typeof a.s === 'bigint' && typeof b.s === 'bigint') a.s = addInt64(a.s, b.s);
      else a.s = Number(a.s) + Number(b.s);
      return;
    case 'mean':
      a.s = (a.s as number) + (b.s as number);
      a.n = (a.n as number) + (b.n as number);
      return;
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      if (b.p != null && selects(op, a.p, b.p.t, b.p.v)) a.p = b.p;
      return;
    case 'spread':
      if (b.lo != null && (a.lo == null || less(b.lo, a.lo))) a.lo = b.lo;
      if (b.hi != null && (a.hi == null || less(a.hi, b.hi))) a.hi = b.hi;
      return;
    case 'stddev': {
      const na = a.n as number;
      const nb = b.n as number;
      if (nb === 0) return;
      if (na === 0) {
        a.n = nb;
        a.m = b.m;
        a.m2 = b.m2;
        return;
      }
      const n = na + nb;
      const d = (b.m as number) - (a.m as number);
      a.m = (a.m as number) + (d * nb) / n;
      a.m2 = (a.m2 as number) + (b.m2 as number) + (d * d * na * nb) / n;
      a.n = n;
      return;
    }
    case 'raw':
      for (const p of b.pts as SelectedPoint[]) (a.pts as SelectedPoint[]).push(p);
      return;
  }
}

/** True when the state saw no point. */
export function isEmptyState(s: PartialState, op: PartialOp): boolean {
  switch (op) {
    case 'count':
    case 'mean':
    case 'stddev':
      return s.n === 0;
    case 'sum':
      return s.s == null;
    case 'spread':
      return s.lo == null;
    case 'raw':
      return (s.pts as SelectedPoint[]).length === 0;
    default:
      return s.p == null;
  }
}

const INT64_LIMIT = 2n ** 63n;

function sumIsExact(stats: BlockStats): boolean {
  const abs = (v: number | bigint): bigint => {
    const b = BigInt(v);
    return b < 0n ? -b : b;
  };
  const m = abs(stats.min) > abs(stats.max) ? abs(stats.min) : abs(stats.max);
  return m * BigInt(stats.count) < INT64_LIMIT;
}
