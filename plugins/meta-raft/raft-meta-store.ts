import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetaData, MetaStoreSupports, NodeInfo } from '../../core/contracts/meta-store.js';
import type { Transport } from '../../core/contracts/transport.js';
import { TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { applyCommand } from '../../core/meta/apply.js';
import { BaseMetaStore } from '../../core/meta/base-meta-store.js';
import { decodeCommand, encodeCommand, validateCommand, type MetaCommand } from '../../core/meta/commands.js';
import { emptyMetaData } from '../../core/meta/meta-data.js';
import { decodeSnapshot, encodeSnapshot } from '../../core/meta/snapshot.js';
import { META_LOG_FILE, META_SNAPSHOT_FILE, MetaRaftStore } from './meta-raft-store.js';
import { errorReply, RaftLink, type MuxServe, type RpcReply, type RpcRequest } from './raft-link.js';
import { RaftNode, type RaftStateMachine } from './raft/raft-node.js';
import { Raft } from './raft/raft.js';
import { RaftStorage } from './raft/raft-storage.js';
import type { Entry } from './raft/types.js';

/** Options of RaftMetaStore. */
export interface RaftMetaStoreOptions {
  /** Directory of the meta files (`<nodeDir>/meta`); Raft keeps its files in `<dir>/raft`. */
  readonly dir: string;
  /** This node's cluster address: its Raft member ID and the address it registers under. */
  readonly address: string;
  readonly httpAddress?: string;
  readonly logger: Logger;
  readonly transport: Pick<Transport, 'dial'>;
  /** Where inbound RAFT / META_RPC connections are routed from (the cluster port). */
  readonly serve: MuxServe;
  /** `[meta] peers`: the initial members (this node is added if missing); empty = a cluster of one. */
  readonly peers: readonly string[];
  /** `[meta] join`: members to join through (this node starts as a learner); used on first start only. */
  readonly join: readonly string[];
  /** Applied entries between snapshots. */
  readonly snapshotInterval: number;
  /** Entries kept before a snapshot for lagging followers (default 100). */
  readonly trailingEntries?: number;
  /** ms per Raft tick (default 50; election timeout = 10 ticks, randomized up to 20). */
  readonly tickMs?: number;
  /** How long a proposal waits for a leader before failing (default 10 s). */
  readonly leaderWaitMs?: number;
  /** Voters the leader promotes learners up to (default 5). */
  readonly maxVoters?: number;
  readonly now?: () => bigint;
  readonly random?: () => number;
  /**
   * Register this member as a (data) node in the meta data (default true). False makes a meta-only member,
   * as InfluxDB 0.10's separate meta nodes: it replicates the meta state but owns no shards (nodeId() 0).
   */
  readonly registerNode?: boolean;
  /** Forced recovery from this node's state alone (operator action after losing a quorum for good). */
  readonly forceSoleVoter?: boolean;
  /** Hand leadership to another voter on a graceful stop (default true). */
  readonly handOffOnStop?: boolean;
}

/** The state kept by the unreplicated store (meta.snapshot + meta.log), when Raft has nothing yet. */
async function legacyState(dir: string, raftDir: string, logger: Logger): Promise<string | undefined> {
  const { storage, state } = await RaftStorage.open(raftDir, logger);
  await storage.close();
  if (state !== undefined) return undefined;
  const hasOld = await Promise.all([META_SNAPSHOT_FILE, META_LOG_FILE].map((f) => stat(join(dir, f)).then(() => true, () => false)));
  if (!hasOld.includes(true)) return undefined;
  const old = new MetaRaftStore({ dir, address: '', logger, snapshotInterval: 1_000_000 });
  const data = await old.load();
  logger.info({ dir, index: data.index, databases: data.databases.length }, 'migrating the unreplicated meta log to Raft');
  return Buffer.from(encodeSnapshot(data)).toString('utf8');
}

/** True when the stored membership is exactly one voter that is not `address` (a renamed cluster of one). */
async function soleVoterElsewhere(dir: string, address: string, logger: Logger): Promise<boolean> {
  const { storage, state } = await RaftStorage.open(dir, logger);
  await storage.close();
  if (state === undefined) return false;
  const r = new Raft({ id: address, electionTicks: 10, heartbeatTicks: 2, random: () => 0 }, state);
  return r.conf.voters.length === 1 && r.conf.voters[0] !== address && r.conf.learners.length === 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The meta store replicated with Raft: every mutation is a Raft entry, applied by every member to the pure
 * state machine (core/meta) in log order. Any member accepts mutations: a follower forwards the encoded
 * command to the leader over META_RPC, then resolves with its own applied outcome of that entry. A
 * command whose leader is deposed before it commits fails with ERR_META_LEADERSHIP_LOST (outcome
 * unknown), never with a false success. `sync()` is a ReadIndex round through the leader. New members
 * join as learners and the leader promotes caught-up learners while there are fewer than 5 voters.
 */
export class RaftMetaStore extends BaseMetaStore {
  readonly supports: MetaStoreSupports;
  private readonly opts: RaftMetaStoreOptions;
  private sm: MetaData = emptyMetaData();
  private node: RaftNode | undefined;
  private link: RaftLink | undefined;
  private promoter: NodeJS.Timeout | undefined;
  private promoting = false;
  private closed = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(options: RaftMetaStoreOptions) {
    super(options);
    this.opts = options;
    this.supports = Object.freeze({ persistent: true, replicated: options.peers.length > 1 || options.join.length > 0 });
  }

  /** The Raft driver (status, leadership transfer); undefined before start. */
  raft(): RaftNode | undefined {
    return this.node;
  }

  protected override async _open(): Promise<MetaData> {
    const { address } = this.opts;
    const sm: RaftStateMachine = {
      apply: (e: Entry) => this.applyEntry(e),
      snapshot: () => Buffer.from(encodeSnapshot(this.sm)).toString('utf8'),
      restore: (data: string) => {
        this.sm = decodeSnapshot(Buffer.from(data, 'utf8'));
        this.publish(this.sm);
      },
    };
    if (this.opts.peers.length > 0 && !this.opts.peers.includes(address)) {
      this.logger.warn({ address, peers: this.opts.peers }, 'this node\'s cluster address is not in [meta] peers; it is added as one more member');
    }
    if (this.opts.peers.length > 0 && this.opts.join.length > 0) {
      this.logger.warn({ peers: this.opts.peers, join: this.opts.join }, '[meta] peers and join are both set; join is ignored');
    }
    const raftDir = join(this.opts.dir, 'raft');
    // A cluster of one upgraded from the unreplicated meta log starts from that state.
    const migrated = this.opts.peers.length === 0 && this.opts.join.length === 0 ? await legacyState(this.opts.dir, raftDir, this.logger) : undefined;
    const joining = this.opts.join.length > 0 && this.opts.peers.length === 0;
    const bootstrap = joining ? undefined : [...new Set([...this.opts.peers, address])];
    const node = new RaftNode({
      id: address,
      dir: raftDir,
      logger: this.logger,
      stateMachine: sm,
      send: (msgs) => this.link?.send(msgs),
      ...(bootstrap ? { bootstrap } : {}),
      tickMs: this.opts.tickMs ?? 50,
      snapshotEvery: this.opts.snapshotInterval,
      ...(this.opts.trailingEntries === undefined ? {} : { trailingEntries: this.opts.trailingEntries }),
      ...(this.opts.random ? { random: this.opts.random } : {}),
      ...(migrated === undefined ? {} : { initialSnapshotData: migrated }),
      // A cluster of one restarted under another address is still the same (only) member.
      forceSoleVoter: this.opts.forceSoleVoter ?? (this.opts.peers.length === 0 && this.opts.join.length === 0 && (await soleVoterElsewhere(raftDir, address, this.logger))),
    });
    this.node = node;
    this.link = new RaftLink({
      transport: this.opts.transport,
      serve: this.opts.serve,
      logger: this.logger,
      onMessages: (msgs) => {
        for (const m of msgs) node.receive(m);
      },
      onRpc: (req) => this.serveRpc(req),
    });
    // The node first (inbound messages and RPCs need it), then the listeners.
    await node.start();
    await node.waitApplied(node.status().commit); // replay of what this node knows committed
    await this.link.start();
    const status = node.status();
    if (joining && status.conf.voters.length === 0 && status.conf.learners.length === 0) await this.joinCluster();
    const registered = this.sm.nodes.some((n) => n.address === address) || (this.opts.registerNode === false && status.commit > 1);
    if (!registered) {
      // A new member catches up with the cluster before registering, so registration sees every node
      // already known. Peers may come up one by one: wait as long as the kernel's start timeout allows.
      await this.barrier(Infinity);
    }
    // A restarted member starts from its own state at once (a full-cluster restart needs no quorum to
    // start each node) and catches up in the background.
    this.promoter = setInterval(() => void this.promoteLearners(), (this.opts.tickMs ?? 50) * 4);
    this.promoter.unref?.();
    return this.sm;
  }

  private applyEntry(e: Entry): { result?: unknown; error?: unknown } {
    if (e.kind !== 'cmd') return {};
    let out;
    try {
      out = applyCommand(this.sm, decodeCommand(Buffer.from(e.data, 'utf8')), Math.max(e.index, this.sm.index + 1), e.term);
    } catch (err) {
      this.logger.error({ err, index: e.index }, 'meta command failed to apply');
      return { error: err };
    }
    // A rejected command changes nothing (not even the index), on every member alike.
    if (out.error !== undefined) return { error: out.error };
    this.sm = out.data;
    this.publish(out.data);
    return { result: out.result };
  }

  protected override async registerSelf(): Promise<number> {
    this.publish(this.sm);
    if (this.opts.registerNode === false) return 0;
    const { address, httpAddress } = this.opts;
    const data = this.sm;
    const mine = data.nodes.find((n) => n.address === address);
    if (mine !== undefined) {
      if (httpAddress !== undefined && mine.httpAddress !== httpAddress) {
        const update = this.submit({ type: 'updateNode', id: mine.id, address, httpAddress });
        // With peers, a restart must not wait for a quorum: the address update goes through when it can.
        if (this.supports.replicated) void update.catch((err: unknown) => this.logger.warn({ err }, 'node http address update failed'));
        else await update;
      }
      return mine.id;
    }
    const conf = this.node!.status().conf;
    const alone = conf.voters.length === 1 && conf.learners.length === 0;
    if (alone && data.nodes.length === 1) {
      // A cluster of one restarted with another bind address: it is still the same node.
      const id = data.nodes[0]!.id;
      this.logger.info({ id, address }, 'node address changed; updating meta');
      await this.submit({ type: 'updateNode', id, address, ...(httpAddress === undefined ? {} : { httpAddress }) });
      return id;
    }
    const cmd: MetaCommand = {
      type: 'addNode',
      address,
      clusterId: BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()).toString(),
      ...(httpAddress === undefined ? {} : { httpAddress }),
    };
    try {
      return ((await this.submit(cmd)) as NodeInfo).id;
    } catch (err) {
      // Registered by an earlier attempt whose outcome was unknown.
      const again = this.sm.nodes.find((n) => n.address === address);
      if (again !== undefined) return again.id;
      throw err;
    }
  }

  protected override submit(command: MetaCommand): Promise<unknown> {
    try {
      validateCommand(command);
    } catch (err) {
      return Promise.reject(err);
    }
    const p = this.replicate(Buffer.from(encodeCommand(command)).toString('utf8'));
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
    return p;
  }

  protected override async _persist(): Promise<void> {
    throw new TypeError('RaftMetaStore persists through Raft');
  }

  /** Proposes `data` on the leader (here or forwarded) and resolves with this node's applied outcome. */
  private async replicate(data: string): Promise<unknown> {
    const node = this.node!;
    const deadline = Date.now() + (this.opts.leaderWaitMs ?? 10_000);
    for (;;) {
      const st = node.status();
      try {
        let at: { index: number; term: number };
        if (st.role === 'leader') {
          at = await node.propose(data);
        } else if (st.leader !== '') {
          at = (await this.call(st.leader, { op: 'propose', data })) as { index: number; term: number };
        } else {
          throw new TesseraError('ERR_META_NOT_LEADER', 'no meta leader is known');
        }
        const out = await node.outcome(at.index, at.term);
        if (out.error !== undefined) throw out.error;
        return out.result;
      } catch (err) {
        // Retry only what certainly did not append anything: a refusal, or a request never sent.
        const e = err as { code?: string; sent?: boolean };
        const retry = e.code === 'ERR_META_NOT_LEADER' || (e.code === 'ERR_META_RPC_FAILED' && e.sent === false);
        if (!retry || this.closed || Date.now() > deadline) throw err;
        await sleep(this.opts.tickMs ?? 50);
      }
    }
  }

  /** A META_RPC call whose failure reply becomes a TesseraError again. */
  private async call(address: string, req: RpcRequest): Promise<unknown> {
    const reply: RpcReply = await this.link!.rpc(address, req);
    if (reply.ok) return reply.value;
    throw Object.assign(new TesseraError(reply.code as 'ERR_META_NOT_LEADER', reply.message), reply.leader ? { leader: reply.leader } : {});
  }

  private async serveRpc(req: RpcRequest): Promise<RpcReply> {
    const node = this.node;
    if (node === undefined || this.closed) return errorReply(new TesseraError('ERR_SERVICE_STOPPED', 'meta store is stopped'));
    try {
      switch (req.op) {
        case 'propose':
          return { ok: true, value: await node.propose(req.data) };
        case 'readIndex':
          return { ok: true, value: await node.readIndex() };
        case 'join': {
          const conf = node.status().conf;
          if (!conf.voters.includes(req.address) && !conf.learners.includes(req.address)) {
            await node.proposeConfChange({ op: 'addLearner', id: req.address });
          }
          return { ok: true };
        }
        case 'conf':
          await node.proposeConfChange({ op: req.change, id: req.address });
          return { ok: true };
        default:
          return errorReply(new TesseraError('ERR_META_RPC_FAILED', 'unknown meta request'));
      }
    } catch (err) {
      return errorReply(err);
    }
  }

  /** Asks each `[meta] join` address (following leader hints) to add this node as a learner. */
  private async joinCluster(): Promise<void> {
    const deadline = Date.now() + (this.opts.leaderWaitMs ?? 10_000) * 3;
    let targets = [...this.opts.join];
    let lastErr: unknown;
    while (Date.now() < deadline && !this.closed) {
      for (const t of targets) {
        try {
          await this.call(t, { op: 'join', address: this.opts.address });
          this.logger.info({ via: t }, 'joined the meta cluster as a learner');
          return;
        } catch (err) {
          lastErr = err;
          const leader = (err as { leader?: string }).leader;
          if (leader) targets = [leader, ...this.opts.join];
        }
      }
      await sleep(this.opts.tickMs ?? 50);
    }
    throw new TesseraError('ERR_META_JOIN_FAILED', `unable to join the meta cluster through ${this.opts.join.join(', ')}`, { cause: lastErr });
  }

  /** ReadIndex through the leader, then wait until applied here; retried until a leader answers. */
  private async barrier(waitMs = this.opts.leaderWaitMs ?? 10_000): Promise<void> {
    const node = this.node!;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const st = node.status();
      try {
        let index: number;
        if (st.role === 'leader') index = await node.readIndex();
        else if (st.leader !== '') index = (await this.call(st.leader, { op: 'readIndex' })) as number;
        else throw new TesseraError('ERR_META_NOT_LEADER', 'no meta leader is known');
        await node.waitApplied(index);
        return;
      } catch (err) {
        if (this.closed || Date.now() > deadline) throw err;
        await sleep(this.opts.tickMs ?? 50);
      }
    }
  }

  /** Removes the node from the meta data and, when it is a Raft member, from the Raft membership. */
  override async removeNode(id: number, force: boolean): Promise<void> {
    // The node may be known to the cluster but not yet applied here: catch up first.
    if (!this.sm.nodes.some((n) => n.id === id)) await this.sync();
    const address = this.sm.nodes.find((n) => n.id === id)?.address;
    await super.removeNode(id, force);
    if (address === undefined) return;
    const conf = this.node!.status().conf;
    if (conf.voters.includes(address) || conf.learners.includes(address)) await this.changeMembership('remove', address);
  }

  /** Proposes a membership change on the leader (here or over META_RPC), retrying while refused. */
  private async changeMembership(change: 'remove' | 'promote', address: string): Promise<void> {
    const node = this.node!;
    const deadline = Date.now() + (this.opts.leaderWaitMs ?? 10_000);
    for (;;) {
      const st = node.status();
      try {
        if (st.role === 'leader') await node.proposeConfChange({ op: change, id: address });
        else if (st.leader !== '') await this.call(st.leader, { op: 'conf', change, address });
        else throw new TesseraError('ERR_META_NOT_LEADER', 'no meta leader is known');
        return;
      } catch (err) {
        const e = err as { code?: string; sent?: boolean };
        const retry = e.code === 'ERR_META_NOT_LEADER' || e.code === 'ERR_META_CONF_CHANGE_REFUSED' || (e.code === 'ERR_META_RPC_FAILED' && e.sent === false);
        if (!retry || this.closed || Date.now() > deadline) throw err;
        await sleep(this.opts.tickMs ?? 50);
      }
    }
  }

  /** Linearizable: resolves once this node applied everything committed before the call. */
  override async sync(): Promise<void> {
    this.nodeId(); // lifecycle check
    await this.barrier();
  }

  /** Leader only: promotes one caught-up learner while there are fewer than maxVoters voters. */
  private async promoteLearners(): Promise<void> {
    const node = this.node;
    if (!node || this.promoting || this.closed) return;
    const st = node.status();
    if (st.role !== 'leader' || st.conf.learners.length === 0 || st.conf.voters.length >= (this.opts.maxVoters ?? 5)) return;
    const ready = st.conf.learners.find((l) => (st.progress.get(l)?.match ?? 0) >= st.commit);
    if (ready === undefined) return;
    this.promoting = true;
    try {
      await node.proposeConfChange({ op: 'promote', id: ready });
      this.logger.info({ member: ready }, 'promoted a learner to voter');
    } catch (err) {
      this.logger.debug({ err, member: ready }, 'learner promotion deferred');
    } finally {
      this.promoting = false;
    }
  }

  /**
   * A leader that stops gracefully hands leadership to its most up-to-date voter first, so a rolling
   * restart costs a TimeoutNow round instead of an election timeout. Bounded by two election timeouts.
   */
  private async handOffLeadership(): Promise<void> {
    const node = this.node;
    if (!node || this.opts.handOffOnStop === false) return;
    const st = node.status();
    if (st.role !== 'leader') return;
    let target = '';
    let best = -1;
    for (const v of st.conf.voters) {
      const match = st.progress.get(v)?.match ?? -1;
      if (v !== st.id && match > best) [target, best] = [v, match];
    }
    if (target === '') return;
    const tick = this.opts.tickMs ?? 50;
    try {
      await node.transferLeader(target);
      const end = Date.now() + 40 * tick;
      while (node.status().role === 'leader' && Date.now() < end) await sleep(tick / 2);
      this.logger.info({ to: target, done: node.status().role !== 'leader' }, 'leadership handed off before stopping');
    } catch (err) {
      this.logger.debug({ err }, 'leadership hand-off skipped');
    }
  }

  protected override async _close(): Promise<void> {
    // Accepted proposals finish first (they may still need this node's Raft to commit).
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    this.closed = true;
    if (this.promoter) clearInterval(this.promoter);
    await this.handOffLeadership();
    await this.node?.stop();
    await this.link?.stop();
  }
}
