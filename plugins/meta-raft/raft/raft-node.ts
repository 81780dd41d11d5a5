import { TesseraError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { Raft, bootstrapEntry, type ProposeRefusal } from './raft.js';
import { RaftStorage } from './raft-storage.js';
import type { ConfChange, ConfState, Entry, MemberId, Message, Ready, Role } from './types.js';

/** The replicated state machine the node drives. */
export interface RaftStateMachine {
  /** Applies one committed entry (cmd/conf/noop) in log order; returns the command's outcome. */
  apply(entry: Entry): { result?: unknown; error?: unknown };
  /** The applied state as a string (for a snapshot). */
  snapshot(): string;
  /** Replaces the state with a snapshot's. */
  restore(data: string, index: number): void;
}

/** Sends messages to members (fire and forget: Raft tolerates loss). */
export type RaftSend = (messages: readonly Message[]) => void;

/** Options of a RaftNode. */
export interface RaftNodeOptions {
  readonly id: MemberId;
  /** Directory of the Raft files. */
  readonly dir: string;
  readonly logger: Logger;
  readonly stateMachine: RaftStateMachine;
  readonly send: RaftSend;
  /** The initial voters when the directory is empty (a new cluster); undefined = join (start with none). */
  readonly bootstrap?: readonly MemberId[];
  /** ms per tick (default 50); election timeout = electionTicks × tickMs (default 10), heartbeat 2 ticks. */
  readonly tickMs?: number;
  readonly electionTicks?: number;
  /** Applied entries between snapshots (default 1000). */
  readonly snapshotEvery?: number;
  /** Entries kept in memory before a snapshot's index, for slightly lagging followers (default 100). */
  readonly trailingEntries?: number;
  readonly random?: () => number;
  /**
   * Forced recovery: make this node the only voter (a committed conf entry appended locally). Only for
   * an explicit operator action, or a cluster of one whose sole member changed its address.
   */
  readonly forceSoleVoter?: boolean;
  /** With `bootstrap`, on an empty directory: start from this state-machine snapshot (a migration). */
  readonly initialSnapshotData?: string;
}

/** Where a proposal landed in the log. */
export interface EntryId {
  readonly index: number;
  readonly term: number;
}

interface PendingProposal {
  readonly index: number;
  readonly term: number;
  readonly resolve: (v: EntryId) => void;
  readonly reject: (e: unknown) => void;
}

type Op = (raft: Raft) => void;

/** What callers may watch. */
export interface RaftStatus {
  readonly id: MemberId;
  readonly role: Role;
  readonly leader: MemberId;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  readonly conf: ConfState;
  /** Leader only: each member's match index. */
  readonly progress: ReadonlyMap<MemberId, { match: number; state: string }>;
}

/**
 * The async driver around the pure core: one loop that feeds ticks, inbound messages and local requests
 * to Raft, then handles each Ready in the order Raft requires: persist (fsync) snapshot, entries and hard
 * state; only then send messages; then install the snapshot and apply committed entries; then advance.
 * Proposals resolve with the state machine's outcome when their entry is applied at the index and term
 * it was appended with; they fail with ERR_META_LEADERSHIP_LOST when this node stops leading first
 * (never a false success) and with ERR_META_NOT_LEADER when refused outright.
 */
export class RaftNode {
  readonly id: MemberId;
  private raft!: Raft;
  private storage!: RaftStorage;
  private readonly opts: RaftNodeOptions;
  private inbox: Message[] = [];
  private ops: Op[] = [];
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private stopped = false;
  private pending: PendingProposal[] = [];
  private reads = new Map<string, { resolve: (i: number) => void; reject: (e: unknown) => void }>();
  private readWaiters: { index: number; resolve: () => void }[] = [];
  private readSeq = 0;
  private applied = 0;
  private sinceSnapshot = 0;
  private readonly recent = new Map<number, { term: number; out: { result?: unknown; error?: unknown } }>();
  private outcomeWaiters: { index: number; term: number; resolve: (o: { result?: unknown; error?: unknown }) => void }[] = [];
  private readonly statusListeners = new Set<(s: RaftStatus) => void>();

  constructor(options: RaftNodeOptions) {
    this.id = options.id;
    this.opts = options;
  }

  /** Loads the stored state (or bootstraps), restores the state machine and starts the loop. */
  async start(): Promise<void> {
    const { storage, state } = await RaftStorage.open(this.opts.dir, this.opts.logger);
    this.storage = storage;
    let initial = state;
    if (initial === undefined) {
      const boot = this.opts.bootstrap;
      if (boot !== undefined && this.opts.initialSnapshotData !== undefined) {
        const voters = [...new Set(boot)].sort();
        const snapshot = { meta: { index: 1, term: 1, conf: { voters, learners: [] } }, data: this.opts.initialSnapshotData };
        initial = { hardState: { term: 1, vote: '', commit: 1 }, snapshot, entries: [] };
        await storage.save(initial.hardState, [], snapshot);
      } else {
        initial =
          boot !== undefined
            ? { hardState: { term: 1, vote: '', commit: 1 }, entries: [bootstrapEntry(boot)] }
            : { hardState: { term: 0, vote: '', commit: 0 }, entries: [] };
        await storage.save(initial.hardState, initial.entries);
      }
    }
    const options = {
      id: this.id,
      electionTicks: this.opts.electionTicks ?? 10,
      heartbeatTicks: 2,
      random: this.opts.random ?? Math.random,
    };
    this.raft = new Raft(options, initial);
    const conf = this.raft.conf;
    if (this.opts.forceSoleVoter && !(conf.voters.length === 1 && conf.voters[0] === this.id && conf.learners.length === 0)) {
      // Everything this node holds becomes committed, then a conf entry names it the only voter.
      const last = this.raft.log.lastIndex();
      const term = Math.max(1, initial.hardState.term);
      const entry: Entry = { term, index: last + 1, kind: 'conf', data: JSON.stringify({ op: 'bootstrap', voters: [this.id] } satisfies ConfChange) };
      const hardState = { term, vote: '', commit: last + 1 };
      await storage.save(hardState, [entry]);
      this.opts.logger.warn({ id: this.id, previous: conf }, 'forced recovery: this node is now the only voter');
      initial = { ...initial, hardState, entries: [...initial.entries, entry] };
      this.raft = new Raft(options, initial);
    }
    if (initial.snapshot !== undefined) {
      this.opts.stateMachine.restore(initial.snapshot.data, initial.snapshot.meta.index);
      this.applied = initial.snapshot.meta.index;
    }
    this.opts.logger.info(
      { id: this.id, term: initial.hardState.term, commit: initial.hardState.commit, entries: initial.entries.length, voters: this.raft.conf.voters },
      'raft node started',
    );
    this.timer = setInterval(() => {
      this.ticks++;
      this.kick();
    }, this.opts.tickMs ?? 50);
    this.loopDone = this.loop();
    // A single-voter cluster elects itself at once instead of after a timeout.
    if (this.raft.conf.voters.length === 1 && this.raft.isVoter()) this.ops.push((r) => r.campaignNow());
    this.kick();
  }

  /** Stops the loop and closes storage; pending requests fail with ERR_SERVICE_STOPPED. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.kick();
    await this.loopDone;
    const err = new TesseraError('ERR_SERVICE_STOPPED', 'raft node stopped');
    this.failPending(err);
    for (const r of this.reads.values()) r.reject(err);
    this.reads.clear();
    await this.storage?.close();
  }

  /** Feeds a message from another member. */
  receive(m: Message): void {
    if (this.stopped) return;
    this.inbox.push(m);
    this.kick();
  }

  /**
   * Proposes a command; resolves with its position once it is applied here (its state-machine outcome is
   * then `outcome(index, term)`).
   */
  propose(data: string): Promise<EntryId> {
    return this.submit((r) => r.propose(data));
  }

  /** Proposes a membership change; resolves once applied here. */
  proposeConfChange(cc: ConfChange): Promise<EntryId> {
    return this.submit((r) => r.proposeConfChange(cc));
  }

  /**
   * The state machine's outcome for the entry at `index` (appended in `term`), once applied here. An entry
   * applied long ago (no longer remembered) resolves with no result.
   */
  outcome(index: number, term: number): Promise<{ result?: unknown; error?: unknown }> {
    if (index <= this.applied) {
      const rec = this.recent.get(index);
      if (rec === undefined) return Promise.resolve({});
      if (rec.term !== term) return Promise.resolve({ error: new TesseraError('ERR_META_PROPOSAL_DROPPED', 'the command was overwritten; not committed') });
      return Promise.resolve(rec.out);
    }
    return new Promise((resolve) => this.outcomeWaiters.push({ index, term, resolve }));
  }

  private submit(call: (r: Raft) => ReturnType<Raft['propose']>): Promise<EntryId> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new TesseraError('ERR_SERVICE_STOPPED', 'raft node stopped'));
      this.ops.push((r) => {
        const out = call(r);
        if (out.ok) this.pending.push({ index: out.index, term: out.term, resolve, reject });
        else reject(refusal(out.reason, out.leader));
      });
      this.kick();
    });
  }

  /** Starts a leadership transfer (leader only). */
  transferLeader(target: MemberId): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ops.push((r) => {
        const out = r.transferLeader(target);
        if (out.ok) resolve();
        else reject(refusal(out.reason, r.leader));
      });
      this.kick();
    });
  }

  /** ReadIndex on this node (leader only): resolves with the read index once a quorum confirmed it. */
  readIndex(): Promise<number> {
    return new Promise((resolve, reject) => {
      const ctx = `${this.id}/${++this.readSeq}`;
      this.ops.push((r) => {
        if (r.readIndex(ctx)) this.reads.set(ctx, { resolve, reject });
        else reject(refusal('not-leader', r.leader));
      });
      this.kick();
    });
  }

  /** Resolves once this node has applied `index`. */
  waitApplied(index: number): Promise<void> {
    if (this.applied >= index) return Promise.resolve();
    return new Promise((resolve) => this.readWaiters.push({ index, resolve }));
  }

  status(): RaftStatus {
    const r = this.raft;
    return {
      id: this.id,
      role: r.role,
      leader: r.leader,
      term: r.term,
      commit: r.log.committed,
      applied: this.applied,
      conf: r.conf,
      progress: r.progressView(),
    };
  }

  /** Called after every Ready that changed the role, leader or term, or applied a conf entry. */
  onStatus(listener: (s: RaftStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.ticks === 0 && this.inbox.length === 0 && this.ops.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const r = this.raft;
      for (; this.ticks > 0; this.ticks--) r.tick();
      const inbox = this.inbox;
      this.inbox = [];
      for (const m of inbox) r.step(m);
      const ops = this.ops;
      this.ops = [];
      for (const op of ops) op(r);
      try {
        while (r.hasReady() && !this.stopped) await this.handle(r.ready());
      } catch (err) {
        // Storage failed: we can no longer promise durability. Stop serving rather than lie.
        this.opts.logger.error({ err }, 'raft storage failed; stopping the raft node');
        this.stopped = true;
        if (this.timer) clearInterval(this.timer);
        this.failPending(err);
      }
    }
  }

  private async handle(rd: Ready): Promise<void> {
    const r = this.raft;
    await this.storage.save(rd.hardState, rd.entries, rd.snapshot);
    if (rd.messages.length > 0) {
      try {
        this.opts.send(rd.messages);
      } catch (err) {
        // Lost messages are Raft's normal weather; a sender bug must not stop the node.
        this.opts.logger.warn({ err }, 'raft send failed; messages dropped');
      }
    }
    let confApplied = false;
    if (rd.snapshot !== undefined) {
      this.opts.stateMachine.restore(rd.snapshot.data, rd.snapshot.meta.index);
      this.applied = rd.snapshot.meta.index;
      this.snapshotsInstalled++;
      this.failPending(new TesseraError('ERR_META_LEADERSHIP_LOST', 'log replaced by a snapshot; outcome unknown'), rd.snapshot.meta.index);
      const upTo = rd.snapshot.meta.index;
      this.outcomeWaiters = this.outcomeWaiters.filter((w) => (w.index <= upTo ? (w.resolve({}), false) : true));
      confApplied = true;
    }
    for (const e of rd.committed) {
      const out = this.opts.stateMachine.apply(e);
      this.applied = e.index;
      this.sinceSnapshot++;
      if (e.kind === 'conf') confApplied = true;
      this.settle(e, out);
    }
    for (const rs of rd.readStates) {
      const w = this.reads.get(rs.ctx);
      this.reads.delete(rs.ctx);
      w?.resolve(rs.index);
    }
    for (const ctx of rd.droppedReads) {
      const w = this.reads.get(ctx);
      this.reads.delete(ctx);
      w?.reject(new TesseraError('ERR_META_LEADERSHIP_LOST', 'leadership lost before the read was confirmed'));
    }
    r.advance(rd);
    if (rd.softChanged && rd.soft.role !== 'leader') {
      this.failPending(new TesseraError('ERR_META_LEADERSHIP_LOST', `${this.id} is no longer the leader; the command's outcome is unknown`));
    }
    this.readWaiters = this.readWaiters.filter((w) => (w.index <= this.applied ? (w.resolve(), false) : true));
    if (this.sinceSnapshot >= (this.opts.snapshotEvery ?? 1000)) await this.snapshotNow();
    if (rd.softChanged) this.opts.logger.info({ id: this.id, role: rd.soft.role, term: rd.soft.term, leader: rd.soft.leader }, 'raft role changed');
    if (rd.softChanged || confApplied) {
      const s = this.status();
      for (const l of this.statusListeners) l(s);
    }
  }

  private settle(e: Entry, out: { result?: unknown; error?: unknown }): void {
    const still: PendingProposal[] = [];
    for (const p of this.pending) {
      if (p.index !== e.index) still.push(p);
      else if (p.term !== e.term) p.reject(new TesseraError('ERR_META_PROPOSAL_DROPPED', 'the command was overwritten by another leader; not committed'));
      else p.resolve({ index: e.index, term: e.term });
    }
    this.pending = still;
    this.recent.set(e.index, { term: e.term, out });
    this.recent.delete(e.index - 5000);
    if (this.outcomeWaiters.length > 0) {
      this.outcomeWaiters = this.outcomeWaiters.filter((w) => {
        if (w.index > e.index) return true;
        void this.outcome(w.index, w.term).then(w.resolve);
        return false;
      });
    }
  }

  private failPending(err: unknown, upTo = Infinity): void {
    const keep: PendingProposal[] = [];
    for (const p of this.pending) (p.index <= upTo ? p.reject(err) : keep.push(p));
    this.pending = keep;
  }

  /** Snapshots sent or installed (for tests and metrics). */
  snapshotsInstalled = 0;

  /** Takes a snapshot at the applied index, stores it and compacts the log (keeping a short tail). */
  async snapshotNow(): Promise<void> {
    const r = this.raft;
    const index = this.applied;
    if (index <= (r.currentSnapshot()?.meta.index ?? 0)) return;
    r.compact(index, this.opts.stateMachine.snapshot(), this.opts.trailingEntries ?? 100);
    const snap = r.currentSnapshot()!;
    await this.storage.compact(snap, r.log.slice(index + 1, r.log.lastIndex()));
    this.sinceSnapshot = 0;
  }
}

function refusal(reason: ProposeRefusal, leader: MemberId): TesseraError {
  switch (reason) {
    case 'not-leader':
      return Object.assign(new TesseraError('ERR_META_NOT_LEADER', leader === '' ? 'no meta leader is known' : `not the meta leader (leader: ${leader})`), {
        leader,
      });
    case 'transferring':
      return new TesseraError('ERR_META_NOT_LEADER', 'leadership transfer in progress');
    case 'overloaded':
      return new TesseraError('ERR_META_PROPOSAL_DROPPED', 'too many uncommitted meta commands; try again later');
    default:
      return new TesseraError('ERR_META_CONF_CHANGE_REFUSED', `membership change refused: ${reason}`);
  }
}
