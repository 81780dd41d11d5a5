/**
 * The leader's view of one follower (etcd's Progress): `probe` sends one append at a time until the
 * follower's position is known; `replicate` pipelines appends up to `maxInflight` unacknowledged
 * messages; `snapshot` waits for an InstallSnapshot to land (or to time out and fall back to probe).
 * The inflight cap keeps a slow or dead follower from growing the leader's outbound queue.
 */
export class Progress {
  match = 0;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot' = 'probe';
  /** probe: an append is outstanding. */
  probeSent = false;
  /** replicate: last index of each unacknowledged append. */
  inflight: number[] = [];
  /** snapshot: the index of the snapshot sent, and ticks spent waiting for it. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;

  constructor(next: number, private readonly maxInflight: number) {
    this.next = next;
  }

  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflight.length >= this.maxInflight;
    return true;
  }

  becomeProbe(): void {
    // After a snapshot, continue from the snapshot's index if it is beyond what is known to match.
    const from = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.state = 'probe';
    this.next = from;
    this.probeSent = false;
    this.inflight = [];
    this.pendingSnapshot = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflight = [];
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotTicks = 0;
    this.inflight = [];
  }

  /** An accepted append up to `index`; false when it is stale (moves nothing backwards). */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    this.inflight = this.inflight.filter((i) => i > index);
    return updated;
  }

  /**
   * A rejected append whose prevIndex was `rejected`; `hint` is the leader-side index to probe next.
   * Returns false when the rejection is stale (a duplicate or reordered response).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }
}
