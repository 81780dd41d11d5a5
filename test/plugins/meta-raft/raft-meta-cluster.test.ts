import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../../core/errors.js';
import { MemoryNetwork, type MemoryTransport } from '../../../core/testing/memory-transport.js';
import type { RaftMetaStore, RaftMetaStoreOptions } from '../../../plugins/meta-raft/index.js';
import { memberOn } from './raft-cluster-helpers.js';

interface Member {
  address: string;
  dir: string;
  store: RaftMetaStore;
  transport: MemoryTransport;
}

async function cluster(t: { teardown: (fn: () => Promise<void>) => void }, n: number) {
  const root = await mkdtemp(join(tmpdir(), 'tessera-raft-cluster-'));
  const network = new MemoryNetwork();
  const addrs = Array.from({ length: n }, (_, i) => `node${i + 1}:8088`);
  const members: Member[] = [];
  const make = (address: string, extra: Partial<RaftMetaStoreOptions>): Member => {
    const dir = join(root, address.replace(':', '_'));
    const { store, transport } = memberOn(network, dir, address, { snapshotInterval: 20, trailingEntries: 5, ...extra });
    return { address, dir, store, transport };
  };
  for (const a of addrs) members.push(make(a, { peers: addrs }));
  t.teardown(async () => {
    for (const m of members) {
      await m.store.stop().catch(() => undefined);
      await m.transport.stop();
    }
    await rm(root, { recursive: true, force: true });
  });
  await Promise.all(members.map((m) => m.store.start()));
  return {
    members,
    network,
    /** Builds (not starts) another member; tracked for teardown. */
    add(address: string, extra: Partial<RaftMetaStoreOptions>): Member {
      const m = make(address, extra);
      members.push(m);
      return m;
    },
  };
}

function leaderOf(members: Member[]): Member | undefined {
  return members.find((m) => m.store.raft()?.status().role === 'leader');
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Simulates kill -9 of a member: its network goes away at once, then its process state. */
async function kill(m: Member): Promise<void> {
  await m.transport.stop();
  await m.store.stop().catch(() => undefined);
}

test('three peers register as nodes 1-3; a command through a follower is applied everywhere', async (t) => {
  const { members } = await cluster(t, 3);
  t.deepEqual([...members.map((m) => m.store.nodeId())].sort(), [1, 2, 3]);
  const leader = await waitFor('a leader', () => leaderOf(members));
  const follower = members.find((m) => m !== leader)!;
  const db = await follower.store.createDatabase('via_follower');
  t.is(db.name, 'via_follower');
  for (const m of members) {
    await m.store.sync();
    t.truthy(m.store.database('via_follower'), `${m.address} sees it after sync()`);
    t.is(m.store.data().nodes.length, 3);
  }
  // Errors come back from the state machine with their codes, through forwarding too.
  const err = await follower.store.createRetentionPolicy('nope', { name: 'r', durationNs: 3_600_000_000_000n }, false).catch((e: unknown) => e);
  t.true(hasCode(err, 'ERR_META_DATABASE_NOT_FOUND'));
});

test('killing the leader: survivors elect, accept commands; the killed node restarts and catches up', async (t) => {
  const { members, network } = await cluster(t, 3);
  const leader = await waitFor('a leader', () => leaderOf(members));
  await leader.store.createDatabase('before');
  const killedAt = Date.now();
  await kill(leader);
  const rest = members.filter((m) => m !== leader);
  const next = await waitFor('a new leader', () => leaderOf(rest));
  const failoverMs = Date.now() - killedAt;
  await rest[0]!.store.createDatabase('after');
  const acceptedMs = Date.now() - killedAt;
  t.log(`failover: new leader after ${failoverMs} ms, first command accepted after ${acceptedMs} ms (tick 40 ms)`);
  t.not(next, leader);
  // Restart the killed member from its directory.
  const { store, transport } = memberOn(network, leader.dir, leader.address, { peers: members.map((m) => m.address), snapshotInterval: 20 });
  leader.store = store;
  leader.transport = transport;
  await store.start();
  await store.sync();
  t.truthy(store.database('before'));
  t.truthy(store.database('after'));
  t.is(store.data().nodes.length, 3, 'no new node ID on restart');
});

test('a deposed leader fails its pending command with ERR_META_LEADERSHIP_LOST; the command is never applied', async (t) => {
  const { members } = await cluster(t, 3);
  const leader = await waitFor('a leader', () => leaderOf(members));
  // Cut the leader off: its outbound and inbound connections fail from now on.
  await leader.transport.stop();
  const err = await leader.store.createDatabase('lost').catch((e: unknown) => e);
  t.true(hasCode(err, 'ERR_META_LEADERSHIP_LOST') || hasCode(err, 'ERR_META_NOT_LEADER') || hasCode(err, 'ERR_META_RPC_FAILED'), String(err));
  const rest = members.filter((m) => m !== leader);
  await waitFor('a new leader', () => leaderOf(rest));
  await rest[0]!.store.createDatabase('later');
  for (const m of rest) {
    await m.store.sync();
    t.is(m.store.database('lost'), undefined);
  }
});

test('join: a new node joins as a learner through any member, is promoted, registers and sees the state', async (t) => {
  const { members, add } = await cluster(t, 3);
  await members[0]!.store.createDatabase('existing');
  // Enough history that the log was compacted: the joiner starts from a snapshot.
  for (let i = 0; i < 40; i++) await members[i % 3]!.store.createDatabase(`old${i}`);
  const joiner = add('node4:8088', { join: [members[2]!.address] });
  await joiner.store.start();
  t.is(joiner.store.nodeId(), 4);
  t.truthy(joiner.store.database('existing'));
  t.truthy(joiner.store.database('old39'));
  t.true(joiner.store.raft()!.snapshotsInstalled >= 1, 'caught up through InstallSnapshot');
  const leader = await waitFor('a leader', () => leaderOf(members));
  await waitFor('promotion', () => leader.store.raft()!.status().conf.voters.includes('node4:8088'));
  t.deepEqual([...leader.store.raft()!.status().conf.voters].sort(), ['node1:8088', 'node2:8088', 'node3:8088', 'node4:8088']);
  await joiner.store.createDatabase('from_joiner');
  await members[1]!.store.sync();
  t.truthy(members[1]!.store.database('from_joiner'));
});

test('a lagging member is brought up to date by a snapshot after compaction', async (t) => {
  const { members, network } = await cluster(t, 3);
  const leader = await waitFor('a leader', () => leaderOf(members));
  const lagging = members.find((m) => m !== leader)!;
  await kill(lagging);
  for (let i = 0; i < 60; i++) await leader.store.createDatabase(`db${i}`);
  const { store, transport } = memberOn(network, lagging.dir, lagging.address, { peers: members.map((m) => m.address), snapshotInterval: 20 });
  lagging.store = store;
  lagging.transport = transport;
  await store.start();
  await store.sync();
  t.is(store.data().databases.length, 60);
  t.true(store.raft()!.snapshotsInstalled >= 1, 'caught up through InstallSnapshot');
});

test('removeNode also removes the Raft member; the rest keep committing', async (t) => {
  const { members } = await cluster(t, 3);
  const victim = members[2]!;
  const id = victim.store.nodeId();
  await members[0]!.store.removeNode(id, true);
  const leader = await waitFor('a leader', () => leaderOf(members.slice(0, 2)));
  await waitFor('the member removed', () => !leader.store.raft()!.status().conf.voters.includes(victim.address)).catch((err: unknown) => {
    t.log(members.map((m) => JSON.stringify({ ...m.store.raft()!.status(), progress: [...m.store.raft()!.status().progress] })).join('\n'));
    throw err;
  });
  await kill(victim);
  await members[1]!.store.createDatabase('two_left');
  await members[0]!.store.sync();
  t.truthy(members[0]!.store.database('two_left'));
  t.deepEqual(members[0]!.store.data().nodes.map((n) => n.id).includes(id), false);
});

test('§3.3-34 forced recovery: with 2 of 3 members lost for good, the survivor restarts as a cluster of one', async (t) => {
  const { members, network } = await cluster(t, 3);
  await members[0]!.store.createDatabase('kept');
  const survivor = members[0]!;
  await members[0]!.store.sync();
  for (const m of members) await kill(m);
  const { store, transport } = memberOn(network, survivor.dir, survivor.address, { peers: members.map((m) => m.address), forceSoleVoter: true });
  survivor.store = store;
  survivor.transport = transport;
  await store.start();
  t.deepEqual(store.raft()!.status().conf.voters, [survivor.address]);
  t.truthy(store.database('kept'));
  await store.createDatabase('after_recovery');
  t.truthy(store.database('after_recovery'));
});

test('§3.3-23 a full-cluster restart: each member starts from its own state without waiting for a quorum', async (t) => {
  const { members, network } = await cluster(t, 3);
  await members[1]!.store.createDatabase('durable');
  for (const m of members) await m.store.sync();
  const id3 = members[2]!.store.nodeId();
  for (const m of members) await kill(m);
  const restart = (m: Member) => {
    const { store, transport } = memberOn(network, m.dir, m.address, { peers: members.map((x) => x.address), leaderWaitMs: 300 });
    m.store = store;
    m.transport = transport;
    return store;
  };
  const first = restart(members[2]!);
  await first.start();
  t.truthy(first.database('durable'), 'local state at once');
  t.is(first.nodeId(), id3);
  const err = await first.sync().catch((e: unknown) => e);
  t.true(hasCode(err, 'ERR_META_NOT_LEADER'), 'no quorum yet: sync() cannot be linearizable');
  await Promise.all([restart(members[0]!).start(), restart(members[1]!).start()]);
  await waitFor('a leader', () => leaderOf(members) && members.every((m) => m.store.raft()!.status().leader !== ''));
  await first.sync();
  await first.createDatabase('after_restart');
  for (const m of members) {
    await m.store.sync();
    t.truthy(m.store.database('after_restart'));
  }
});

test('§3.3-35 a leader stopping gracefully hands leadership over (TimeoutNow) instead of leaving an election timeout', async (t) => {
  const { members } = await cluster(t, 3);
  const leader = await waitFor('a leader', () => leaderOf(members));
  await leader.store.createDatabase('before_handoff');
  const t0 = Date.now();
  await leader.store.stop();
  const rest = members.filter((m) => m !== leader);
  const next = await waitFor('a new leader', () => leaderOf(rest));
  t.log(`graceful stop of the leader: new leader ${Date.now() - t0} ms after stop() began (election timeout 400-800 ms)`);
  await next.store.createDatabase('after_handoff');
  t.truthy(next.store.database('before_handoff'));
});
