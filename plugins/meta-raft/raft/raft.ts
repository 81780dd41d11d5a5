import { nextConf } from './conf.js';
import { Progress } from './progress.js';
import { RaftLog } from './raft-log.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  EntryKind,
  HardState,
  MemberId,
  Message,
  ReadState,
  Ready,
  Role,
  Snapshot,
  SoftState,
} from './types.js';

/** Options of the Raft core. Time is counted in ticks; randomness is injected (seeded in tests). */
export interface RaftOptions {
  readonly id: MemberId;
  /** Election timeout T in ticks; each timeout is drawn from [T, 2T). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Entries per append message (default 64). */
  readonly maxBatch?: number;
  /** Unacknowledged appends per follower (default 16). */
  readonly maxInflight?: number;
  /** Proposals are refused while this many entries are uncommitted (default 4096): a safety valve. */
  readonly maxUncommitted?: number;
}

/** What storage holds at start: the hard state, the snapshot (if any) and the entries after it. */
export interface RaftInitialState {
  readonly hardState: HardState;
  readonly snapshot?: Snapshot;
  readonly entries: readonly Entry[];
}

/** Why a proposal was refused (nothing was appended). */
export type ProposeRefusal = 'not-leader' | 'transferring' | 'conf-pending' | 'no-own-term-commit' | 'conf-invalid' | 'overloaded';

/** The outcome of a proposal: where the entry went, or why it was refused (with the known leader). */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: ProposeRefusal; readonly leader: MemberId };

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/** Membership helpers, re-exported for callers of the core. */
export { bootstrapEntry, nextConf } from './conf.js';

/**
 * A pure Raft core (etcd/raft's shape): no I/O, no clock, no randomness of its own. Feed it with
 * `step(message)` and `tick()`, ask `hasReady()`/`ready()` for the work to do, do it in the order Ready
 * describes, then `advance(ready)`. Pre-vote, check-quorum (with leader stickiness), batching, fast
 * backtracking, figure-8-safe commitment, a no-op per new leader, learners, single-server membership
 * changes (applied when committed; one at a time; only after the leader committed an entry of its term),
 * leadership transfer, ReadIndex and snapshots are built in.
 */
export class Raft {
  readonly id: MemberId;
  term: number;
  vote: MemberId;
  role: Role = 'follower';
  leader: MemberId = '';
  readonly log: RaftLog;
  conf: ConfState = EMPTY_CONF;

  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly random: () => number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly maxBatch: number;
  private readonly maxInflight: number;
  private readonly maxUncommitted: number;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedTimeout = 0;
  private votes = new Map<MemberId, boolean>();
  private progress = new Map<MemberId, Progress>();
  private pendingConfIndex = 0;
  private leadTransferee: MemberId = '';
  private transferElapsed = 0;
  /** Committed conf states by index (the one at an index is the last at or before it). */
  private confHistory: { index: number; conf: ConfState }[] = [];
  private snapshot: Snapshot | undefined;
  private snapshotToInstall: Snapshot | undefined;
  private reads: { ctx: string; index: number; acks: Set<MemberId> }[] = [];
  private readsWaitingForCommit: string[] = [];

  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private droppedReads: string[] = [];
  private prevHard: HardState;
  private prevSoft: SoftState;

  constructor(options: RaftOptions, initial: RaftInitialState) {
    this.id = options.id;
    this.electionTicks = options.electionTicks;
    this.heartbeatTicks = options.heartbeatTicks;
    this.random = options.random;
    this.preVote = options.preVote ?? true;
    this.checkQuorum = options.checkQuorum ?? true;
    this.maxBatch = options.maxBatch ?? 64;
    this.maxInflight = options.maxInflight ?? 16;
    this.maxUncommitted = options.maxUncommitted ?? 4096;
    const hs = initial.hardState;
    this.term = hs.term;
    this.vote = hs.vote;
    const snap = initial.snapshot;
    this.snapshot = snap;
    this.log = new RaftLog(snap?.meta.index ?? 0, snap?.meta.term ?? 0, initial.entries, hs.commit);
    if (this.log.committed > this.log.lastIndex()) throw new Error(`raft: commit ${hs.commit} beyond last index ${this.log.lastIndex()}`);
    if (snap !== undefined) this.setConf(snap.meta.index, snap.meta.conf);
    this.applyConfEntries(this.log.firstIndex(), this.log.committed);
    this.prevHard = this.hardState();
    this.resetElectionTimer();
    this.prevSoft = this.softState();
  }

  // ---- state views ----

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { role: this.role, leader: this.leader, term: this.term };
  }

  isVoter(id: MemberId = this.id): boolean {
    return this.conf.voters.includes(id);
  }

  /** The membership as of `index` (must be ≥ the snapshot index and ≤ commit). */
  confAt(index: number): ConfState {
    let conf = EMPTY_CONF;
    for (const h of this.confHistory) if (h.index <= index) conf = h.conf;
    return conf;
  }

  /** Match index of each member, as the leader sees it (empty unless leader). */
  progressView(): ReadonlyMap<MemberId, { match: number; state: string }> {
    const out = new Map<MemberId, { match: number; state: string }>();
    for (const [id, pr] of this.progress) out.set(id, { match: pr.match, state: pr.state });
    return out;
  }

  /** The snapshot the core would send (latest compaction or installed one). */
  currentSnapshot(): Snapshot | undefined {
    return this.snapshot;
  }

  transferee(): MemberId {
    return this.leadTransferee;
  }

  // ---- inputs ----

  /** One unit of logical time. */
  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.isVoter() && this.electionElapsed >= this.randomizedTimeout) {
      this.electionElapsed = 0;
      this.campaign(this.preVote ? 'pre' : 'real', false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.leadTransferee !== '' && ++this.transferElapsed >= this.electionTicks) this.abortTransfer();
    for (const [id, pr] of this.progress) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= 2 * this.electionTicks) {
        // The snapshot was lost (connection dropped, follower restarted): start over.
        pr.becomeProbe();
        this.sendAppend(id);
      }
    }
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, '');
        return;
      }
    }
    if (this.role === 'leader' && this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      // Carry the newest pending read: its quorum confirms every earlier one, so a read whose own
      // heartbeats were lost is answered by the next round instead of waiting forever.
      this.bcastHeartbeat(this.reads[this.reads.length - 1]?.ctx);
    }
  }

  /** Starts an election now (tests, operators); a no-op for a non-voter or a leader. */
  campaignNow(): void {
    if (this.role !== 'leader' && this.isVoter()) this.campaign(this.preVote ? 'pre' : 'real', false);
  }

  /** Feeds one message from another member. */
  step(m: Message): void {
    if (m.to !== this.id) return;
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'prevote') && !m.transfer && this.inLease()) {
        return; // leader stickiness: a live leader is known, ignore disruptive candidates
      }
      if (m.type === 'prevote' || (m.type === 'prevoteResp' && !m.reject)) {
        // A pre-vote never changes terms; a granted pre-vote response carries the future term.
      } else {
        const fromLeader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
        this.becomeFollower(m.term, fromLeader ? m.from : '');
      }
    } else if (m.term < this.term) {
      if (m.type === 'app' || m.type === 'heartbeat') {
        // A stale leader (maybe one that can send but not receive) learns the current term.
        this.send({ type: 'appResp', from: this.id, to: m.from, term: this.term, index: 0, reject: false });
      } else if (m.type === 'prevote') {
        this.send({ type: 'prevoteResp', from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'prevote') {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'precandidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /** Appends a command (leader only). */
  propose(data: string): ProposeResult {
    return this.appendAsLeader('cmd', data);
  }

  /** Proposes a single-server membership change (leader only; one at a time; own-term entry committed). */
  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.role !== 'leader') return this.refuse('not-leader');
    if (this.leadTransferee !== '') return this.refuse('transferring');
    if (this.pendingConfIndex > this.log.committed) return this.refuse('conf-pending');
    if (this.log.term(this.log.committed) !== this.term) return this.refuse('no-own-term-commit');
    const { voters, learners } = this.conf;
    const id = cc.op === 'bootstrap' ? '' : cc.id;
    const member = voters.includes(id) || learners.includes(id);
    const valid =
      (cc.op === 'addLearner' && !member) ||
      (cc.op === 'promote' && learners.includes(cc.id)) ||
      (cc.op === 'remove' && member && !(voters.length === 1 && voters[0] === cc.id));
    if (!valid) return this.refuse('conf-invalid');
    const out = this.appendAsLeader('conf', JSON.stringify(cc));
    if (out.ok) this.pendingConfIndex = out.index;
    return out;
  }

  /** Starts a leadership transfer to `target` (a voter other than this leader). */
  transferLeader(target: MemberId): { ok: true } | { ok: false; reason: 'not-leader' | 'conf-invalid' } {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader' };
    if (target === this.id || !this.isVoter(target)) return { ok: false, reason: 'conf-invalid' };
    if (this.leadTransferee === target) return { ok: true };
    this.leadTransferee = target;
    this.transferElapsed = 0;
    const pr = this.progress.get(target)!;
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', from: this.id, to: target, term: this.term });
    else this.sendAppend(target);
    return { ok: true };
  }

  /**
   * Asks for a linearizable read point (leader only; false otherwise). The answer comes in a later Ready's
   * `readStates` once a quorum confirmed this leadership (and this leader committed an entry of its term),
   * or in `droppedReads` if leadership is lost first.
   */
  readIndex(ctx: string): boolean {
    if (this.role !== 'leader') return false;
    if (this.log.term(this.log.committed) !== this.term) {
      this.readsWaitingForCommit.push(ctx);
      return true;
    }
    this.startRead(ctx);
    return true;
  }

  /**
   * Records a snapshot of the applied state at `index` (≤ applied) and drops the log up to it, keeping
   * `keep` entries before it for slightly lagging followers.
   */
  compact(index: number, data: string, keep = 0): void {
    if (index > this.log.applied) throw new Error(`raft: snapshot index ${index} beyond applied ${this.log.applied}`);
    if (index <= (this.snapshot?.meta.index ?? 0)) return;
    this.snapshot = { meta: { index, term: this.log.term(index)!, conf: this.confAt(index) }, data };
    const to = Math.max(this.log.snapIndex, index - keep);
    this.log.compact(to);
    this.confHistory = this.confHistory.filter((h, i, all) => h.index > to || all[i + 1] === undefined || all[i + 1]!.index > to);
  }

  // ---- output ----

  hasReady(): boolean {
    return (
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      this.droppedReads.length > 0 ||
      this.snapshotToInstall !== undefined ||
      this.log.unstableFrom <= this.log.lastIndex() ||
      this.log.committed > this.log.applied ||
      !sameHard(this.prevHard, this.hardState()) ||
      !sameSoft(this.prevSoft, this.softState())
    );
  }

  /** The work to do now (see Ready for the order). Messages and read states are handed out once. */
  ready(): Ready {
    const hs = this.hardState();
    const soft = this.softState();
    const rd: Ready = {
      soft,
      softChanged: !sameSoft(this.prevSoft, soft),
      ...(sameHard(this.prevHard, hs) ? {} : { hardState: hs }),
      entries: this.log.unstable(),
      ...(this.snapshotToInstall === undefined ? {} : { snapshot: this.snapshotToInstall }),
      messages: this.msgs,
      committed: this.log.nextCommitted(),
      readStates: this.readStates,
      droppedReads: this.droppedReads,
    };
    this.msgs = [];
    this.readStates = [];
    this.droppedReads = [];
    return rd;
  }

  /** Acknowledges that `rd` was persisted, sent and applied. No step/tick may happen in between. */
  advance(rd: Ready): void {
    if (rd.hardState !== undefined) this.prevHard = rd.hardState;
    this.prevSoft = rd.soft;
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry !== undefined) this.log.stableTo(lastEntry.index);
    const lastApplied = rd.committed[rd.committed.length - 1];
    if (lastApplied !== undefined) this.log.applied = Math.max(this.log.applied, lastApplied.index);
    if (rd.snapshot !== undefined && this.snapshotToInstall === rd.snapshot) this.snapshotToInstall = undefined;
  }

  // ---- roles ----

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedTimeout = this.electionTicks + Math.floor(this.random() * this.electionTicks);
  }

  private inLease(): boolean {
    return this.checkQuorum && this.leader !== '' && this.electionElapsed < this.electionTicks;
  }

  private becomeFollower(term: number, leader: MemberId): void {
    const wasLeader = this.role === 'leader';
    if (term !== this.term) {
      this.term = term;
      this.vote = '';
    }
    this.role = 'follower';
    this.leader = leader;
    this.resetElectionTimer();
    this.heartbeatElapsed = 0;
    this.leadTransferee = '';
    if (wasLeader) {
      this.progress.clear();
      this.droppedReads.push(...this.reads.map((r) => r.ctx), ...this.readsWaitingForCommit);
      this.reads = [];
      this.readsWaitingForCommit = [];
    }
  }

  private campaign(kind: 'pre' | 'real', transfer: boolean): void {
    this.votes.clear();
    this.leader = '';
    let voteTerm: number;
    if (kind === 'pre') {
      this.role = 'precandidate';
      voteTerm = this.term + 1;
    } else {
      this.role = 'candidate';
      this.term++;
      this.vote = this.id;
      voteTerm = this.term;
    }
    this.resetElectionTimer();
    if (this.poll(this.id, true)) return;
    const type = kind === 'pre' ? 'prevote' : 'vote';
    for (const v of this.conf.voters) {
      if (v === this.id) continue;
      this.send({
        type,
        from: this.id,
        to: v,
        term: voteTerm,
        lastIndex: this.log.lastIndex(),
        lastTerm: this.log.lastTerm(),
        ...(transfer ? { transfer: true } : {}),
      });
    }
  }

  /** Records a vote; returns true when the election was decided by it. */
  private poll(from: MemberId, granted: boolean): boolean {
    if (!this.isVoter(from)) return false;
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const g of this.votes.values()) g ? yes++ : no++;
    const q = this.quorum();
    if (yes >= q) {
      if (this.role === 'precandidate') this.campaign('real', false);
      else this.becomeLeader();
      return true;
    }
    if (no >= q) {
      this.becomeFollower(this.term, '');
      return true;
    }
    return false;
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.id;
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.leadTransferee = '';
    this.progress.clear();
    for (const id of this.members()) {
      if (id === this.id) continue;
      const pr = new Progress(this.log.lastIndex() + 1, this.maxInflight);
      pr.recentActive = true;
      this.progress.set(id, pr);
    }
    // Conf entries may sit uncommitted in the log: no change until everything up to here commits.
    this.appendEntry('noop', '');
    this.pendingConfIndex = this.log.lastIndex();
    this.maybeCommit();
    this.bcastAppend();
  }

  private quorum(): number {
    return Math.floor(this.conf.voters.length / 2) + 1;
  }

  private members(): MemberId[] {
    return [...this.conf.voters, ...this.conf.learners];
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const v of this.conf.voters) {
      if (v === this.id) active++;
      else if (this.progress.get(v)?.recentActive) active++;
    }
    for (const pr of this.progress.values()) pr.recentActive = false;
    return active >= this.quorum();
  }

  // ---- handlers ----

  private handleVote(m: Extract<Message, { type: 'vote' | 'prevote' }>): void {
    const pre = m.type === 'prevote';
    const canVote = this.vote === m.from || (this.vote === '' && this.leader === '') || (pre && m.term > this.term);
    const respType = pre ? 'prevoteResp' : 'voteResp';
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      this.send({ type: respType, from: this.id, to: m.from, term: m.term, reject: false });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    const myType = this.role === 'precandidate' ? 'prevoteResp' : 'voteResp';
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'voteResp':
      case 'prevoteResp':
        if (m.type !== myType) return;
        if (this.role === 'precandidate' && m.term !== this.term + 1 && !m.reject) return;
        this.poll(m.from, !m.reject);
        return;
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send({ type: 'heartbeatResp', from: this.id, to: m.from, term: this.term, ...(m.ctx === undefined ? {} : { ctx: m.ctx }) });
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleSnapshot(m.from, m.snapshot);
        return;
      case 'timeoutNow':
        if (this.isVoter()) this.campaign('real', true);
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Extract<Message, { type: 'app' }>): void {
    const respond = (index: number, reject: boolean, hintIndex?: number, hintTerm?: number): void =>
      this.send({
        type: 'appResp',
        from: this.id,
        to: m.from,
        term: this.term,
        index,
        reject,
        ...(hintIndex === undefined ? {} : { hintIndex, hintTerm: hintTerm ?? 0 }),
      });
    if (m.prevIndex < this.log.committed) {
      respond(this.log.committed, false);
      return;
    }
    if (this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      const lastNew = this.log.maybeAppend(m.prevIndex, m.entries);
      this.commitTo(Math.min(m.commit, lastNew));
      respond(lastNew, false);
      return;
    }
    const hintIndex = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    respond(m.prevIndex, true, hintIndex, this.log.term(hintIndex));
  }

  private handleSnapshot(from: MemberId, snap: Snapshot): void {
    const s = snap.meta;
    const ack = (index: number): void => this.send({ type: 'appResp', from: this.id, to: from, term: this.term, index, reject: false });
    if (s.index <= this.log.committed) {
      ack(this.log.committed);
      return;
    }
    if (this.log.matchTerm(s.index, s.term)) {
      this.commitTo(s.index);
      ack(this.log.committed);
      return;
    }
    this.log.restore(s.index, s.term);
    this.snapshot = snap;
    this.snapshotToInstall = snap;
    this.confHistory = [];
    this.setConf(s.index, s.conf);
    ack(s.index);
  }

  private stepLeader(m: Message): void {
    const pr = this.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (m.type === 'appResp') {
      if (m.reject) {
        let hint = m.hintIndex ?? m.index - 1;
        if (m.hintTerm !== undefined && m.hintTerm > 0) hint = this.log.findConflictByTerm(hint, m.hintTerm);
        if (pr.maybeDecrTo(m.index, hint)) {
          if (pr.state === 'replicate') pr.becomeProbe();
          this.sendAppend(m.from);
        }
        return;
      }
      const wasPaused = pr.isPaused();
      if (!pr.maybeUpdate(m.index)) {
        if (wasPaused && pr.state === 'probe') this.sendAppend(m.from);
        return;
      }
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      }
      if (this.maybeCommit()) this.bcastAppend();
      while (this.progress.has(m.from) && this.sendAppend(m.from, false)) {
        // keep the pipeline full
      }
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
        this.send({ type: 'timeoutNow', from: this.id, to: m.from, term: this.term });
      }
      return;
    }
    if (m.type === 'heartbeatResp') {
      pr.probeSent = false;
      // A full pipeline after a heartbeat round trip means appends were lost: probe from the match.
      if (pr.state === 'replicate' && pr.isPaused()) pr.becomeProbe();
      if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
      if (m.ctx !== undefined) this.ackRead(m.ctx, m.from);
    }
  }

  // ---- replication ----

  private appendEntry(kind: EntryKind, data: string): Entry {
    const e: Entry = { term: this.term, index: this.log.lastIndex() + 1, kind, data };
    this.log.append([e]);
    return e;
  }

  private appendAsLeader(kind: EntryKind, data: string): ProposeResult {
    if (this.role !== 'leader') return this.refuse('not-leader');
    if (this.leadTransferee !== '') return this.refuse('transferring');
    if (this.log.lastIndex() - this.log.committed >= this.maxUncommitted) return this.refuse('overloaded');
    const e = this.appendEntry(kind, data);
    this.maybeCommit();
    this.bcastAppend();
    return { ok: true, index: e.index, term: e.term };
  }

  private refuse(reason: ProposeRefusal): ProposeResult {
    return { ok: false, reason, leader: this.leader };
  }

  private bcastAppend(): void {
    for (const id of this.progress.keys()) this.sendAppend(id);
  }

  private bcastHeartbeat(ctx: string | undefined): void {
    for (const [id, pr] of this.progress) {
      this.send({
        type: 'heartbeat',
        from: this.id,
        to: id,
        term: this.term,
        commit: Math.min(pr.match, this.log.committed),
        ...(ctx === undefined ? {} : { ctx }),
      });
    }
  }

  /** Sends the next append (or the snapshot) to `to`; false when nothing was sent. */
  private sendAppend(to: MemberId, sendIfEmpty = true): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      const snap = this.snapshot;
      if (snap === undefined || prevIndex > this.log.lastIndex()) {
        pr.next = this.log.lastIndex() + 1;
        return false;
      }
      pr.becomeSnapshot(snap.meta.index);
      this.send({ type: 'snap', from: this.id, to, term: this.term, snapshot: snap });
      return true;
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex(), this.maxBatch);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', from: this.id, to, term: this.term, prevIndex, prevTerm, entries, commit: this.log.committed });
    const last = entries[entries.length - 1];
    if (pr.state === 'replicate' && last !== undefined) {
      pr.next = last.index + 1;
      pr.inflight.push(last.index);
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    return true;
  }

  /** Commits by counting voters' matches, only an entry of the current term (figure 8). */
  private maybeCommit(): boolean {
    const matches = this.conf.voters.map((v) => (v === this.id ? this.log.lastIndex() : (this.progress.get(v)?.match ?? 0)));
    if (matches.length === 0) return false;
    matches.sort((a, b) => b - a);
    const candidate = matches[this.quorum() - 1]!;
    if (candidate <= this.log.committed || this.log.term(candidate) !== this.term) return false;
    this.commitTo(candidate);
    return true;
  }

  private commitTo(index: number): void {
    if (index <= this.log.committed) return;
    const from = this.log.committed + 1;
    const ownTermBefore = this.log.term(this.log.committed) === this.term;
    this.log.committed = index;
    this.applyConfEntries(from, index);
    if (this.role === 'leader' && !ownTermBefore && this.log.term(index) === this.term) {
      const waiting = this.readsWaitingForCommit;
      this.readsWaitingForCommit = [];
      for (const ctx of waiting) this.startRead(ctx);
    }
  }

  // ---- membership ----

  private applyConfEntries(from: number, to: number): void {
    for (const e of this.log.slice(from, to)) {
      if (e.kind !== 'conf') continue;
      const cc = JSON.parse(e.data) as ConfChange;
      this.setConf(e.index, nextConf(this.conf, cc));
    }
  }

  private setConf(index: number, conf: ConfState): void {
    this.conf = conf;
    this.confHistory.push({ index, conf });
    if (this.role !== 'leader') return;
    const members = new Set(this.members());
    for (const id of [...this.progress.keys()]) if (!members.has(id)) this.progress.delete(id);
    for (const id of members) {
      if (id === this.id || this.progress.has(id)) continue;
      const pr = new Progress(this.log.lastIndex() + 1, this.maxInflight);
      pr.recentActive = true;
      this.progress.set(id, pr);
      this.sendAppend(id);
    }
    if (this.leadTransferee !== '' && !this.isVoter(this.leadTransferee)) this.abortTransfer();
    if (!this.isVoter()) {
      // Removed (or demoted) leader: the entry is committed, step down and let the rest elect.
      this.becomeFollower(this.term, '');
    }
  }

  private abortTransfer(): void {
    this.leadTransferee = '';
    this.transferElapsed = 0;
  }

  // ---- ReadIndex ----

  private startRead(ctx: string): void {
    if (this.quorum() <= 1) {
      this.readStates.push({ ctx, index: this.log.committed });
      return;
    }
    this.reads.push({ ctx, index: this.log.committed, acks: new Set([this.id]) });
    this.bcastHeartbeat(ctx);
  }

  private ackRead(ctx: string, from: MemberId): void {
    const at = this.reads.findIndex((r) => r.ctx === ctx);
    if (at < 0 || !this.isVoter(from)) return;
    const read = this.reads[at]!;
    read.acks.add(from);
    if (read.acks.size < this.quorum()) return;
    // A quorum confirmed leadership at this point: every earlier read is confirmed too.
    for (const r of this.reads.splice(0, at + 1)) this.readStates.push({ ctx: r.ctx, index: r.index });
  }

  private send(m: Message): void {
    this.msgs.push(m);
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader && a.term === b.term;
}
