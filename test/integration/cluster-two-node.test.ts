import test from 'ava';
import { shardIndexFor } from '../../core/model/hash.js';
import type { Point } from '../../core/model/point.js';
import { makePoint } from '../../core/testing/points.js';
import { dumpShard, startCluster, type TestNode } from '../cluster/cluster-harness.js';

// Two nodes in one process, each assembled from the real parts (TCP transport, cluster port, pool,
// tsdb-memory, cluster service, PointsWriter, query executor). Their meta stores share one command stream
// (test/cluster/shared-meta.ts), standing in for Raft replication until the multi-node meta store lands.
// Replication 1 over 2 nodes: each shard group has 2 shards, one per node.

const T0 = 1_700_000_000_000_000_000n;
const NOW = T0 + 3_600_000_000_000n;

function dataset(): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < 600; i++) {
    out.push(makePoint('cpu', { host: `h${i % 30}`, region: i % 2 ? 'east' : 'west' }, { value: (i * 7) % 101 + 0.25, n: BigInt(i) }, T0 + BigInt(i) * 5_000_000_000n));
  }
  return out;
}

const QUERIES = [
  'SELECT * FROM cpu',
  'SELECT mean(value), count(value), max(value), sum(n) FROM cpu GROUP BY host',
  `SELECT median(value), spread(value) FROM cpu WHERE region = 'east' AND time >= ${T0} AND time < ${T0 + 3_600_000_000_000n} GROUP BY time(10m), host`,
  'SELECT last(value), first(n) FROM cpu GROUP BY region',
  'SELECT count(value) FROM cpu WHERE value > 50',
];

async function run(n: TestNode, q: string) {
  return n.query(q, 'db');
}

test('points for a shard owned only by the other node arrive there; queries through either node equal a single node\'s answers', async (t) => {
  const c = await startCluster(2);
  const ref = await startCluster(1);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    const single = ref.nodes[0]!;
    await n1.meta.createDatabase('db');
    await single.meta.createDatabase('db');
    const points = dataset();
    t.deepEqual(await n1.writer.writePoints('db', '', 'one', points, NOW), { written: points.length });
    t.deepEqual(await single.writer.writePoints('db', '', 'one', points, NOW), { written: points.length });

    // Placement: the remote-owned shards hold exactly the points hashed to them, and only on node 2.
    const groups = n1.meta.retentionPolicy('db', '')!.shardGroups;
    let remotePoints = 0;
    for (const g of groups) {
      t.is(g.shards.length, 2);
      for (const [i, s] of g.shards.entries()) {
        const mine = points.filter((p) => p.time >= g.startTime && p.time < g.endTime && shardIndexFor(p.key, g.shards.length) === i);
        const owner = s.owners[0] === n1.id ? n1 : n2;
        const other = owner === n1 ? n2 : n1;
        t.is(other.store.shardInfo(s.id), undefined, `shard ${s.id} has no copy on node ${other.id}`);
        t.is(dumpShard(owner.store, s.id).length, mine.length * 2, `shard ${s.id}: two fields per point`);
        if (owner === n2) remotePoints += mine.length;
      }
    }
    t.true(remotePoints > 100, `${remotePoints} points went to node 2`);

    for (const q of QUERIES) {
      const expected = await run(single, q);
      t.falsy(expected[0]!.error, q);
      t.deepEqual(await run(n1, q), expected, `node 1: ${q}`);
      t.deepEqual(await run(n2, q), expected, `node 2: ${q}`);
    }
    t.true(n2.service.stats.mapShardReq > 0 && n1.service.stats.mapShardReq > 0, 'each node mapped shards for the other');
  } finally {
    await c.stop();
    await ref.stop();
  }
});

test('with the other node dead, a query that needs its shard fails with a clear error naming node and shard', async (t) => {
  const c = await startCluster(2, { timeoutMs: 2000 });
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db');
    await n1.writer.writePoints('db', '', 'one', dataset(), NOW);
    await n2.kill();
    const started = Date.now();
    const [r] = await run(n1, 'SELECT count(value) FROM cpu');
    t.true(Date.now() - started < 6000, 'within the 2 s deadline (plus scheduling slack)');
    t.regex(r!.error ?? '', new RegExp(`^map shard \\d+ on node ${n2.id}: `));
  } finally {
    await c.stop();
  }
});

test('replication 2 over 3 nodes: with one node dead, every query still answers in full from the replicas', async (t) => {
  const c = await startCluster(3);
  const ref = await startCluster(1);
  try {
    const [n1, n2, n3] = c.nodes as [TestNode, TestNode, TestNode];
    await n1.meta.createDatabase('db', { name: 'rf2', replicaN: 2, durationNs: 0n });
    await ref.nodes[0]!.meta.createDatabase('db');
    const points = dataset();
    await n1.writer.writePoints('db', '', 'all', points, NOW);
    await ref.nodes[0]!.writer.writePoints('db', '', 'one', points, NOW);
    // A shard owned by nodes 2 and 3 only exists (3 nodes / replication 2 = 1 shard per group, owners
    // rotating over groups); kill node 2, then ask node 1.
    const owners = n1.meta.retentionPolicy('db', '')!.shardGroups.flatMap((g) => g.shards.map((s) => [...s.owners].sort().join(',')));
    t.true(owners.includes(`${n2.id},${n3.id}`), `owners ${owners.join(' ')}`);
    await n2.kill();
    for (const q of QUERIES) {
      const expected = await run(ref.nodes[0]!, q);
      t.deepEqual(await run(n1, q), expected, q);
      t.deepEqual(await run(n1, q), expected, `${q} (again: the other owner is tried first)`);
    }
  } finally {
    await c.stop();
    await ref.stop();
  }
});

test('a query over more remote shards on one node than the pool has connections completes', async (t) => {
  // 1h shard groups over 12 hours: 12 shards on node 2, while node 1 has at most 3 connections to it and
  // the executor opens every shard's mapper before reading any.
  const c = await startCluster(2, { timeoutMs: 5000 });
  const ref = await startCluster(1);
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    const single = ref.nodes[0]!;
    const spec = { name: 'hourly', durationNs: 0n, shardGroupDurationNs: 3_600_000_000_000n };
    await n1.meta.createDatabase('db', spec);
    await single.meta.createDatabase('db', spec);
    const points = Array.from({ length: 1200 }, (_, i) => makePoint('cpu', { host: `h${i % 7}` }, { value: i * 1.5 }, T0 + BigInt(i) * 36_000_000_000n));
    await n1.writer.writePoints('db', '', 'one', points, NOW + 12n * 3_600_000_000_000n);
    await single.writer.writePoints('db', '', 'one', points, NOW + 12n * 3_600_000_000_000n);
    const remoteShards = n1.meta.retentionPolicy('db', '')!.shardGroups.flatMap((g) => g.shards).filter((s) => s.owners[0] === n2.id);
    t.true(remoteShards.length >= 10, `${remoteShards.length} shards on node 2`);
    for (const q of ['SELECT * FROM cpu', 'SELECT count(value), mean(value) FROM cpu GROUP BY host']) {
      t.deepEqual(await run(n1, q), await run(single, q), q);
    }
    t.true(n1.pool.stats(n2.id).live <= 3);
  } finally {
    await c.stop();
    await ref.stop();
  }
});

test('64 concurrent writers over both nodes with replication 2 and consistency all: both copies hold every point', async (t) => {
  const c = await startCluster(2, { timeoutMs: 5000 });
  try {
    const [n1, n2] = c.nodes as [TestNode, TestNode];
    await n1.meta.createDatabase('db', { name: 'rf2', replicaN: 2, durationNs: 0n });
    const writers = Array.from({ length: 64 }, (_, w) => {
      const node = w % 2 === 0 ? n1 : n2;
      const pts = Array.from({ length: 200 }, (_, i) => makePoint('cpu', { host: `w${w}` }, { value: i + 0.5 }, T0 + BigInt(i) * 1_000_000_000n));
      return node.writer.writePoints('db', '', 'all', pts, NOW);
    });
    const results = await Promise.all(writers);
    t.true(results.every((r) => r.written === 200 && r.drop === undefined));
    const shards = n1.meta.retentionPolicy('db', '')!.shardGroups.flatMap((g) => g.shards);
    for (const s of shards) t.deepEqual(dumpShard(n1.store, s.id), dumpShard(n2.store, s.id), `shard ${s.id} copies agree`);
    const [r] = await run(n2, 'SELECT count(value) FROM cpu');
    t.deepEqual(r!.series![0]!.values, [[0n, 64n * 200n]]);
    t.true(n1.pool.stats(n2.id).live <= 3 && n2.pool.stats(n1.id).live <= 3);
  } finally {
    await c.stop();
  }
});
