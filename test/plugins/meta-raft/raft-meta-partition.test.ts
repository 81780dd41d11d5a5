import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conn, Transport } from '../../../core/contracts/transport.js';
import { TesseraError } from '../../../core/errors.js';
import { MemoryNetwork, type MemoryTransport } from '../../../core/testing/memory-transport.js';
import type { RaftMetaStore } from '../../../plugins/meta-raft/index.js';
import { memberOn } from './raft-cluster-helpers.js';

/** Dials through a real transport unless the link is cut; cutting also drops live connections. */
class Links {
  private readonly blocked = new Set<string>();
  private readonly conns = new Map<string, Set<Conn>>();

  dialer(self: string, transport: MemoryTransport): Pick<Transport, 'dial'> {
    return {
      dial: async (address, muxByte, options) => {
        const key = `${self}>${address}`;
        if (this.blocked.has(key)) throw new TesseraError('ERR_TRANSPORT_DIAL_FAILED', `dial ${address} failed: partitioned`);
        const conn = await transport.dial(address, muxByte, options);
        let set = this.conns.get(key);
        if (!set) this.conns.set(key, (set = new Set()));
        set.add(conn);
        conn.once('close', () => set.delete(conn));
        return conn;
      },
    };
  }

  isolate(node: string, others: readonly string[]): void {
    for (const o of others) {
      for (const key of [`${node}>${o}`, `${o}>${node}`]) {
        this.blocked.add(key);
        for (const c of this.conns.get(key) ?? []) c.destroy();
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }
}

test('partitioning the leader away under a write load: every acknowledged command is applied once on every member', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'tessera-raft-partition-'));
  const network = new MemoryNetwork();
  const links = new Links();
  const addrs = ['p1:8088', 'p2:8088', 'p3:8088'];
  // Each member dials through a link that can be cut (the listener stays the real transport).
  const built = addrs.map((a) =>
    memberOn(network, join(root, a.replace(':', '_')), a, { peers: addrs, leaderWaitMs: 3000 }, (tr) => links.dialer(a, tr)),
  );
  const stores: RaftMetaStore[] = built.map((b) => b.store);
  try {
    await Promise.all(stores.map((s) => s.start()));
    const acked: string[] = [];
    const failed = new Map<string, string>();
    let n = 0;
    let running = true;
    const client = async (): Promise<void> => {
      while (running) {
        const name = `c${n++}`;
        const via = stores[n % 3]!;
        try {
          await via.createDatabase(name);
          acked.push(name);
        } catch (err) {
          failed.set(name, (err as { code?: string }).code ?? String(err));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const clients = [client(), client()];
    await new Promise((r) => setTimeout(r, 300));
    const leaderIdx = stores.findIndex((s) => s.raft()!.status().role === 'leader');
    const isolated = addrs[leaderIdx >= 0 ? leaderIdx : 0]!;
    links.isolate(isolated, addrs.filter((a) => a !== isolated));
    await new Promise((r) => setTimeout(r, 1500));
    links.heal();
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(clients);
    // Let everyone converge, then compare.
    for (const s of stores) {
      for (let i = 0; ; i++) {
        try {
          await s.sync();
          break;
        } catch (err) {
          if (i > 50) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    const names = stores.map((s) => s.data().databases.map((d) => d.name));
    t.deepEqual(names[1], names[0]);
    t.deepEqual(names[2], names[0]);
    const present = new Set(names[0]);
    for (const a of acked) t.true(present.has(a), `acknowledged ${a} is applied`);
    for (const [name, code] of failed) if (code === 'ERR_META_PROPOSAL_DROPPED') t.false(present.has(name), `${name} reported dropped`);
    t.log(`${acked.length} acknowledged, ${failed.size} failed (${[...new Set(failed.values())].join(', ')}), ${present.size} applied`);
    t.true(acked.length > 20);
  } finally {
    for (const s of stores) await s.stop().catch(() => undefined);
    for (const b of built) await b.transport.stop();
    await rm(root, { recursive: true, force: true });
  }
});
