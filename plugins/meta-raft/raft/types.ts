/**
 * Types of the pure Raft core. Members are identified by their cluster address (a string), so the
 * Raft layer needs no ID allocation of its own: the meta store assigns node IDs separately.
 */

/** A member's ID: its cluster address (host:port), or any unique string in tests. */
export type MemberId = string;

/** The kinds of log entry: an application command, a configuration change, or a leader's no-op. */
export type EntryKind = 'cmd' | 'conf' | 'noop';

/** One log entry. `data` is the command (cmd) or the JSON of a ConfChange (conf); '' for noop. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly kind: EntryKind;
  readonly data: string;
}

/** A single-server configuration change (the data of a `conf` entry). */
export type ConfChange =
  | { readonly op: 'bootstrap'; readonly voters: readonly MemberId[] }
  | { readonly op: 'addLearner'; readonly id: MemberId }
  | { readonly op: 'promote'; readonly id: MemberId }
  | { readonly op: 'remove'; readonly id: MemberId };

/** The membership: voters count toward elections and commitment, learners only receive the log. */
export interface ConfState {
  readonly voters: readonly MemberId[];
  readonly learners: readonly MemberId[];
}

/** What must be durable before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  /** '' = no vote in this term. */
  readonly vote: MemberId;
  readonly commit: number;
}

/** Describes a snapshot: the last index/term it covers and the membership at that index. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

/** A snapshot: metadata plus the application's state (opaque string). */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: string;
}

interface Base {
  readonly from: MemberId;
  readonly to: MemberId;
  readonly term: number;
}

/** Messages between members. */
export type Message =
  | (Base & { readonly type: 'vote' | 'prevote'; readonly lastIndex: number; readonly lastTerm: number; readonly transfer?: boolean })
  | (Base & { readonly type: 'voteResp' | 'prevoteResp'; readonly reject: boolean })
  | (Base & { readonly type: 'app'; readonly prevIndex: number; readonly prevTerm: number; readonly entries: readonly Entry[]; readonly commit: number })
  | (Base & {
      readonly type: 'appResp';
      /** Accepted: the follower's last index matching the leader; rejected: the rejected prevIndex. */
      readonly index: number;
      readonly reject: boolean;
      /** On reject: the follower's hint (an index ≤ its last, with its term) for fast backtracking. */
      readonly hintIndex?: number;
      readonly hintTerm?: number;
    })
  | (Base & { readonly type: 'heartbeat'; readonly commit: number; readonly ctx?: string })
  | (Base & { readonly type: 'heartbeatResp'; readonly ctx?: string })
  | (Base & { readonly type: 'snap'; readonly snapshot: Snapshot })
  | (Base & { readonly type: 'timeoutNow' });

/** The message types. */
export type MessageType = Message['type'];

/** Roles of a member. */
export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

/** A ReadIndex answer: once the application has applied `index`, a read for `ctx` is linearizable. */
export interface ReadState {
  readonly ctx: string;
  readonly index: number;
}

/** Volatile state callers may watch (who leads, in which role). */
export interface SoftState {
  readonly role: Role;
  /** '' = unknown. */
  readonly leader: MemberId;
  readonly term: number;
}

/**
 * The work the driver must do, in this order: persist `snapshot` (if any), then `entries` (an entry whose
 * index is ≤ the stored last index replaces the stored tail from that index), then `hardState`, fsync;
 * only then send `messages`, install `snapshot` into the state machine and apply `committed`; then call
 * `advance(ready)`.
 */
export interface Ready {
  readonly soft: SoftState;
  readonly softChanged: boolean;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly messages: readonly Message[];
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** ReadIndex requests dropped (leadership lost): their callers must fail. */
  readonly droppedReads: readonly string[];
}
