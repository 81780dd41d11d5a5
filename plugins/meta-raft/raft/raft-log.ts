import type { Entry } from './types.js';

/**
 * The in-memory Raft log after the last snapshot: entries (snapIndex, lastIndex], plus which of them are
 * not yet handed to storage (`unstableFrom`). Meta logs are small, so the whole tail stays in memory.
 */
export class RaftLog {
  /** Index and term of the last entry covered by the snapshot (0, 0 = none). */
  snapIndex: number;
  snapTerm: number;
  committed: number;
  applied: number;
  /** Entries from this index on have not been handed out by `unstable()` since they changed. */
  unstableFrom: number;
  private entries: Entry[];

  constructor(snapIndex: number, snapTerm: number, entries: readonly Entry[], committed: number) {
    this.snapIndex = snapIndex;
    this.snapTerm = snapTerm;
    this.entries = [...entries];
    this.committed = Math.max(committed, snapIndex);
    this.applied = snapIndex;
    this.unstableFrom = this.lastIndex() + 1;
  }

  /** The index of the first entry still held (snapIndex + 1). */
  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** The term at `index`, or undefined when it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1]!.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries [lo, hi] (inclusive, clamped to what is held), at most `max`. */
  slice(lo: number, hi: number, max = Infinity): Entry[] {
    const from = Math.max(lo, this.firstIndex());
    const to = Math.min(hi, this.lastIndex(), from + max - 1);
    if (to < from) return [];
    return this.entries.slice(from - this.snapIndex - 1, to - this.snapIndex);
  }

  /** Appends entries (their index must be ≤ lastIndex + 1); a lower first index truncates the tail. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    if (first <= this.committed) throw new Error(`raft: truncating committed entry ${first} (commit ${this.committed})`);
    if (first > this.lastIndex() + 1) throw new Error(`raft: gap appending ${first} after ${this.lastIndex()}`);
    this.entries.length = first - this.snapIndex - 1;
    for (const e of entries) this.entries.push(e);
    this.unstableFrom = Math.min(this.unstableFrom, first);
  }

  /**
   * Follower append: skips entries already present with the same term, truncates at the first conflict and
   * appends the rest. Returns the last index of the given entries.
   */
  maybeAppend(prevIndex: number, entries: readonly Entry[]): number {
    let i = 0;
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index <= this.snapIndex) continue;
      if (this.term(e.index) !== e.term) break;
    }
    if (i < entries.length) this.append(entries.slice(i));
    return prevIndex + entries.length;
  }

  /**
   * Fast backtracking: the largest index ≤ `index` whose term is ≤ `term` (etcd's findConflictByTerm),
   * never below the snapshot index.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapIndex) {
      const t = this.term(i)!;
      if (t <= term) break;
      i--;
    }
    return i;
  }

  /** Is (lastTerm, lastIndex) at least as up to date as ours (§5.4.1)? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries handed to storage for the first time (or again after a truncation). */
  unstable(): Entry[] {
    return this.slice(this.unstableFrom, this.lastIndex());
  }

  /** Marks everything up to `index` as handed to storage. */
  stableTo(index: number): void {
    if (index >= this.unstableFrom - 1) this.unstableFrom = Math.max(this.unstableFrom, index + 1);
  }

  /** Committed but not applied entries. */
  nextCommitted(): Entry[] {
    return this.slice(this.applied + 1, this.committed);
  }

  /** Drops entries ≤ index (they are covered by a snapshot the caller holds). */
  compact(index: number): void {
    if (index <= this.snapIndex) return;
    if (index > this.applied) throw new Error(`raft: compacting ${index} beyond applied ${this.applied}`);
    const term = this.term(index)!;
    this.entries = this.entries.slice(index - this.snapIndex);
    this.snapIndex = index;
    this.snapTerm = term;
  }

  /** Replaces the whole log with a snapshot's position (InstallSnapshot). */
  restore(index: number, term: number): void {
    this.entries = [];
    this.snapIndex = index;
    this.snapTerm = term;
    this.committed = index;
    this.applied = index;
    this.unstableFrom = index + 1;
  }
}
