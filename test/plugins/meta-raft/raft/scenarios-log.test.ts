import test from 'ava';
import { Raft } from '../../../../plugins/meta-raft/raft/raft.js';
import type { Entry } from '../../../../plugins/meta-raft/raft/types.js';
import { SimCluster, T_MS } from './sim/sim-cluster.js';
import { bootstrapEntry } from '../../../../plugins/meta-raft/raft/raft.js';
import { drain, ids, step } from './sim/helpers.js';

const e = (index: number, term: number, data = `e${index}`): Entry => ({ index, term, kind: 'cmd', data });

/** A leader of `term` over `entries` (after the bootstrap entry), elected by n2's vote. */
function leaderWith(term: number, entries: Entry[], voters = ['n1', 'n2', 'n3']): Raft {
  const r = new Raft(
    { id: 'n1', electionTicks: 10, heartbeatTicks: 2, random: () => 0, preVote: false },
    { hardState: { term: term - 1, vote: '', commit: 1 }, entries: [bootstrapEntry(voters), ...entries] },
  );
  r.campaignNow();
  drain(r);
  step(r, { type: 'voteResp', from: 'n2', to: 'n1', term, reject: false });
  return r;
}

test('§3.3-12 a conflicting uncommitted suffix is overwritten; committed entries are kept', (t) => {
  const f = new Raft(
    { id: 'n2', electionTicks: 10, heartbeatTicks: 2, random: () => 0 },
    { hardState: { term: 2, vote: '', commit: 2 }, entries: [bootstrapEntry(['n1', 'n2', 'n3']), e(2, 2), e(3, 2, 'stale'), e(4, 2, 'stale')] },
  );
  const out = step(f, { type: 'app', from: 'n1', to: 'n2', term: 3, prevIndex: 2, prevTerm: 2, entries: [e(3, 3), e(4, 3)], commit: 4 });
  t.deepEqual(f.log.slice(1, 10).map((x) => [x.index, x.term, x.data]), [
    [1, 1, bootstrapEntry(['n1', 'n2', 'n3']).data],
    [2, 2, 'e2'],
    [3, 3, 'e3'],
    [4, 3, 'e4'],
  ]);
  t.is(f.log.committed, 4);
  t.deepEqual(out.map((m) => m.type === 'appResp' && [m.index, m.reject]), [[4, false]]);
  // A (duplicated) older append below the commit index truncates nothing.
  step(f, { type: 'app', from: 'n1', to: 'n2', term: 3, prevIndex: 1, prevTerm: 1, entries: [e(2, 2)], commit: 4 });
  t.is(f.log.lastIndex(), 4);
});

test('§3.3-13 figure 8: an old-term entry is not committed by counting; the new leader\'s no-op commits it', (t) => {
  const r = leaderWith(4, [e(2, 2)]);
  t.is(r.role, 'leader');
  t.is(r.log.lastIndex(), 3, 'a no-op was appended on election');
  // n2 acknowledges only the old-term entry: a majority holds it, but it is not of term 4.
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 4, index: 2, reject: false });
  t.is(r.log.committed, 1);
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 4, index: 3, reject: false });
  t.is(r.log.committed, 3);
});

test('§3.3-16 fast backtracking: thousands of divergent entries converge in a few round trips', (t) => {
  const leaderLog: Entry[] = [];
  const followerLog: Entry[] = [];
  for (let i = 2; i <= 3001; i++) {
    leaderLog.push(e(i, i < 1000 ? 2 : 5));
    followerLog.push(e(i, i < 1000 ? 2 : i < 2000 ? 3 : 4, 'f'));
  }
  const l = leaderWith(6, leaderLog);
  const f = new Raft(
    { id: 'n2', electionTicks: 10, heartbeatTicks: 2, random: () => 0 },
    { hardState: { term: 4, vote: '', commit: 1 }, entries: [bootstrapEntry(['n1', 'n2', 'n3']), ...followerLog] },
  );
  let rejections = 0;
  l.tick();
  l.tick(); // a heartbeat round starts the probe
  let inbound = drain(l).filter((m) => m.to === 'n2');
  t.true(inbound.length > 0);
  for (let round = 0; round < 500 && inbound.length > 0; round++) {
    const replies = inbound.flatMap((m) => step(f, m));
    rejections += replies.filter((m) => m.type === 'appResp' && m.reject).length;
    inbound = replies.flatMap((m) => step(l, m)).filter((m) => m.to === 'n2');
  }
  t.true(rejections <= 4, `${rejections} rejections`);
  t.is(f.log.lastIndex(), l.log.lastIndex());
  t.is(f.log.term(2500), 5);
});

test('§3.3-17 duplicated and reordered append responses never move match backwards', (t) => {
  const r = leaderWith(3, []);
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 2, reject: false });
  for (let i = 0; i < 5; i++) r.propose(`x${i}`);
  drain(r);
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 7, reject: false });
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 4, reject: false });
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 3, reject: true, hintIndex: 2, hintTerm: 3 });
  t.is(r.progressView().get('n2')!.match, 7);
  t.is(r.log.committed, 7);
});

test('§3.3-18 a dead follower does not grow the leader\'s outbound traffic without bound', (t) => {
  const r = leaderWith(3, []);
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 2, reject: false });
  step(r, { type: 'appResp', from: 'n3', to: 'n1', term: 3, index: 2, reject: false });
  let toN3 = 0;
  for (let i = 0; i < 500; i++) {
    r.propose(`x${i}`);
    for (const m of drain(r)) {
      if (m.to === 'n3') toN3++;
      if (m.to === 'n2' && m.type === 'app' && m.entries.length > 0) step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: m.entries.at(-1)!.index, reject: false });
    }
  }
  t.is(r.log.committed, 502);
  t.true(toN3 <= 16, `${toN3} appends to the dead follower (cap 16)`);
});

test('§3.3-19 a proposal on a follower is refused with the leader hint, never dropped silently', (t) => {
  const sim = new SimCluster(3, ids(3));
  const leader = sim.awaitLeader(5 * T_MS)!;
  const follower = [...sim.nodes.values()].find((n) => n !== leader)!;
  t.deepEqual(follower.raft.propose('x'), { ok: false, reason: 'not-leader', leader: leader.id });
});

test('§3.3-20 proposals pending on a deposed leader are never reported as successes unless applied', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const sim = new SimCluster(seed, ids(3));
    const old = sim.awaitLeader(5 * T_MS)!;
    sim.isolate(old.id);
    const lost = [sim.propose(old)!, sim.propose(old)!];
    sim.runFor(3 * T_MS);
    const fresh = sim.leader()!;
    t.not(fresh, old);
    sim.propose(fresh);
    sim.runFor(T_MS);
    sim.heal();
    sim.runFor(5 * T_MS);
    for (const c of lost) t.false(sim.history.acked.has(c), `seed ${seed}: ${c}`);
    t.deepEqual(sim.checkHistory(), []);
    t.false(old.applied.some((c) => lost.includes(c)));
  }
});

test('§3.3-21/23 crashes between write and sync, then a full-cluster restart in random order, lose no acknowledged entry', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const sim = new SimCluster(seed, ids(3));
    sim.awaitLeader(5 * T_MS);
    sim.crashInReady = 0.05;
    sim.every(7, 0, () => {
      const l = sim.leader();
      if (l) sim.propose(l);
    });
    sim.every(3 * T_MS, T_MS, () => {
      for (const n of sim.nodes.values()) if (!n.alive) sim.restart(n);
    });
    sim.runFor(20 * T_MS);
    sim.crashInReady = 0;
    const order = [...sim.nodes.values()].sort(() => sim.rand() - 0.5);
    for (const n of order) if (n.alive) sim.crash(n);
    order.forEach((n, i) => sim.after(i * 37, () => sim.restart(n)));
    sim.runFor(2 * T_MS);
    t.truthy(sim.awaitLeader(10 * T_MS), `seed ${seed}: leader after full restart`);
    sim.runFor(5 * T_MS);
    t.deepEqual(sim.checkHistory(), [], `seed ${seed}`);
    t.true(sim.history.acked.size > 0);
  }
});

test('§3.3-24 a single-node cluster commits at once and keeps its state over restarts', (t) => {
  const sim = new SimCluster(5, ['solo']);
  const solo = sim.awaitLeader(3 * T_MS)!;
  const cmd = sim.propose(solo)!;
  t.true(sim.history.acked.has(cmd), 'committed and applied in the same Ready, after the sync');
  sim.crash(solo);
  sim.restart(solo);
  sim.runFor(T_MS);
  t.deepEqual(solo.applied, [cmd]);
  t.truthy(sim.awaitLeader(3 * T_MS));
});

test('§3.3-25/26 snapshots compact the log; a follower behind the compaction point gets InstallSnapshot and then appends', (t) => {
  const sim = new SimCluster(21, ids(3));
  sim.snapshotEvery = 10;
  const leader = sim.awaitLeader(5 * T_MS)!;
  const lagging = [...sim.nodes.values()].find((n) => n !== leader)!;
  sim.crash(lagging);
  for (let i = 0; i < 60; i++) {
    sim.propose(leader);
    sim.runFor(5);
  }
  t.true(leader.raft.log.snapIndex > 20, 'the leader compacted');
  let snaps = 0;
  const deliver = sim.deliver.bind(sim);
  sim.deliver = (m) => {
    if (m.type === 'snap') snaps++;
    deliver(m);
  };
  sim.restart(lagging);
  sim.runFor(5 * T_MS);
  t.true(snaps >= 1);
  sim.propose(leader);
  sim.runFor(T_MS);
  t.deepEqual(lagging.applied, leader.applied);
  // Restart from snapshot + tail gives the same state.
  sim.crash(leader);
  sim.restart(leader);
  sim.runFor(T_MS);
  t.deepEqual(leader.applied, lagging.applied);
  t.deepEqual(sim.checkHistory(), []);
});

test('§3.3-27 a lost snapshot is resent; a partial one is never applied', (t) => {
  const sim = new SimCluster(22, ids(3));
  sim.snapshotEvery = 5;
  const leader = sim.awaitLeader(5 * T_MS)!;
  const lagging = [...sim.nodes.values()].find((n) => n !== leader)!;
  sim.crash(lagging);
  for (let i = 0; i < 30; i++) sim.propose(leader);
  sim.runFor(T_MS);
  let dropped = 0;
  const deliver = sim.deliver.bind(sim);
  sim.deliver = (m) => {
    if (m.type === 'snap' && dropped < 2) {
      dropped++;
      return;
    }
    deliver(m);
  };
  sim.restart(lagging);
  sim.runFor(10 * T_MS);
  t.is(dropped, 2);
  t.deepEqual(lagging.applied, leader.applied);
});

test('§3.3-14 leader completeness: the leader dies right after acknowledging; every later leader has the entry', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const sim = new SimCluster(seed, ids(5));
    const leader = sim.awaitLeader(5 * T_MS)!;
    const cmd = sim.propose(leader)!;
    let guard = 0;
    while (!sim.history.acked.has(cmd) && guard++ < 1000) sim.runFor(1);
    t.true(sim.history.acked.has(cmd));
    sim.crash(leader);
    const next = sim.awaitLeader(10 * T_MS)!;
    t.not(next, leader);
    t.true(next.raft.log.slice(1, next.raft.log.lastIndex()).some((e) => e.data === cmd), `seed ${seed}`);
  }
});

test('§3.3-28 a snapshot carries the membership: a member restored from it knows the voters and learners', (t) => {
  const sim = new SimCluster(23, ids(3));
  sim.snapshotEvery = 5;
  const leader = sim.awaitLeader(5 * T_MS)!;
  sim.runFor(T_MS / 2);
  t.true(leader.raft.proposeConfChange({ op: 'addLearner', id: 'n4' }).ok);
  sim.process(leader);
  sim.runFor(T_MS);
  for (let i = 0; i < 30; i++) sim.propose(leader);
  sim.runFor(T_MS);
  t.true(leader.raft.log.snapIndex > 10);
  // n4 joins late: the leader's log before the snapshot is gone, so it gets the snapshot.
  const n4 = sim.addNode('n4', false);
  sim.runFor(3 * T_MS);
  t.truthy(n4.raft.currentSnapshot());
  t.deepEqual(n4.raft.conf, leader.raft.conf);
  t.deepEqual([...n4.raft.conf.voters].sort(), ['n1', 'n2', 'n3']);
  t.deepEqual(n4.raft.conf.learners, ['n4']);
  t.deepEqual(n4.applied, leader.applied);
});

test('a ReadIndex whose confirming heartbeats were lost is answered by the next heartbeat round', (t) => {
  const r = leaderWith(3, []);
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 2, reject: false }); // the no-op commits
  t.is(r.log.committed, 2);
  t.true(r.readIndex('r1'));
  const lost = drain(r);
  t.true(lost.some((m) => m.type === 'heartbeat' && m.ctx === 'r1'), 'a confirmation round went out (and is lost)');
  r.tick();
  r.tick(); // heartbeat interval
  const round = drain(r).filter((m) => m.type === 'heartbeat' && m.to === 'n2');
  t.is(round.length, 1);
  t.is((round[0] as { ctx?: string }).ctx, 'r1');
  r.step({ type: 'heartbeatResp', from: 'n2', to: 'n1', term: 3, ctx: 'r1' });
  t.deepEqual(r.ready().readStates, [{ ctx: 'r1', index: 2 }]);
});

test('safety valve: a leader that cannot commit refuses proposals past the uncommitted limit', (t) => {
  const r = new Raft(
    { id: 'n1', electionTicks: 10, heartbeatTicks: 2, random: () => 0, preVote: false, maxUncommitted: 10 },
    { hardState: { term: 2, vote: '', commit: 1 }, entries: [bootstrapEntry(['n1', 'n2', 'n3'])] },
  );
  r.campaignNow();
  drain(r);
  step(r, { type: 'voteResp', from: 'n2', to: 'n1', term: 3, reject: false });
  let accepted = 0;
  for (let i = 0; i < 20; i++) if (r.propose(`x${i}`).ok) accepted++;
  t.is(accepted, 9, 'the no-op plus 9 proposals fill the 10 uncommitted slots');
  t.like(r.propose('more'), { ok: false, reason: 'overloaded' });
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: r.log.lastIndex(), reject: false });
  t.true(r.propose('again').ok);
});
