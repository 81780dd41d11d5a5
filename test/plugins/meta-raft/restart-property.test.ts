import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetaStore } from '../../../core/contracts/meta-store.js';
import { silentLogger } from '../../../core/logger.js';
import { MetaRaftStore } from '../../../plugins/meta-raft/index.js';

const H = 3_600_000_000_000n;
type Op = (s: MetaStore) => Promise<unknown>;
const db = fc.constantFrom('a', 'b');
const op: fc.Arbitrary<Op> = fc.oneof(
  db.map((d) => (s: MetaStore) => s.createDatabase(d)),
  db.map((d) => (s: MetaStore) => s.dropDatabase(d)),
  fc.tuple(db, fc.constantFrom(0n, 2n * H, 100n * H)).map(([d, dur]) => (s: MetaStore) => s.createRetentionPolicy(d, { name: 'r', durationNs: dur, replicaN: 1 }, true)),
  db.map((d) => (s: MetaStore) => s.dropRetentionPolicy(d, 'r')),
  fc.tuple(db, fc.bigInt({ min: 0n, max: 500n * H })).map(([d, t]) => (s: MetaStore) => s.createShardGroupIfNotExists(d, '', t)),
  fc.tuple(db, fc.integer({ min: 1, max: 6 })).map(([d, id]) => (s: MetaStore) => s.deleteShardGroup(d, '', id)),
  fc.constantFrom('u', 'v').map((u) => (s: MetaStore) => s.createUser(u, 'h', false)),
);

test('any command sequence, any snapshot interval: a restarted store has the same state', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.integer({ min: 1, max: 6 }), async (ops, interval) => {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-meta-prop-'));
      try {
        const mk = () => new MetaRaftStore({ dir, address: 'n:1', logger: silentLogger(), snapshotInterval: interval, now: () => 5n });
        const s = mk();
        await s.start();
        // half sequential, half concurrent (group commit)
        for (const o of ops.slice(0, ops.length >> 1)) await o(s).catch(() => undefined);
        await Promise.all(ops.slice(ops.length >> 1).map((o) => o(s).catch(() => undefined)));
        const before = s.data();
        await s.stop();
        const again = mk();
        await again.start();
        t.deepEqual(again.data(), before);
        await again.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 25 },
  );
});
