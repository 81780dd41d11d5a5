import test from 'ava';
import { Raft, bootstrapEntry } from '../../../../plugins/meta-raft/raft/raft.js';
import type { ConfChange, Entry } from '../../../../plugins/meta-raft/raft/types.js';
import { SimCluster, T_MS, type SimNode } from './sim/sim-cluster.js';
import { drain, ids, step } from './sim/helpers.js';

function change(sim: SimCluster, node: SimNode, cc: ConfChange) {
  const out = node.raft.proposeConfChange(cc);
  sim.process(node);
  return out;
}

/** Runs until `node` leads again or another node does; returns the current leader. */
function settle(sim: SimCluster, ms = 5 * T_MS): SimNode {
  const l = sim.awaitLeader(ms)!;
  sim.runFor(T_MS / 2); // let the no-op commit
  return l;
}

test('§3.3-29 a learner catches up without voting or counting for commit, then is promoted', (t) => {
  const sim = new SimCluster(31, ids(3));
  let leader = settle(sim);
  for (let i = 0; i < 20; i++) sim.propose(leader);
  sim.runFor(T_MS);
  const learner = sim.addNode('n4', false);
  t.true(change(sim, leader, { op: 'addLearner', id: 'n4' }).ok);
  sim.runFor(2 * T_MS);
  t.deepEqual(learner.applied, leader.applied, 'the learner caught up');
  t.deepEqual(leader.raft.conf.learners, ['n4']);
  t.false(learner.raft.isVoter());
  // With two voters down, the learner cannot make a quorum.
  const others = [...sim.nodes.values()].filter((n) => n !== leader && n !== learner);
  sim.crash(others[0]!);
  sim.crash(others[1]!);
  const before = leader.raft.log.committed;
  sim.propose(leader);
  sim.runFor(T_MS / 2);
  t.is(leader.raft.log.committed, before, 'a learner does not count toward commit');
  sim.restart(others[0]!);
  sim.restart(others[1]!);
  leader = settle(sim, 10 * T_MS);
  sim.runFor(T_MS);
  t.true(change(sim, leader, { op: 'promote', id: 'n4' }).ok);
  sim.runFor(T_MS);
  t.deepEqual([...learner.raft.conf.voters].sort(), ['n1', 'n2', 'n3', 'n4']);
  t.true(learner.raft.isVoter());
  t.deepEqual(sim.checkHistory(), []);
});

test('§3.3-30 one change at a time, and only after the new leader committed an entry of its own term', (t) => {
  // n1 becomes leader of term 3 with an uncommitted conf entry from term 2 in its log.
  const pendingConf: Entry = { index: 2, term: 2, kind: 'conf', data: JSON.stringify({ op: 'addLearner', id: 'n4' }) };
  const r = new Raft(
    { id: 'n1', electionTicks: 10, heartbeatTicks: 2, random: () => 0, preVote: false },
    { hardState: { term: 2, vote: '', commit: 1 }, entries: [bootstrapEntry(['n1', 'n2', 'n3']), pendingConf] },
  );
  r.campaignNow();
  drain(r);
  step(r, { type: 'voteResp', from: 'n2', to: 'n1', term: 3, reject: false });
  t.is(r.role, 'leader');
  t.like(r.proposeConfChange({ op: 'addLearner', id: 'n5' }), { ok: false, reason: 'conf-pending' }, 'its own no-op is not committed yet');
  // n2 acknowledges the old conf entry only: still nothing of term 3 committed.
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 2, reject: false });
  t.is(r.log.committed, 1);
  t.like(r.proposeConfChange({ op: 'addLearner', id: 'n5' }), { ok: false });
  // The no-op commits (and with it the old change): now one new change is accepted, and only one.
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 3, reject: false });
  t.is(r.log.committed, 3);
  t.deepEqual(r.conf.learners, ['n4']);
  t.true(r.proposeConfChange({ op: 'addLearner', id: 'n5' }).ok);
  t.like(r.proposeConfChange({ op: 'promote', id: 'n4' }), { ok: false, reason: 'conf-pending' });
  step(r, { type: 'appResp', from: 'n2', to: 'n1', term: 3, index: 4, reject: false });
  t.deepEqual(r.conf.learners, ['n4', 'n5']);
  t.true(r.proposeConfChange({ op: 'promote', id: 'n4' }).ok);
});

test('invalid changes are refused: promote a non-learner, add a member twice, remove the last voter', (t) => {
  const sim = new SimCluster(34, ['solo']);
  const solo = settle(sim);
  t.like(change(sim, solo, { op: 'promote', id: 'x' }), { ok: false, reason: 'conf-invalid' });
  t.like(change(sim, solo, { op: 'addLearner', id: 'solo' }), { ok: false, reason: 'conf-invalid' });
  t.like(change(sim, solo, { op: 'remove', id: 'solo' }), { ok: false, reason: 'conf-invalid' });
});

test('§3.3-31 a removed follower leaves the quorum and cannot disrupt the cluster', (t) => {
  const sim = new SimCluster(35, ids(3));
  const leader = settle(sim);
  const victim = [...sim.nodes.values()].find((n) => n !== leader)!;
  t.true(change(sim, leader, { op: 'remove', id: victim.id }).ok);
  sim.runFor(T_MS);
  t.false(leader.raft.isVoter(victim.id));
  const term = leader.raft.term;
  // The removed node keeps running, with its own (stale or current) config, isolated from the leader.
  sim.cut.add(`${leader.id}>${victim.id}`);
  for (let i = 0; i < 10; i++) {
    sim.propose(leader);
    sim.runFor(T_MS);
  }
  t.is(sim.leader(), leader);
  t.is(leader.raft.term, term);
  t.true(sim.history.acked.size >= 10, 'a cluster of two commits');
});

test('§3.3-32 a removed leader steps down and the rest elect a new leader', (t) => {
  const sim = new SimCluster(36, ids(3));
  const leader = settle(sim);
  t.true(change(sim, leader, { op: 'remove', id: leader.id }).ok);
  sim.runFor(T_MS);
  t.not(leader.raft.role, 'leader');
  sim.crash(leader);
  const next = settle(sim, 10 * T_MS);
  t.not(next, leader);
  t.is(next.raft.conf.voters.length, 2);
  t.truthy(sim.propose(next));
  sim.runFor(T_MS);
  t.deepEqual(sim.checkHistory(), []);
});

test('§3.3-33 a removed, partitioned node that heals neither regains membership nor bumps terms', (t) => {
  const sim = new SimCluster(37, ids(3));
  const leader = settle(sim);
  const victim = [...sim.nodes.values()].find((n) => n !== leader)!;
  sim.isolate(victim.id);
  t.true(change(sim, leader, { op: 'remove', id: victim.id }).ok);
  sim.runFor(10 * T_MS);
  const term = leader.raft.term;
  sim.heal();
  sim.runFor(10 * T_MS);
  t.is(sim.leader(), leader);
  t.is(leader.raft.term, term);
  t.false(leader.raft.conf.voters.includes(victim.id));
});

test('§3.3-35 leadership transfer: completes within one timeout, catches a lagging target up, refuses bad targets', (t) => {
  const sim = new SimCluster(38, ids(3));
  const leader = settle(sim);
  t.like(leader.raft.transferLeader(leader.id), { ok: false });
  t.like(leader.raft.transferLeader('nobody'), { ok: false });
  const target = [...sim.nodes.values()].find((n) => n !== leader)!;
  // Make the target lag first.
  sim.isolate(target.id);
  for (let i = 0; i < 5; i++) sim.propose(leader);
  sim.runFor(T_MS / 2);
  sim.heal();
  t.true(leader.raft.transferLeader(target.id).ok);
  sim.process(leader);
  t.is(sim.propose(leader), undefined, 'proposals are refused during a transfer');
  sim.runFor(T_MS);
  t.is(sim.leader(), target);
  t.deepEqual(target.applied.slice(0, 5), leader.applied.slice(0, 5));
  // Learners are not valid targets.
  sim.addNode('n4', false);
  sim.runFor(T_MS);
  t.true(change(sim, target, { op: 'addLearner', id: 'n4' }).ok);
  sim.runFor(T_MS);
  t.like(target.raft.transferLeader('n4'), { ok: false, reason: 'conf-invalid' });
});

test('§3.3-35 a transfer to an unreachable node aborts after one timeout', (t) => {
  const sim = new SimCluster(39, ids(3));
  const leader = settle(sim);
  const target = [...sim.nodes.values()].find((n) => n !== leader)!;
  sim.isolate(target.id);
  sim.propose(leader);
  sim.runFor(5);
  t.true(leader.raft.transferLeader(target.id).ok);
  sim.runFor(T_MS + 3 * 10);
  t.is(leader.raft.transferee(), '');
  t.truthy(sim.propose(leader), 'proposals accepted again');
});

test('§3.3-36 ReadIndex: a leader cut off in a minority cannot serve a read that misses a majority write', (t) => {
  const sim = new SimCluster(40, ids(3));
  const old = settle(sim);
  sim.isolate(old.id);
  let fresh = old;
  for (let i = 0; i < 50 && fresh === old; i++) {
    sim.runFor(T_MS / 5);
    fresh = [...sim.nodes.values()].find((n) => n !== old && n.raft.role === 'leader') ?? old;
  }
  t.not(fresh, old);
  sim.runFor(T_MS / 2);
  const cmd = sim.propose(fresh)!;
  sim.runFor(T_MS / 2);
  t.true(sim.history.acked.has(cmd));
  let answer: boolean | undefined;
  if (old.raft.role === 'leader') sim.read(old, (ok) => (answer = ok));
  sim.runFor(3 * T_MS);
  t.not(answer, true, 'the stale leader never confirms the read');
  let readIndex = -1;
  sim.read(fresh, (ok, idx) => (readIndex = ok ? idx : -2));
  sim.runFor(T_MS / 2);
  t.true(readIndex >= sim.history.appliedAt.size - 1);
});

test('§3.3-37 a new leader answers ReadIndex only after its own-term entry commits', (t) => {
  const sim = new SimCluster(41, ids(3));
  const n1 = sim.nodes.get('n1')!;
  n1.raft.campaignNow();
  sim.process(n1);
  let guard = 0;
  while (n1.raft.role !== 'leader' && guard++ < 100) sim.runFor(1);
  t.is(n1.raft.role, 'leader');
  const committedOwnTerm = n1.raft.log.term(n1.raft.log.committed) === n1.raft.term;
  let got: number | undefined;
  sim.read(n1, (ok, idx) => (got = ok ? idx : -1));
  if (!committedOwnTerm) t.is(got, undefined, 'not answered before the no-op commits');
  sim.runFor(T_MS);
  t.true(got !== undefined && got >= 2, `answered at ${got}, after the no-op`);
});
