import type { MemberId } from '../../../../../plugins/meta-raft/raft/types.js';
import { CALM, SimCluster, T_MS, type SimNode } from './sim-cluster.js';

/** What one randomized nemesis run found. */
export interface NemesisResult {
  readonly seed: number;
  readonly errors: string[];
  readonly acked: number;
  readonly reads: number;
  /** Virtual ms from the final heal to a stable leader. */
  readonly recoveryMs: number;
  readonly trace: string[];
  /** The cluster at the end (for debugging a seed). */
  readonly sim: SimCluster;
}

/** Options of a nemesis run. */
export interface NemesisOptions {
  /** Virtual ms of faults before the final heal (default 40 T). */
  readonly chaosMs?: number;
}

/**
 * A randomized nemesis over 3 or 5 members: split halves, isolate the leader, bridges, one-way cuts,
 * 20% loss, delays up to 5T, duplicates (so reordering), pauses, crashes (some losing un-synced writes)
 * and restarts, and snapshots; a workload of proposals and ReadIndex reads on random members. Checks:
 * at most one leader per term (after every event), the same entry at each index on every member,
 * every acknowledged command applied exactly once in one order, real-time order of acknowledged writes
 * (linearizability of the append-only history), reads never miss an acknowledged write,
 * and a single stable leader within 10 T of the final heal.
 */
export function runNemesis(seed: number, options: NemesisOptions = {}): NemesisResult {
  const chaosMs = options.chaosMs ?? 40 * T_MS;
  const size = seed % 2 === 0 ? 3 : 5;
  const ids: MemberId[] = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const sim = new SimCluster(seed, ids);
  const r = sim.rand;
  sim.snapshotEvery = r() < 0.5 ? 5 + Math.floor(r() * 20) : 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const nodes = [...sim.nodes.values()];
  const ackIndex = new Map<string, number>();
  let maxAcked = 0;
  let reads = 0;
  const errors: string[] = [];

  // Workload: a proposal or a read every ~15 virtual ms, mostly on the leader.
  const clientOp = (): void => {
    const target = r() < 0.8 ? (sim.leader() ?? pick(nodes)) : pick(nodes);
    if (r() < 0.8) {
      sim.propose(target);
    } else {
      const floor = maxAcked;
      sim.read(target, (ok, index) => {
        if (!ok) return;
        reads++;
        if (index < floor) errors.push(`seed ${seed}: read on ${target.id} at index ${index} misses a write acknowledged at ${floor}`);
      });
    }
  };
  const trackAcks = (): void => {
    for (const c of sim.history.acked) {
      if (ackIndex.has(c)) continue;
      for (const [i, e] of sim.history.appliedAt) {
        if (e.data === c) {
          ackIndex.set(c, i);
          maxAcked = Math.max(maxAcked, i);
          break;
        }
      }
    }
  };
  const end = chaosMs;
  sim.every(15, 5, () => {
    if (sim.now < end + 5 * T_MS) clientOp();
    trackAcks();
  });

  // Faults.
  const faults: (() => void)[] = [
    () => {
      const shuffled = [...ids].sort(() => r() - 0.5);
      const k = 1 + Math.floor(r() * Math.floor(size / 2));
      sim.partition(shuffled.slice(0, k), shuffled.slice(k));
    },
    () => {
      const l = sim.leader();
      if (l) sim.isolate(l.id);
    },
    () => {
      // Bridge: two sides that only talk through one member.
      const s = [...ids].sort(() => r() - 0.5);
      const mid = s[0]!;
      const half = Math.ceil((size - 1) / 2);
      sim.partition(s.slice(1, 1 + half), s.slice(1 + half));
      sim.log(`BRIDGE through ${mid}`);
    },
    () => {
      const a = pick(ids);
      const b = pick(ids.filter((x) => x !== a));
      sim.cut.add(`${a}>${b}`);
      sim.log(`CUT ${a}>${b} (one way)`);
    },
    () => {
      sim.net = { ...sim.net, drop: 0.2 };
      sim.log('DROP 20%');
    },
    () => {
      sim.net = { ...sim.net, maxDelayMs: Math.floor(r() * 5 * T_MS) + 5 };
      sim.log(`DELAY up to ${sim.net.maxDelayMs}ms`);
    },
    () => {
      sim.net = { ...sim.net, duplicate: 0.2 };
      sim.log('DUPLICATE 20%');
    },
    () => {
      const n = pick(nodes);
      if (!n.alive) return;
      n.paused = true;
      sim.log(`PAUSE ${n.id}`);
      sim.after(Math.floor(r() * 3 * T_MS), () => {
        n.paused = false;
        sim.log(`RESUME ${n.id}`);
      });
    },
    () => {
      const n = pick(nodes);
      if (!n.alive) return;
      sim.log(`KILL ${n.id}`);
      sim.crash(n);
      sim.after(Math.floor(r() * 5 * T_MS), () => restartIfDown(n));
    },
    () => {
      sim.crashInReady = 0.01;
      sim.log('TORN WRITES on');
      sim.after(2 * T_MS, () => {
        sim.crashInReady = 0;
        for (const n of nodes) sim.after(Math.floor(r() * T_MS), () => restartIfDown(n));
      });
    },
    () => sim.heal(),
    () => {
      // Membership: one single-server change on the leader (refusals are expected and fine).
      const l = sim.leader();
      if (!l) return;
      const { voters, learners } = l.raft.conf;
      let out;
      if (learners.length > 0 && r() < 0.7) out = l.raft.proposeConfChange({ op: 'promote', id: pick(learners) });
      else if (voters.length > 3 && r() < 0.5) out = l.raft.proposeConfChange({ op: 'remove', id: pick(voters) });
      else {
        const id = `n${sim.nodes.size + 1}`;
        out = l.raft.proposeConfChange({ op: 'addLearner', id });
        if (out.ok) {
          nodes.push(sim.addNode(id, false));
          ids.push(id);
        }
      }
      sim.log(`CONF on ${l.id}: ${JSON.stringify(out)}`);
      sim.process(l);
    },
  ];
  const restartIfDown = (n: SimNode): void => {
    if (!n.alive) sim.restart(n);
  };
  sim.every(2 * T_MS, T_MS, () => {
    if (sim.now >= end) return;
    pick(faults)();
  });

  let recoveryMs = -1;
  try {
    sim.runUntil(end);
    sim.heal();
    sim.crashInReady = 0;
    for (const n of nodes) {
      n.paused = false;
      restartIfDown(n);
    }
    sim.net = { ...CALM };
    const healedAt = sim.now;
    const leader = sim.awaitLeader(10 * T_MS);
    if (!leader) errors.push(`seed ${seed}: no stable leader within 10 T of the final heal`);
    else recoveryMs = sim.now - healedAt;
    // Let everything replicate; then the term must stay put.
    sim.runFor(10 * T_MS);
    const term = sim.leader()?.raft.term;
    sim.runFor(5 * T_MS);
    if (sim.leader()?.raft.term !== term) errors.push(`seed ${seed}: term still changing after the heal`);
    trackAcks();
    errors.push(...sim.checkHistory().map((e) => `seed ${seed}: ${e}`));
    for (const n of nodes) {
      if (n.alive && n.reads.length > 0) errors.push(`seed ${seed}: ${n.id} still has ${n.reads.length} unanswered reads after healing`);
    }
    const commit = Math.max(...nodes.map((n) => n.raft.log.committed));
    const final = sim.leader()?.raft.conf;
    for (const n of nodes) {
      // Members removed along the way may stop hearing from the cluster: only members must be current.
      if (final && !final.voters.includes(n.id) && !final.learners.includes(n.id)) continue;
      if (n.appliedIndex !== commit) errors.push(`seed ${seed}: ${n.id} applied ${n.appliedIndex} of ${commit} after healing`);
    }
  } catch (err) {
    errors.push((err as Error).message);
  }
  return { seed, errors, acked: sim.history.acked.size, reads, recoveryMs, trace: sim.trace, sim };
}
