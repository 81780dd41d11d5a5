import { join } from 'node:path';
import type { MetaStore } from '../../../core/contracts/meta-store.js';
import type { Transport } from '../../../core/contracts/transport.js';
import { silentLogger } from '../../../core/logger.js';
import { MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { RaftMetaStore, transportMux, type RaftMetaStoreOptions } from '../../../plugins/meta-raft/index.js';

/** One member over an in-memory network, listening on `address` itself. */
export function memberOn(
  network: MemoryNetwork,
  dir: string,
  address: string,
  extra: Partial<RaftMetaStoreOptions> = {},
  dialer: (transport: MemoryTransport) => Pick<Transport, 'dial'> = (tr) => tr,
): { store: RaftMetaStore; transport: MemoryTransport } {
  const transport = new MemoryTransport(network, { dialTimeoutMs: 1000 });
  void transport.start();
  const mux = transportMux(transport, address);
  const store = new RaftMetaStore({
    dir,
    address,
    logger: silentLogger(),
    transport: dialer(transport),
    serve: mux.serve,
    peers: [],
    join: [],
    snapshotInterval: 5,
    tickMs: 40,
    ...extra,
  });
  return { store, transport };
}

/**
 * A 3-member meta cluster in one process, seen through member 1: `start` starts all three, `stop` stops
 * all three; members 2 and 3 are meta-only (they do not register as data nodes), so the data looks like a
 * one-node cluster whose meta state is replicated three ways. Same `dir` = same members (restart).
 */
export function trio(dir: string): { store: MetaStore; members: RaftMetaStore[]; transports: MemoryTransport[] } {
  const network = new MemoryNetwork();
  const addrs = ['m1:8088', 'm2:8088', 'm3:8088'];
  const built = addrs.map((a, i) => memberOn(network, join(dir, `m${i + 1}`), a, { peers: addrs, registerNode: i === 0 }));
  const members = built.map((b) => b.store);
  const transports = built.map((b) => b.transport);
  const first = members[0]!;
  const store = new Proxy(first, {
    get(target, prop, receiver) {
      if (prop === 'start') return () => Promise.all(members.map((m) => m.start())).then(() => undefined);
      if (prop === 'stop')
        return async () => {
          for (const m of members) await m.stop(); // member 1 first: its proposals finish while a quorum runs
          for (const t of transports) await t.stop();
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as MetaStore;
  return { store, members, transports };
}
