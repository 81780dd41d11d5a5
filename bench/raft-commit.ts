// Meta Raft commit cost: `node dist/bench/raft-commit.js [--members 3] [--commands 300] [--concurrency 32]`.
// Members run in this process over the in-memory transport with real files (every Ready is fsynced), so
// the numbers are Raft + fsync + apply, without TCP. Prints sequential latency and concurrent throughput.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../core/logger.js';
import { MemoryNetwork, MemoryTransport } from '../core/testing/memory-transport.js';
import { RaftMetaStore, transportMux } from '../plugins/meta-raft/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const members = arg('members', 3);
const commands = arg('commands', 300);
const concurrency = arg('concurrency', 32);

const root = await mkdtemp(join(tmpdir(), 'tessera-raft-bench-'));
const network = new MemoryNetwork();
const addrs = Array.from({ length: members }, (_, i) => `b${i + 1}:8088`);
const transports: MemoryTransport[] = [];
const stores = addrs.map((address, i) => {
  const transport = new MemoryTransport(network);
  transports.push(transport);
  void transport.start();
  return new RaftMetaStore({
    dir: join(root, `m${i}`),
    address,
    logger: silentLogger(),
    transport,
    serve: transportMux(transport, address).serve,
    peers: members > 1 ? addrs : [],
    join: [],
    snapshotInterval: 1000,
  });
});
try {
  await Promise.all(stores.map((s) => s.start()));
  const leader = stores.find((s) => s.raft()!.status().role === 'leader') ?? stores[0]!;
  const follower = stores.find((s) => s !== leader);

  const pct = (xs: number[], p: number): number => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const sequential = async (store: RaftMetaStore, prefix: string): Promise<number[]> => {
    const lat: number[] = [];
    for (let i = 0; i < commands; i++) {
      const t0 = performance.now();
      await store.createDatabase(`${prefix}${i}`);
      lat.push(performance.now() - t0);
    }
    return lat;
  };
  const onLeader = await sequential(leader, 'l');
  process.stdout.write(`members=${members} sequential on leader: p50 ${pct(onLeader, 50).toFixed(2)} ms, p99 ${pct(onLeader, 99).toFixed(2)} ms\n`);
  if (follower) {
    const viaFollower = await sequential(follower, 'f');
    process.stdout.write(`members=${members} sequential via follower (forwarded): p50 ${pct(viaFollower, 50).toFixed(2)} ms, p99 ${pct(viaFollower, 99).toFixed(2)} ms\n`);
  }
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < commands * 3) await leader.createDatabase(`c${next++}`);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`members=${members} concurrent (${concurrency} in flight): ${((commands * 3) / secs).toFixed(0)} commands/s\n`);
  const t1 = performance.now();
  for (let i = 0; i < 100; i++) await (follower ?? leader).sync();
  process.stdout.write(`members=${members} sync() (ReadIndex${follower ? ' via the leader' : ''}): ${((performance.now() - t1) / 100).toFixed(2)} ms each\n`);
} finally {
  for (const s of stores) await s.stop();
  for (const t of transports) await t.stop();
  await rm(root, { recursive: true, force: true });
}
