import { Raft, bootstrapEntry, type RaftOptions } from '../../../../../plugins/meta-raft/raft/raft.js';
import type { Entry, MemberId, Message, Ready } from '../../../../../plugins/meta-raft/raft/types.js';
import { seededRandom } from './rng.js';
import { SimStorage } from './sim-storage.js';

/** Virtual ms per tick; election timeout T = ELECTION_TICKS ticks. */
export const TICK_MS = 10;
export const ELECTION_TICKS = 10;
export const T_MS = TICK_MS * ELECTION_TICKS;

/** Knobs of the simulated network (all probabilities per message). */
export interface NetConfig {
  drop: number;
  duplicate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CALM: NetConfig = { drop: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 5 };

interface SimEvent {
  at: number;
  seq: number;
  run: () => void;
}

/** A client proposal waiting for its outcome on the node it was proposed to. */
interface Pending {
  readonly cmd: string;
  readonly index: number;
  readonly term: number;
}

/** One simulated member: the Raft core, its stable storage and its applied state machine. */
export class SimNode {
  raft!: Raft;
  alive = true;
  paused = false;
  /** Commands applied by the state machine, in order (rebuilt from the snapshot on restart). */
  applied: string[] = [];
  appliedIndex = 0;
  pending: Pending[] = [];
  reads: { ctx: string; index?: number; done?: (ok: boolean, readIndex: number) => void }[] = [];

  constructor(
    readonly id: MemberId,
    readonly storage: SimStorage,
  ) {}
}

/** Outcomes of client commands, checked at the end of a run. */
export interface History {
  acked: Set<string>;
  failed: Set<string>;
  /** The first entry seen applied at each index, anywhere. */
  appliedAt: Map<number, { term: number; kind: string; data: string }>;
  leaderOfTerm: Map<number, MemberId>;
  /** Virtual times: when each command was proposed, and when it was acknowledged. */
  proposedAt: Map<string, number>;
  ackedAt: Map<string, number>;
  errors: string[];
}

/**
 * A deterministic cluster: virtual clock, seeded randomness, a network that drops, delays (so reorders),
 * duplicates and partitions (directed links, so asymmetric too), and crash-restart that loses un-synced
 * writes. Every event is logged to `trace`, so a failing seed can be replayed and read.
 */
export class SimCluster {
  readonly rand: () => number;
  readonly nodes = new Map<MemberId, SimNode>();
  readonly trace: string[] = [];
  readonly history: History = { acked: new Set(), failed: new Set(), appliedAt: new Map(), leaderOfTerm: new Map(), proposedAt: new Map(), ackedAt: new Map(), errors: [] };
  net: NetConfig = { ...CALM };
  /** Directed links that drop everything: `${from}>${to}`. */
  readonly cut = new Set<string>();
  /** Probability that processing a Ready crashes the node between write and sync (when > 0). */
  crashInReady = 0;
  /** Snapshot every N applied entries (0 = never). */
  snapshotEvery = 0;
  now = 0;
  private seq = 0;
  private queue: SimEvent[] = [];
  private cmdSeq = 0;
  readonly raftOptions: Partial<RaftOptions>;

  constructor(
    readonly seed: number,
    ids: readonly MemberId[],
    raftOptions: Partial<RaftOptions> = {},
  ) {
    this.rand = seededRandom(seed);
    this.raftOptions = raftOptions;
    for (const id of ids) this.addNode(id, true, ids);
  }

  /** Adds a member: bootstrapped with `voters`, or empty (to join via addLearner). */
  addNode(id: MemberId, bootstrap: boolean, voters: readonly MemberId[] = []): SimNode {
    const initial = bootstrap
      ? { hardState: { term: 1, vote: '', commit: 1 }, entries: [bootstrapEntry(voters)] }
      : { hardState: { term: 0, vote: '', commit: 0 }, entries: [] };
    const node = new SimNode(id, new SimStorage(initial));
    this.nodes.set(id, node);
    this.boot(node);
    const phase = Math.floor(this.rand() * TICK_MS);
    this.every(TICK_MS, phase, () => this.tickNode(node));
    return node;
  }

  private boot(node: SimNode): void {
    const state = node.storage.state();
    node.raft = new Raft(
      { id: node.id, electionTicks: ELECTION_TICKS, heartbeatTicks: 2, random: this.rand, ...this.raftOptions },
      state,
    );
    node.applied = state.snapshot ? (JSON.parse(state.snapshot.data) as string[]) : [];
    node.appliedIndex = state.snapshot?.meta.index ?? 0;
    node.pending = [];
    node.reads = [];
  }

  // ---- scheduling ----

  at(time: number, run: () => void): void {
    this.queue.push({ at: time, seq: this.seq++, run });
  }

  after(ms: number, run: () => void): void {
    this.at(this.now + ms, run);
  }

  every(periodMs: number, phaseMs: number, run: () => void): void {
    const loop = (): void => {
      run();
      this.after(periodMs, loop);
    };
    this.at(this.now + phaseMs, loop);
  }

  /** Runs events until virtual time `until` (ms). Throws on the first invariant violation. */
  runUntil(until: number): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i]!;
        if (best < 0 || e.at < this.queue[best]!.at || (e.at === this.queue[best]!.at && e.seq < this.queue[best]!.seq)) best = i;
      }
      if (best < 0 || this.queue[best]!.at > until) break;
      const e = this.queue.splice(best, 1)[0]!;
      this.now = e.at;
      e.run();
      if (this.history.errors.length > 0) throw new Error(this.failure(this.history.errors[0]!));
    }
    this.now = until;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** A readable failure: the seed, the error and the tail of the trace. */
  failure(msg: string): string {
    return `seed ${this.seed}: ${msg}\n--- trace (last 60 events) ---\n${this.trace.slice(-60).join('\n')}`;
  }

  log(line: string): void {
    this.trace.push(`${String(this.now).padStart(7)} ${line}`);
    if (this.trace.length > 5000) this.trace.splice(0, 1000);
  }

  // ---- nodes ----

  private tickNode(node: SimNode): void {
    if (!node.alive || node.paused) return;
    node.raft.tick();
    this.process(node);
  }

  deliver(m: Message): void {
    const node = this.nodes.get(m.to);
    if (!node || !node.alive || node.paused) return;
    node.raft.step(m);
    this.process(node);
  }

  /** Sends through the simulated network. */
  private send(m: Message): void {
    if (this.cut.has(`${m.from}>${m.to}`) || this.rand() < this.net.drop) return;
    const copies = this.rand() < this.net.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.net.minDelayMs + Math.floor(this.rand() * (this.net.maxDelayMs - this.net.minDelayMs + 1));
      this.after(delay, () => this.deliver(m));
    }
  }

  /** Handles every Ready of `node` in Raft's order: write, sync, then send, install, apply, advance. */
  process(node: SimNode): void {
    while (node.alive && node.raft.hasReady()) {
      const rd = node.raft.ready();
      node.storage.write(rd.hardState, rd.entries, rd.snapshot);
      if (this.crashInReady > 0 && this.rand() < this.crashInReady) {
        this.log(`${node.id} CRASH before sync`);
        this.crash(node);
        return;
      }
      node.storage.sync();
      this.observe(node, rd);
      for (const m of rd.messages) this.send(m);
      if (rd.snapshot) {
        node.applied = JSON.parse(rd.snapshot.data) as string[];
        node.appliedIndex = rd.snapshot.meta.index;
      }
      for (const e of rd.committed) this.apply(node, e);
      for (const r of rd.readStates) this.readDone(node, r.ctx, r.index);
      for (const ctx of rd.droppedReads) this.readFailed(node, ctx);
      node.raft.advance(rd);
      if (rd.softChanged && rd.soft.role !== 'leader') this.failPending(node, 'not leader');
      if (this.snapshotEvery > 0 && node.appliedIndex - (node.raft.currentSnapshot()?.meta.index ?? 0) >= this.snapshotEvery) {
        const snapIndex = node.raft.log.applied;
        node.raft.compact(snapIndex, JSON.stringify(node.applied), 2);
        node.storage.installSnapshot(node.raft.currentSnapshot()!);
      }
    }
  }

  private observe(node: SimNode, rd: Ready): void {
    if (!rd.softChanged) return;
    this.log(`${node.id} ${rd.soft.role} term=${rd.soft.term} leader=${rd.soft.leader || '-'}`);
    if (rd.soft.role === 'leader') {
      const prev = this.history.leaderOfTerm.get(rd.soft.term);
      if (prev !== undefined && prev !== node.id) this.history.errors.push(`two leaders in term ${rd.soft.term}: ${prev} and ${node.id}`);
      this.history.leaderOfTerm.set(rd.soft.term, node.id);
    }
  }

  private apply(node: SimNode, e: Entry): void {
    if (e.index !== node.appliedIndex + 1) this.history.errors.push(`${node.id} applied ${e.index} after ${node.appliedIndex}`);
    node.appliedIndex = e.index;
    const seen = this.history.appliedAt.get(e.index);
    if (seen === undefined) this.history.appliedAt.set(e.index, { term: e.term, kind: e.kind, data: e.data });
    else if (seen.term !== e.term || seen.data !== e.data) {
      this.history.errors.push(`${node.id} applied ${e.kind}@${e.index} term ${e.term} but ${seen.kind}@${e.index} term ${seen.term} was applied before`);
    }
    if (e.kind === 'cmd') node.applied.push(e.data);
    const still: Pending[] = [];
    for (const p of node.pending) {
      if (p.index !== e.index) still.push(p);
      else if (p.term === e.term) {
        this.history.acked.add(p.cmd);
        this.history.ackedAt.set(p.cmd, this.now);
      }
      else this.history.failed.add(p.cmd);
    }
    node.pending = still;
  }

  private failPending(node: SimNode, why: string): void {
    for (const p of node.pending) this.log(`${node.id} proposal ${p.cmd} outcome unknown (${why})`);
    node.pending = [];
  }

  // ---- clients ----

  /** Proposes a fresh command on `node`; returns it, or undefined when refused. */
  propose(node: SimNode): string | undefined {
    if (!node.alive || node.paused) return undefined;
    const cmd = `c${++this.cmdSeq}`;
    const out = node.raft.propose(cmd);
    if (!out.ok) return undefined;
    this.log(`${node.id} propose ${cmd} @${out.index}/${out.term}`);
    this.history.proposedAt.set(cmd, this.now);
    node.pending.push({ cmd, index: out.index, term: out.term });
    this.process(node);
    return cmd;
  }

  /** ReadIndex on `node`; `done(ok, index)` is called when answered. */
  read(node: SimNode, done: (ok: boolean, readIndex: number) => void): void {
    const ctx = `r${++this.cmdSeq}`;
    if (!node.raft.readIndex(ctx)) {
      done(false, 0);
      return;
    }
    node.reads.push({ ctx, done });
    this.process(node);
  }

  private readDone(node: SimNode, ctx: string, index: number): void {
    const r = node.reads.find((x) => x.ctx === ctx);
    node.reads = node.reads.filter((x) => x.ctx !== ctx);
    r?.done?.(true, index);
  }

  private readFailed(node: SimNode, ctx: string): void {
    const r = node.reads.find((x) => x.ctx === ctx);
    node.reads = node.reads.filter((x) => x.ctx !== ctx);
    r?.done?.(false, 0);
  }

  // ---- faults ----

  crash(node: SimNode): void {
    node.alive = false;
    node.storage.crash();
    this.failPending(node, 'crash');
    for (const r of node.reads) r.done?.(false, 0);
    node.reads = [];
  }

  restart(node: SimNode): void {
    this.log(`${node.id} RESTART`);
    this.boot(node);
    node.alive = true;
  }

  /** Cuts both directions between the two groups. */
  partition(a: readonly MemberId[], b: readonly MemberId[]): void {
    for (const x of a) for (const y of b) {
      this.cut.add(`${x}>${y}`);
      this.cut.add(`${y}>${x}`);
    }
    this.log(`PARTITION ${a.join(',')} | ${b.join(',')}`);
  }

  isolate(id: MemberId): void {
    this.partition([id], [...this.nodes.keys()].filter((x) => x !== id));
  }

  heal(): void {
    this.cut.clear();
    this.net = { ...CALM };
    this.log('HEAL');
  }

  // ---- views ----

  leaders(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive && n.raft.role === 'leader');
  }

  /** The unique live leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.leaders()) if (!best || n.raft.term > best.raft.term) best = n;
    return best;
  }

  /** Runs until some node leads (up to `maxMs`); returns it or undefined. */
  awaitLeader(maxMs: number): SimNode | undefined {
    const end = this.now + maxMs;
    while (this.now < end) {
      this.runFor(TICK_MS);
      const l = this.leader();
      if (l && this.stableLeader(l)) return l;
    }
    return undefined;
  }

  /** True when `l` leads and every live voter that hears it agrees on it. */
  private stableLeader(l: SimNode): boolean {
    return [...this.nodes.values()].every((n) => !n.alive || n === l || !l.raft.isVoter(n.id) || n.raft.leader === l.id || this.cut.size > 0);
  }

  /**
   * End-of-run checks: every live node applied a prefix of one sequence; every acknowledged command is
   * applied exactly once on every up-to-date node; no command is applied twice.
   */
  checkHistory(): string[] {
    const errors = [...this.history.errors];
    const live = [...this.nodes.values()].filter((n) => n.alive);
    const longest = live.reduce<SimNode | undefined>((a, n) => (!a || n.applied.length > a.applied.length ? n : a), undefined);
    if (!longest) return errors;
    const seq = longest.applied;
    const seen = new Set<string>();
    for (const c of seq) {
      if (seen.has(c)) errors.push(`command ${c} applied twice on ${longest.id}`);
      seen.add(c);
    }
    for (const n of live) {
      for (let i = 0; i < n.applied.length; i++) {
        if (n.applied[i] !== seq[i]) {
          errors.push(`${n.id} applied ${n.applied[i]} at position ${i}, ${longest.id} applied ${seq[i]}`);
          break;
        }
      }
    }
    // Log matching: where two logs hold an entry with the same index and term, they agree up to there.
    const nodes = [...this.nodes.values()];
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!.raft.log;
        const b = nodes[j]!.raft.log;
        const lo = Math.max(a.firstIndex(), b.firstIndex());
        let top = Math.min(a.lastIndex(), b.lastIndex());
        while (top >= lo && a.term(top) !== b.term(top)) top--;
        for (let k = lo; k <= top; k++) {
          const x = a.slice(k, k)[0]!;
          const y = b.slice(k, k)[0]!;
          if (x.term !== y.term || x.data !== y.data) {
            errors.push(`log matching: ${nodes[i]!.id} and ${nodes[j]!.id} agree at ${top} but differ at ${k}`);
            break;
          }
        }
      }
    // Linearizability of the append-only history: a command acknowledged before another was proposed
    // comes first in the log.
    const position = new Map(seq.map((c, i) => [c, i]));
    const acked = [...this.history.ackedAt].sort((a, b) => a[1] - b[1]);
    const proposed = [...this.history.proposedAt].filter(([c]) => position.has(c)).sort((a, b) => a[1] - b[1]);
    let maxPos = -1;
    let k = 0;
    for (const [c, at] of proposed) {
      while (k < acked.length && acked[k]![1] < at) maxPos = Math.max(maxPos, position.get(acked[k++]![0]) ?? -1);
      if (position.get(c)! < maxPos) {
        errors.push(`real-time order: ${c} (proposed at ${at}) precedes a command acknowledged before it was proposed`);
        break;
      }
    }
    for (const c of this.history.acked) if (!seen.has(c)) errors.push(`acknowledged command ${c} is not applied on ${longest.id}`);
    for (const c of this.history.failed) if (seen.has(c)) errors.push(`command ${c} reported failed but applied`);
    return errors;
  }
}
