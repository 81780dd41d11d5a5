import { Raft, bootstrapEntry } from '../../../../../plugins/meta-raft/raft/raft.js';
import type { MemberId, Message } from '../../../../../plugins/meta-raft/raft/types.js';
import type { RaftInitialState } from '../../../../../plugins/meta-raft/raft/raft.js';
import type { SimStorage } from './sim-storage.js';

/** n1..nN. */
export function ids(n: number): MemberId[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/** The state of an initial member of a new cluster. */
export function bootstrapped(voters: readonly MemberId[]): RaftInitialState {
  return { hardState: { term: 1, vote: '', commit: 1 }, entries: [bootstrapEntry(voters)] };
}

/** A fresh bootstrapped core with a fixed timeout (random = 0 → exactly T ticks). */
export function raftOf(id: MemberId, voters: readonly MemberId[], random: () => number = () => 0): Raft {
  const r = new Raft({ id, electionTicks: 10, heartbeatTicks: 2, random }, bootstrapped(voters));
  r.ready();
  r.advance(r.ready());
  return r;
}

/** Steps one message and runs the Ready cycle (persisting to `storage` if given); returns the messages out. */
export function step(r: Raft, m: Message, storage?: SimStorage): Message[] {
  r.step(m);
  return drain(r, storage);
}

/** Runs Ready cycles until quiet; returns every message sent. */
export function drain(r: Raft, storage?: SimStorage): Message[] {
  const out: Message[] = [];
  while (r.hasReady()) {
    const rd = r.ready();
    if (storage) {
      storage.write(rd.hardState, rd.entries, rd.snapshot);
      storage.sync();
    }
    out.push(...rd.messages);
    r.advance(rd);
  }
  return out;
}
