import { randomBytes } from 'node:crypto';
import type {
  DatabaseInfo,
  MetaChangeListener,
  MetaData,
  MetaStore,
  MetaStoreSupports,
  NodeInfo,
  Privilege,
  RetentionPolicyInfo,
  RetentionPolicySpec,
  RetentionPolicyUpdate,
  ShardGroupInfo,
} from '../contracts/meta-store.js';
import { TesseraError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { applyCommand } from './apply.js';
import { specToJson, updateToJson, validateCommand, type MetaCommand } from './commands.js';
import { truncateGo } from './durations.js';
import { emptyMetaData, findDatabase, findRetentionPolicy, policyGroupByTimestamp, shardGroupsByTimeRange } from './meta-data.js';

/** Options shared by every MetaStore built on BaseMetaStore. */
export interface BaseMetaStoreOptions {
  /** This node's cluster address (host:port); the node registers itself under it on first start. */
  readonly address: string;
  readonly httpAddress?: string;
  readonly logger?: Logger;
  /** Clock for commands that carry a time (soft delete); ns since the epoch. Default: Date.now(). */
  readonly now?: () => bigint;
}

/** One command accepted for the log, with the index it is applied at. */
export interface LoggedCommand {
  readonly index: number;
  readonly command: MetaCommand;
}

interface Proposal {
  readonly command: MetaCommand;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: unknown) => void;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * A MetaStore over the pure state machine (core/meta), for one member. Public methods check the
 * lifecycle once and go through one ordered proposal queue; a subclass supplies only storage:
 * `_open` (load the applied state), `_persist` (make a batch of commands durable before they are
 * applied and their proposals resolve) and `_close`. Commands the state machine rejects are not
 * persisted and do not advance the index.
 */
export abstract class BaseMetaStore implements MetaStore {
  abstract readonly supports: MetaStoreSupports;
  protected readonly logger: Logger;
  private readonly address: string;
  private readonly httpAddress: string | undefined;
  private readonly now: () => bigint;
  private state: State = 'new';
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private current: MetaData = emptyMetaData();
  private ownId = 0;
  private readonly queue: Proposal[] = [];
  private draining: Promise<void> = Promise.resolve();
  private running = false;
  private readonly listeners = new Set<MetaChangeListener>();
  private readonly pendingGroups = new Map<string, Promise<ShardGroupInfo>>();

  protected constructor(options: BaseMetaStoreOptions) {
    this.address = options.address;
    this.httpAddress = options.httpAddress;
    this.logger = options.logger ?? silentLogger();
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  }

  /** Loads the applied state (snapshot + replayed log). */
  protected abstract _open(): Promise<MetaData>;
  /** Makes `commands` durable (in order); `next` is the state once they are applied. */
  protected abstract _persist(commands: readonly LoggedCommand[], next: MetaData): Promise<void>;
  /** Releases storage. Called once, after the last `_persist`. */
  protected abstract _close(): Promise<void>;

  /** Opens storage, then registers this node on first start (ID 1 for a new cluster). Idempotent. */
  start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      return Promise.reject(new TesseraError('ERR_SERVICE_STOPPED', 'meta store is stopped'));
    }
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    this.state = 'starting';
    try {
      this.current = await this._open();
      // Registration goes through the queue before the store is visible as started, so no caller
      // ever sees nodeId() 0.
      this.ownId = await this.registerSelf();
      this.state = 'started';
    } catch (err) {
      this.state = 'stopped';
      await this._close().catch(() => undefined);
      throw err;
    }
  }

  /** Registers this node in the meta data on start (overridable: a replicated store has other rules). */
  protected async registerSelf(): Promise<number> {
    const data = this.current;
    const mine = data.nodes.find((n) => n.address === this.address);
    if (mine !== undefined) {
      if (this.httpAddress !== undefined && mine.httpAddress !== this.httpAddress) {
        await this.submit({ type: 'updateNode', id: mine.id, address: this.address, httpAddress: this.httpAddress });
      }
      return mine.id;
    }
    if (data.nodes.length === 0) {
      const cmd: MetaCommand = {
        type: 'addNode',
        address: this.address,
        clusterId: BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()).toString(),
        ...(this.httpAddress === undefined ? {} : { httpAddress: this.httpAddress }),
      };
      return ((await this.submit(cmd)) as NodeInfo).id;
    }
    if (data.nodes.length === 1) {
      // A cluster of one restarted with another bind address: it is still the same node.
      const id = data.nodes[0]!.id;
      this.logger.info({ id, address: this.address }, 'node address changed; updating meta');
      const cmd: MetaCommand = { type: 'updateNode', id, address: this.address, ...(this.httpAddress === undefined ? {} : { httpAddress: this.httpAddress }) };
      await this.submit(cmd);
      return id;
    }
    throw new TesseraError('ERR_META_NODE_NOT_FOUND', `no node with address ${this.address} in the meta data`);
  }

  /** Lets accepted proposals finish, then closes storage. Idempotent; a no-op before start. */
  stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return Promise.resolve();
    }
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    while (this.running) await this.draining;
    this.state = 'stopped';
    this.listeners.clear();
    await this._close();
  }

  private check(): void {
    if (this.state === 'started') return;
    if (this.state === 'stopping' || this.state === 'stopped') throw new TesseraError('ERR_SERVICE_STOPPED', 'meta store is stopped');
    throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'meta store is not started');
  }

  /** Queues a command; resolves with its result once it is durable and applied. */
  protected propose(command: MetaCommand): Promise<unknown> {
    try {
      this.check();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.submit(command);
  }

  /**
   * Makes one command durable and applied, resolving with its result. The default is the local path
   * (ordered queue, group commit through `_persist`, then `publish`). A replicated store overrides it:
   * hand the command to consensus, apply committed entries with `applyCommand`, `publish` the state and
   * resolve from the applied outcome; `_persist` is then unused.
   */
  protected submit(command: MetaCommand): Promise<unknown> {
    // What gets logged must decode again at the next start: check it against the codec's schema now.
    try {
      validateCommand(command);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.running) {
        this.running = true;
        this.draining = this.drain();
      }
    });
  }

  // Group commit: every proposal queued while the previous batch was being persisted goes in one batch.
  // `running` is cleared in the same microtask that sees the queue empty, so no proposal is ever stranded.
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0));
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Proposal[]): Promise<void> {
    {
      let data = this.current;
      const logged: LoggedCommand[] = [];
      const outcomes: { result?: unknown; error?: unknown }[] = [];
      for (const p of batch) {
        let out: { data: MetaData; result?: unknown; error?: unknown };
        try {
          out = applyCommand(data, p.command, data.index + 1);
        } catch (err) {
          out = { data, error: err }; // a bug in the state machine: fail this proposal, not the queue
        }
        if (out.error === undefined) {
          data = out.data;
          logged.push({ index: data.index, command: p.command });
        }
        outcomes.push(out);
      }
      if (logged.length > 0) {
        try {
          await this._persist(logged, data);
        } catch (err) {
          this.logger.error({ err }, 'meta log write failed');
          for (const p of batch) p.reject(err);
          return;
        }
        this.publish(data);
      }
      batch.forEach((p, i) => {
        const out = outcomes[i]!;
        if (out.error !== undefined) p.reject(out.error);
        else p.resolve(out.result);
      });
    }
  }

  /** The applied state, whatever the lifecycle state (for subclasses). */
  protected get applied(): MetaData {
    return this.current;
  }

  /** Installs a newly applied state (reads see it at once) and tells the change listeners. */
  protected publish(data: MetaData): void {
    this.current = data;
    for (const listener of [...this.listeners]) {
      try {
        listener(data);
      } catch (err) {
        this.logger.error({ err }, 'meta change listener threw');
      }
    }
  }

  nodeId(): number {
    this.check();
    return this.ownId;
  }

  data(): MetaData {
    this.check();
    return this.current;
  }

  database(name: string): DatabaseInfo | undefined {
    this.check();
    return findDatabase(this.current, name);
  }

  retentionPolicy(db: string, rp: string): RetentionPolicyInfo | undefined {
    this.check();
    return findRetentionPolicy(this.current, db, rp);
  }

  shardGroupsByTimeRange(db: string, rp: string, tmin: bigint, tmax: bigint): ShardGroupInfo[] {
    this.check();
    return shardGroupsByTimeRange(this.current, db, rp, tmin, tmax);
  }

  createShardGroupIfNotExists(db: string, rp: string, t: bigint): Promise<ShardGroupInfo> {
    try {
      this.check();
    } catch (err) {
      return Promise.reject(err);
    }
    const policy = findRetentionPolicy(this.current, db, rp);
    if (policy !== undefined) {
      const hit = policyGroupByTimestamp(policy, t);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    // Concurrent misses for the same group share one command.
    const key = policy === undefined ? `${db}\0${rp}\0${t}` : `${db}\0${policy.name}\0${truncateGo(t, policy.shardGroupDurationNs)}`;
    let pending = this.pendingGroups.get(key);
    if (pending === undefined) {
      pending = this.propose({ type: 'createShardGroup', db, rp, timestampNs: t.toString() }).then(
        (g) => g as ShardGroupInfo,
      );
      const cleanup = (): void => {
        this.pendingGroups.delete(key);
      };
      pending.then(cleanup, cleanup);
      this.pendingGroups.set(key, pending);
    }
    return pending;
  }

  async deleteShardGroup(db: string, rp: string, id: number): Promise<void> {
    await this.propose({ type: 'deleteShardGroup', db, rp, id, nowNs: this.now().toString() });
  }

  async dropShard(id: number): Promise<void> {
    await this.propose({ type: 'dropShard', id, nowNs: this.now().toString() });
  }

  async createDatabase(name: string, rp?: RetentionPolicySpec & { makeDefault?: boolean }): Promise<DatabaseInfo> {
    const cmd: MetaCommand = rp === undefined ? { type: 'createDatabase', name } : { type: 'createDatabase', name, rp: specToJson(rp) };
    return (await this.propose(cmd)) as DatabaseInfo;
  }

  async dropDatabase(name: string): Promise<void> {
    await this.propose({ type: 'dropDatabase', name });
  }

  async createRetentionPolicy(db: string, spec: RetentionPolicySpec, makeDefault: boolean): Promise<RetentionPolicyInfo> {
    return (await this.propose({ type: 'createRetentionPolicy', db, rp: specToJson(spec), makeDefault })) as RetentionPolicyInfo;
  }

  async alterRetentionPolicy(db: string, name: string, update: RetentionPolicyUpdate, makeDefault: boolean): Promise<void> {
    await this.propose({ type: 'alterRetentionPolicy', db, name, update: updateToJson(update), makeDefault });
  }

  async dropRetentionPolicy(db: string, name: string): Promise<void> {
    await this.propose({ type: 'dropRetentionPolicy', db, name });
  }

  async setDefaultRetentionPolicy(db: string, name: string): Promise<void> {
    await this.propose({ type: 'setDefaultRetentionPolicy', db, name });
  }

  async createContinuousQuery(db: string, name: string, query: string): Promise<void> {
    await this.propose({ type: 'createContinuousQuery', db, name, query });
  }

  async dropContinuousQuery(db: string, name: string): Promise<void> {
    await this.propose({ type: 'dropContinuousQuery', db, name });
  }

  async createUser(name: string, hash: string, admin: boolean): Promise<void> {
    await this.propose({ type: 'createUser', name, hash, admin });
  }

  async dropUser(name: string): Promise<void> {
    await this.propose({ type: 'dropUser', name });
  }

  async setUserPassword(name: string, hash: string): Promise<void> {
    await this.propose({ type: 'setUserPassword', name, hash });
  }

  async setAdminPrivilege(name: string, admin: boolean): Promise<void> {
    await this.propose({ type: 'setAdminPrivilege', name, admin });
  }

  async setPrivilege(name: string, db: string, privilege: Privilege): Promise<void> {
    await this.propose({ type: 'setPrivilege', name, db, privilege });
  }

  async addNode(address: string, httpAddress?: string): Promise<NodeInfo> {
    const cmd: MetaCommand = httpAddress === undefined ? { type: 'addNode', address } : { type: 'addNode', address, httpAddress };
    return (await this.propose(cmd)) as NodeInfo;
  }

  async removeNode(id: number, force: boolean): Promise<void> {
    await this.propose({ type: 'removeNode', id, force });
  }

  /** One member: everything committed is already applied here. */
  async sync(): Promise<void> {
    this.check();
  }

  onChange(listener: MetaChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
