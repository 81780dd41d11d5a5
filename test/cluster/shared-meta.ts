import type { MetaData, MetaStoreSupports } from '../../core/contracts/meta-store.js';
import { applyCommand } from '../../core/meta/apply.js';
import { BaseMetaStore, type LoggedCommand } from '../../core/meta/base-meta-store.js';
import { type MetaCommand, validateCommand } from '../../core/meta/commands.js';
import { emptyMetaData } from '../../core/meta/meta-data.js';

/**
 * STAND-IN FOR RAFT REPLICATION (until branch `raft` lands the multi-node meta store): one ordered
 * command stream, applied with core/meta's pure `applyCommand` and published to every member store at
 * once. Every member therefore sees the same meta state, as Raft would give them after commit; there is
 * no consensus, no network and no failure handling here. Test use only.
 */
export class SharedMetaLog {
  #data: MetaData = emptyMetaData();
  readonly #members = new Set<SharedMetaStore>();

  get data(): MetaData {
    return this.#data;
  }

  /** Applies one command to the shared state and publishes it to every member. */
  async submit(command: MetaCommand): Promise<unknown> {
    validateCommand(command);
    const out = applyCommand(this.#data, command, this.#data.index + 1);
    if (out.error !== undefined) throw out.error;
    this.#data = out.data;
    for (const m of this.#members) m.receive(out.data);
    return out.result;
  }

  /** Registers a node address before its store starts (so the store finds itself in the state). */
  async addNode(address: string): Promise<number> {
    const first = this.#data.nodes.length === 0;
    const node = (await this.submit({ type: 'addNode', address, ...(first ? { clusterId: '42' } : {}) })) as { id: number };
    return node.id;
  }

  join(m: SharedMetaStore): void {
    this.#members.add(m);
  }

  leave(m: SharedMetaStore): void {
    this.#members.delete(m);
  }
}

/** A member of a SharedMetaLog: a real BaseMetaStore whose commands go through the shared stream. */
export class SharedMetaStore extends BaseMetaStore {
  readonly supports: MetaStoreSupports = Object.freeze({ persistent: false, replicated: true });
  readonly #log: SharedMetaLog;

  constructor(log: SharedMetaLog, address: string) {
    super({ address });
    this.#log = log;
  }

  protected override async _open(): Promise<MetaData> {
    this.#log.join(this);
    return this.#log.data;
  }

  protected override submit(command: MetaCommand): Promise<unknown> {
    return this.#log.submit(command);
  }

  /** Called by the log with each newly applied state. */
  receive(data: MetaData): void {
    this.publish(data);
  }

  protected override async _persist(_commands: readonly LoggedCommand[], _next: MetaData): Promise<void> {}

  protected override async _close(): Promise<void> {
    this.#log.leave(this);
  }
}
