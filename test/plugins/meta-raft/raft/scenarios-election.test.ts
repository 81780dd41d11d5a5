import test from 'ava';
import { Raft } from '../../../../plugins/meta-raft/raft/raft.js';
import type { Message } from '../../../../plugins/meta-raft/raft/types.js';
import { SimCluster, T_MS } from './sim/sim-cluster.js';
import { SimStorage } from './sim/sim-storage.js';
import { bootstrapped, ids, raftOf, step } from './sim/helpers.js';

test('§3.3-1 a 3-node cluster elects exactly one leader within 3 timeouts, a 5-node one within 4 (50 seeds each)', (t) => {
  for (const [n, limit] of [[3, 3], [5, 4]] as const) {
    for (let seed = 1; seed <= 50; seed++) {
      const sim = new SimCluster(seed, ids(n));
      const leader = sim.awaitLeader(limit * T_MS);
      t.truthy(leader, `seed ${seed}, ${n} nodes: no leader within ${limit} T`);
      t.is(sim.leaders().length, 1);
    }
  }
});

test('§3.3-3 a higher term in any message makes the node a follower of that term with no vote', (t) => {
  const r = raftOf('n1', ['n1', 'n2', 'n3']);
  r.campaignNow(); // precandidate
  step(r, { type: 'prevoteResp', from: 'n2', to: 'n1', term: 2, reject: false }); // -> candidate term 2
  t.is(r.role, 'candidate');
  t.is(r.vote, 'n1');
  step(r, { type: 'heartbeat', from: 'n3', to: 'n1', term: 5, commit: 0 });
  t.is(r.role, 'follower');
  t.is(r.term, 5);
  t.is(r.vote, '');
  t.is(r.leader, 'n3');
});

test('§3.3-4 a stale-term message changes no state (a stale leader only learns the term)', (t) => {
  const r = raftOf('n1', ['n1', 'n2', 'n3']);
  step(r, { type: 'heartbeat', from: 'n2', to: 'n1', term: 4, commit: 0 });
  const before = { ...r.hardState(), role: r.role, leader: r.leader };
  const out = step(r, { type: 'app', from: 'n3', to: 'n1', term: 3, prevIndex: 1, prevTerm: 1, entries: [{ term: 3, index: 2, kind: 'cmd', data: 'x' }], commit: 2 });
  t.deepEqual({ ...r.hardState(), role: r.role, leader: r.leader }, before);
  t.is(r.log.lastIndex(), 1);
  t.deepEqual(out.map((m) => [m.type, m.to, m.term]), [['appResp', 'n3', 4]]);
});

test('§3.3-5 a vote survives a crash: after restart the node refuses another candidate in that term', (t) => {
  const storage = new SimStorage(bootstrapped(['n1', 'n2', 'n3']));
  let r = new Raft({ id: 'n1', electionTicks: 10, heartbeatTicks: 2, random: () => 0 }, storage.state());
  let out = step(r, { type: 'vote', from: 'n2', to: 'n1', term: 2, lastIndex: 1, lastTerm: 1 }, storage);
  t.deepEqual(out.map((m) => [m.type, (m as { reject?: boolean }).reject]), [['voteResp', false]]);
  storage.crash(); // the reply was sent only after the sync, so the vote is durable
  r = new Raft({ id: 'n1', electionTicks: 10, heartbeatTicks: 2, random: () => 0 }, storage.state());
  out = step(r, { type: 'vote', from: 'n3', to: 'n1', term: 2, lastIndex: 5, lastTerm: 1 }, storage);
  t.deepEqual(out.map((m) => [m.type, (m as { reject?: boolean }).reject]), [['voteResp', true]]);
});

test('§3.3-6 a candidate whose log is behind the voter is refused', (t) => {
  const r = raftOf('n1', ['n1', 'n2', 'n3']);
  step(r, { type: 'app', from: 'n2', to: 'n1', term: 2, prevIndex: 1, prevTerm: 1, entries: [{ term: 2, index: 2, kind: 'noop', data: '' }], commit: 1 });
  // n2 leader vanishes; n3 campaigns with an older log (lease expired: ticks pass).
  for (let i = 0; i < 25; i++) r.tick();
  r.ready();
  const out = step(r, { type: 'vote', from: 'n3', to: 'n1', term: 3, lastIndex: 1, lastTerm: 1 });
  t.true(out.some((m) => m.type === 'voteResp' && m.reject));
  const ok = step(r, { type: 'vote', from: 'n2', to: 'n1', term: 3, lastIndex: 2, lastTerm: 2 });
  t.true(ok.some((m) => m.type === 'voteResp' && !m.reject));
});

test('§3.3-7 dueling candidates: simultaneous candidacies still produce a leader', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const sim = new SimCluster(seed, ids(3), { preVote: false });
    for (const n of sim.nodes.values()) n.raft.campaignNow();
    for (const n of sim.nodes.values()) sim.process(n);
    t.truthy(sim.awaitLeader(6 * T_MS), `seed ${seed}`);
  }
});

test('§3.3-8 an isolated leader steps down within about one election timeout and commits nothing after', (t) => {
  const sim = new SimCluster(7, ids(3));
  const old = sim.awaitLeader(5 * T_MS)!;
  sim.isolate(old.id);
  const commitAtIsolation = old.raft.log.committed;
  const cmd = sim.propose(old)!;
  sim.runFor(2 * T_MS + 20);
  t.not(old.raft.role, 'leader');
  t.is(old.raft.log.committed, commitAtIsolation);
  t.false(sim.history.acked.has(cmd));
  sim.heal();
  sim.runFor(5 * T_MS);
  t.deepEqual(sim.checkHistory(), []);
});

test('§3.3-9 pre-vote: a follower isolated for 10 timeouts rejoins without raising the term or deposing the leader', (t) => {
  const sim = new SimCluster(11, ids(3));
  const leader = sim.awaitLeader(5 * T_MS)!;
  const follower = [...sim.nodes.values()].find((n) => n !== leader)!;
  const term = leader.raft.term;
  sim.isolate(follower.id);
  sim.runFor(10 * T_MS);
  t.is(follower.raft.term, term, 'pre-vote kept the isolated node from bumping its term');
  sim.heal();
  sim.runFor(5 * T_MS);
  t.is(sim.leader(), leader);
  t.is(leader.raft.term, term);
});

test('§3.3-10 leader stickiness: a follower that hears a live leader ignores a higher-term (pre-)vote', (t) => {
  const r = raftOf('n1', ['n1', 'n2', 'n3']);
  step(r, { type: 'heartbeat', from: 'n2', to: 'n1', term: 2, commit: 1 });
  for (const type of ['prevote', 'vote'] as const) {
    const out = step(r, { type, from: 'n3', to: 'n1', term: 3, lastIndex: 9, lastTerm: 2 });
    t.deepEqual(out, []);
  }
  t.is(r.term, 2);
  t.is(r.leader, 'n2');
});

test('messages to another member are ignored', (t) => {
  const r = raftOf('n1', ['n1', 'n2']);
  const m: Message = { type: 'heartbeat', from: 'n2', to: 'n9', term: 7, commit: 0 };
  t.deepEqual(step(r, m), []);
  t.is(r.term, 1);
});

test('§3.3-40 a node that can send but not receive, and a flapping link, do not ratchet terms; a stable leader follows the heal', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const sim = new SimCluster(seed, ids(3));
    const leader = sim.awaitLeader(5 * T_MS)!;
    const deaf = [...sim.nodes.values()].find((n) => n !== leader)!;
    const term = leader.raft.term;
    for (const other of sim.nodes.keys()) if (other !== deaf.id) sim.cut.add(`${other}>${deaf.id}`);
    sim.runFor(10 * T_MS);
    t.is(sim.leader(), leader, `seed ${seed}: leader kept`);
    t.is(leader.raft.term, term, `seed ${seed}: no term ratchet from the deaf node`);
    // Flapping: the deaf node's inbound link goes up and down every half timeout.
    let up = false;
    sim.every(T_MS / 2, 0, () => {
      if (sim.now > 30 * T_MS) return;
      up = !up;
      for (const other of sim.nodes.keys()) if (other !== deaf.id) (up ? sim.cut.delete(`${other}>${deaf.id}`) : sim.cut.add(`${other}>${deaf.id}`));
    });
    sim.runUntil(31 * T_MS);
    sim.heal();
    t.truthy(sim.awaitLeader(5 * T_MS), `seed ${seed}: stable leader within 5 T of the heal`);
    const settled = sim.leader()!.raft.term;
    sim.runFor(10 * T_MS);
    t.is(sim.leader()!.raft.term, settled, `seed ${seed}: term stops changing`);
    t.true(settled <= term + 1, `seed ${seed}: term ${settled} vs ${term}`);
  }
});
