import type { Entry, HardState, Snapshot } from '../../../../../plugins/meta-raft/raft/types.js';
import type { RaftInitialState } from '../../../../../plugins/meta-raft/raft/raft.js';

/**
 * Stable storage for a simulated node: `write` buffers, `sync` makes the buffer durable, `crash` loses
 * whatever was written but not synced (a power cut).
 */
export class SimStorage {
  private durable: { hardState: HardState; snapshot?: Snapshot; entries: Entry[] };
  private buffer: { hardState?: HardState; snapshot?: Snapshot; entries: Entry[] } = { entries: [] };

  constructor(initial: RaftInitialState) {
    this.durable = { hardState: initial.hardState, ...(initial.snapshot ? { snapshot: initial.snapshot } : {}), entries: [...initial.entries] };
  }

  write(hardState: HardState | undefined, entries: readonly Entry[], snapshot: Snapshot | undefined): void {
    if (snapshot) this.buffer.snapshot = snapshot;
    if (hardState) this.buffer.hardState = hardState;
    this.buffer.entries.push(...entries);
  }

  sync(): void {
    const b = this.buffer;
    this.buffer = { entries: [] };
    if (b.snapshot) this.installSnapshot(b.snapshot);
    for (const e of b.entries) {
      const first = this.durable.entries[0]?.index ?? (this.durable.snapshot?.meta.index ?? 0) + 1;
      this.durable.entries.length = Math.max(0, e.index - first);
      this.durable.entries.push(e);
    }
    if (b.hardState) this.durable.hardState = b.hardState;
  }

  /** A snapshot taken by the node itself: durable at once; the log before it is dropped. */
  installSnapshot(snap: Snapshot): void {
    const idx = snap.meta.index;
    const keep = this.durable.entries.filter((e) => e.index > idx);
    const matches = this.durable.entries.some((e) => e.index === idx && e.term === snap.meta.term);
    this.durable.snapshot = snap;
    this.durable.entries = matches ? keep : [];
    if (this.durable.hardState.commit < idx) this.durable.hardState = { ...this.durable.hardState, commit: idx };
  }

  crash(): void {
    this.buffer = { entries: [] };
  }

  state(): RaftInitialState {
    return {
      hardState: this.durable.hardState,
      ...(this.durable.snapshot ? { snapshot: this.durable.snapshot } : {}),
      entries: [...this.durable.entries],
    };
  }
}
