import type { Value } from '../result.js';
import type { PartialOp, PartialState, SelectedPoint } from './map-request.js';
import { addInt64 } from './partials.js';

/** Aggregates computed by merging partials (pushdown). */
export const MERGEABLE: Readonly<Record<string, PartialOp>> = {
  count: 'count',
  sum: 'sum',
  mean: 'mean',
  min: 'min',
  max: 'max',
  first: 'first',
  last: 'last',
  spread: 'spread',
  stddev: 'stddev',
};

/** Aggregates that need every raw value of a bucket. */
export const RAW_AGGREGATES = new Set(['median', 'mode', 'percentile', 'distinct', 'count_distinct', 'top', 'bottom', 'sample', 'integral']);

/** Functions whose result is one selected point (its time may become the row's time). */
export const SELECTORS = new Set(['min', 'max', 'first', 'last', 'percentile', 'top', 'bottom', 'sample']);

/** Functions that return several rows per bucket. */
export const MULTI_ROW = new Set(['top', 'bottom', 'distinct', 'sample']);

/** Transformations over a series of (time, value) rows. */
export const TRANSFORMS = new Set([
  'derivative',
  'non_negative_derivative',
  'difference',
  'non_negative_difference',
  'moving_average',
  'cumulative_sum',
  'elapsed',
]);

/** A finalized aggregate: a value, and the selected point's time for selectors. */
export interface CallResult {
  v: Value;
  t: bigint | null;
  aux: Value[] | null;
}

/** One output row of a multi-row function. */
export interface MultiRow {
  t: bigint;
  v: Value;
  aux: Value[] | null;
}

function cmpValue(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1;
  return (a as number) < (b as number) ? -1 : 1;
}

function sortedByValue(pts: readonly SelectedPoint[]): SelectedPoint[] {
  return [...pts].sort((a, b) => cmpValue(a.v, b.v) || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}

function sortedByTime(pts: readonly SelectedPoint[]): SelectedPoint[] {
  return [...pts].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}

/** The single-value result of an aggregate from its merged state. `arg` = percentile's p. */
export function finalize(fn: string, state: PartialState, arg: number): CallResult {
  const none: CallResult = { v: null, t: null, aux: null };
  switch (fn) {
    case 'count':
      return { v: BigInt(state.n ?? 0), t: null, aux: null };
    case 'sum':
      return state.s == null ? none : { v: state.s, t: null, aux: null };
    case 'mean':
      return !state.n ? none : { v: (state.s as number) / state.n, t: null, aux: null };
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      return state.p == null ? none : { v: state.p.v, t: state.p.t, aux: state.p.aux };
    case 'spread': {
      if (state.lo == null || state.hi == null) return none;
      if (typeof state.lo === 'bigint' && typeof state.hi === 'bigint') return { v: BigInt.asIntN(64, state.hi - state.lo), t: null, aux: null };
      return { v: Number(state.hi) - Number(state.lo), t: null, aux: null };
    }
    case 'stddev': {
      const n = state.n ?? 0;
      if (n < 2) return n === 0 ? none : { v: null, t: null, aux: null };
      return { v: Math.sqrt((state.m2 as number) / (n - 1)), t: null, aux: null };
    }
  }
  const pts = state.pts ?? [];
  if (pts.length === 0) return fn === 'count_distinct' ? { v: 0n, t: null, aux: null } : none;
  switch (fn) {
    case 'median': {
      const s = sortedByValue(pts);
      const n = s.length;
      if (n % 2 === 1) return { v: Number((s[(n - 1) / 2] as SelectedPoint).v), t: null, aux: null };
      const a = Number((s[n / 2 - 1] as SelectedPoint).v);
      const b = Number((s[n / 2] as SelectedPoint).v);
      return { v: a + (b - a) / 2, t: null, aux: null };
    }
    case 'percentile': {
      const s = sortedByValue(pts);
      const i = Math.floor(s.length * (arg / 100) + 0.5) - 1;
      if (i < 0 || i >= s.length) return none;
      const p = s[i] as SelectedPoint;
      return { v: p.v, t: p.t, aux: p.aux };
    }
    case 'mode': {
      // InfluxDB 1.x's scan over the points sorted by value: a run's first point only starts it; at
      // equal counts the run that started later (in time) than the current mode's latest point loses.
      const s = sortedByValue(pts);
      if (s.length === 0) return none;
      const first = s[0] as SelectedPoint;
      let mostFreq = 0;
      let currFreq = 0;
      let mostMode: Value = first.v;
      let mostTime = first.t;
      let currMode: Value = first.v;
      let currTime = first.t;
      for (const p of s) {
        if (p.v !== currMode) {
          currFreq = 1;
          currMode = p.v;
          currTime = p.t;
          continue;
        }
        currFreq++;
        if (mostFreq > currFreq || (mostFreq === currFreq && currTime > mostTime)) continue;
        mostFreq = currFreq;
        mostMode = p.v;
        mostTime = p.t;
      }
      return { v: mostMode, t: null, aux: null };
    }
    case 'count_distinct':
      return { v: BigInt(new Set(pts.map((p) => p.v)).size), t: null, aux: null };
    case 'integral': {
      const s = sortedByTime(pts);
      let area = 0;
      for (let i = 1; i < s.length; i++) {
        const a = s[i - 1] as SelectedPoint;
        const b = s[i] as SelectedPoint;
        area += ((Number(a.v) + Number(b.v)) / 2) * Number(b.t - a.t);
      }
      return { v: area / arg, t: null, aux: null };
    }
    default:
      return none;
  }
}

/**
 * Rows of a multi-row function (top, bottom, distinct, sample). `n` = how many; `tagCount` = the
 * number of leading aux values that are top/bottom's tag arguments (one row per distinct tag tuple).
 */
export function multiRows(fn: string, state: PartialState, n: number, tagCount: number, bucket: bigint): MultiRow[] {
  const pts = state.pts ?? [];
  if (pts.length === 0) return [];
  if (fn === 'distinct') {
    const seen = new Map<string, SelectedPoint>();
    for (const p of sortedByTime(pts)) {
      const k = `${typeof p.v}:${String(p.v)}`;
      if (!seen.has(k)) seen.set(k, p);
    }
    return [...seen.values()]
      .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : cmpValue(a.v, b.v)))
      .map((p) => ({ t: bucket, v: p.v, aux: null }));
  }
  if (fn === 'sample') {
    const copy = [...pts];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as SelectedPoint, copy[i] as SelectedPoint];
    }
    return sortedByTime(copy.slice(0, n)).map((p) => ({ t: p.t, v: p.v, aux: p.aux }));
  }
  const top = fn === 'top';
  const better = (a: SelectedPoint, b: SelectedPoint): number => {
    const c = cmpValue(a.v, b.v);
    if (c !== 0) return top ? -c : c;
    return a.t < b.t ? -1 : a.t > b.t ? 1 : 0;
  };
  let cands = [...pts].sort(better);
  if (tagCount > 0) {
    const seen = new Set<string>();
    cands = cands.filter((p) => {
      const k = JSON.stringify((p.aux ?? []).slice(0, tagCount));
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  return cands
    .slice(0, n)
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0) || better(a, b))
    .map((p) => ({ t: p.t, v: p.v, aux: p.aux }));
}

/** State of a transformation along one series. */
export interface TransformState {
  prevT: bigint | null;
  prevV: Value;
  acc: Value;
  window: number[];
}

/** A fresh transformation state (one per output series). */
export function newTransformState(): TransformState {
  return { prevT: null, prevV: null, acc: null, window: [] };
}

function sub(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return BigInt.asIntN(64, a - b);
  return Number(a) - Number(b);
}

/**
 * Feeds one (time, value) row to a transformation; returns the output value for this row, or
 * undefined when the row produces no output. `unit` is in ns; `n` = moving_average's window.
 */
export function transformStep(fn: string, st: TransformState, t: bigint, v: Value, unit: bigint, n: number): Value | undefined {
  if (v === null) return undefined;
  switch (fn) {
    case 'cumulative_sum': {
      st.acc = st.acc === null ? v : typeof st.acc === 'bigint' && typeof v === 'bigint' ? addInt64(st.acc, v) : Number(st.acc) + Number(v);
      return st.acc;
    }
    case 'moving_average': {
      st.window.push(Number(v));
      if (st.window.length > n) st.window.shift();
      if (st.window.length < n) return undefined;
      let s = 0;
      for (const x of st.window) s += x;
      return s / n;
    }
  }
  const prevT = st.prevT;
  const prevV = st.prevV;
  st.prevT = t;
  st.prevV = v;
  if (prevT === null) return undefined;
  switch (fn) {
    case 'derivative':
    case 'non_negative_derivative': {
      if (t === prevT) return undefined;
      // Descending order: InfluxDB divides by the absolute elapsed time.
      const dt = t > prevT ? t - prevT : prevT - t;
      const d = (Number(v) - Number(prevV)) / (Number(dt) / Number(unit));
      if (fn === 'non_negative_derivative' && d < 0) return undefined;
      return d;
    }
    case 'difference':
    case 'non_negative_difference': {
      const d = sub(v, prevV);
      if (fn === 'non_negative_difference' && (d as number) < 0) return undefined;
      return d;
    }
    case 'elapsed':
      return (t > prevT ? t - prevT : prevT - t) / unit;
    default:
      return undefined;
  }
}

/**
 * integral() over the consecutive buckets of one series, as InfluxDB 1.x computes it: trapezoids
 * between points; the segment crossing a bucket's end is split at the end by linear interpolation
 * and the remainder starts the next non-empty bucket. `ends[i]` = end of bucket i (exclusive);
 * `pts[i]` = its points, or null when empty; `starts[i]` its start. Returns one value per bucket (null
 * when empty, and for the last non-empty bucket when its last point is at its start).
 */
export function integralSeries(
  pts: ReadonlyArray<readonly SelectedPoint[] | null>,
  ends: readonly bigint[],
  unit: number,
  starts?: readonly bigint[],
): Array<number | null> {
  const sorted = pts.map((p) => (p === null || p.length === 0 ? null : sortedByTime(p)));
  const out: Array<number | null> = [];
  let carried: { t: bigint; v: number } | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const ps = sorted[i];
    if (ps === null || ps === undefined) {
      out.push(null);
      continue;
    }
    let area = 0;
    let cur: { t: bigint; v: number } | null = carried;
    for (const p of ps) {
      const v = Number(p.v);
      if (cur !== null) area += ((cur.v + v) / 2) * Number(p.t - cur.t);
      cur = { t: p.t, v };
    }
    let next: SelectedPoint | null = null;
    for (let j = i + 1; j < sorted.length && next === null; j++) next = sorted[j]?.[0] ?? null;
    carried = null;
    if (next !== null && cur !== null) {
      const end = ends[i] as bigint;
      const nv = Number(next.v);
      const vEnd: number = cur.v + ((nv - cur.v) * Number(end - cur.t)) / Number(next.t - cur.t);
      area += ((cur.v + vEnd) / 2) * Number(end - cur.t);
      carried = { t: end, v: vEnd };
    }
    out.push(area / unit);
  }
  // The last bucket holding points says nothing when its last point sits at its start (no area):
  // InfluxDB does not report it.
  for (let i = sorted.length - 1; i >= 0; i--) {
    const ps = sorted[i];
    if (ps === null || ps === undefined) continue;
    if (starts !== undefined && (ps[ps.length - 1] as SelectedPoint).t === starts[i]) out[i] = null;
    break;
  }
  return out;
}
