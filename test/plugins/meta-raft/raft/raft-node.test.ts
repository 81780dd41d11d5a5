import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../core/logger.js';
import { hasCode } from '../../../../core/errors.js';
import { scanLogRecords } from '../../../../plugins/meta-raft/meta-log.js';
import { RaftNode, type RaftStateMachine } from '../../../../plugins/meta-raft/raft/raft-node.js';
import { RAFT_LOG_FILE } from '../../../../plugins/meta-raft/raft/raft-storage.js';
import type { Entry, Message } from '../../../../plugins/meta-raft/raft/types.js';

/** A state machine that records applied commands. */
function recorder(): RaftStateMachine & { applied: string[] } {
  const sm = {
    applied: [] as string[],
    apply: (e: Entry) => {
      if (e.kind === 'cmd') sm.applied.push(e.data);
      return { result: e.data.toUpperCase() };
    },
    snapshot: () => JSON.stringify(sm.applied),
    restore: (data: string) => {
      sm.applied = JSON.parse(data) as string[];
    },
  };
  return sm;
}

/** What is on disk right now (read synchronously): the last hard state and the entries. */
function onDisk(dir: string): { term: number; vote: string; entries: number[] } {
  const { records } = scanLogRecords(readFileSync(join(dir, RAFT_LOG_FILE)));
  let term = 0;
  let vote = '';
  const entries: number[] = [];
  for (const r of records) {
    const v = JSON.parse(Buffer.from(r.payload).toString('utf8')) as [number, string];
    if (r.index === 0) [term, vote] = v;
    else entries.push(r.index);
  }
  return { term, vote, entries };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-raft-node-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a vote and appended entries are on disk before the reply that depends on them is sent', async (t) => {
  await withDir(async (dir) => {
    const seen: { m: Message; disk: ReturnType<typeof onDisk> }[] = [];
    const node = new RaftNode({
      id: 'a',
      dir,
      logger: silentLogger(),
      stateMachine: recorder(),
      bootstrap: ['a', 'b'],
      tickMs: 10_000, // no elections of its own during the test
      send: (msgs) => {
        for (const m of msgs) seen.push({ m, disk: onDisk(dir) });
      },
    });
    await node.start();
    node.receive({ type: 'vote', from: 'b', to: 'a', term: 5, lastIndex: 1, lastTerm: 1 });
    node.receive({
      type: 'app',
      from: 'b',
      to: 'a',
      term: 5,
      prevIndex: 1,
      prevTerm: 1,
      entries: [
        { index: 2, term: 5, kind: 'noop', data: '' },
        { index: 3, term: 5, kind: 'cmd', data: 'x' },
      ],
      commit: 3,
    });
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await node.stop();
    const vote = seen.find((s) => s.m.type === 'voteResp')!;
    t.false((vote.m as { reject: boolean }).reject);
    t.like(vote.disk, { term: 5, vote: 'b' });
    const ack = seen.find((s) => s.m.type === 'appResp')!;
    t.is((ack.m as { index: number }).index, 3);
    t.deepEqual(ack.disk.entries, [1, 2, 3]);
  });
});

test('a cluster of one: proposals resolve once applied, outcomes are kept, a restart re-applies from disk', async (t) => {
  await withDir(async (dir) => {
    let sm = recorder();
    let node = new RaftNode({ id: 'solo', dir, logger: silentLogger(), stateMachine: sm, bootstrap: ['solo'], tickMs: 10, send: () => undefined, snapshotEvery: 3 });
    await node.start();
    const ids = [];
    for (const c of ['a', 'b', 'c', 'd', 'e']) ids.push(await node.propose(c));
    t.deepEqual(sm.applied, ['a', 'b', 'c', 'd', 'e']);
    t.deepEqual(await node.outcome(ids[4]!.index, ids[4]!.term), { result: 'E' });
    const idx = await node.readIndex();
    t.true(idx >= ids[4]!.index);
    await node.stop();
    await t.throwsAsync(node.propose('late'), { code: 'ERR_SERVICE_STOPPED' });
    sm = recorder();
    node = new RaftNode({ id: 'solo', dir, logger: silentLogger(), stateMachine: sm, bootstrap: ['solo'], tickMs: 10, send: () => undefined, snapshotEvery: 3 });
    await node.start();
    await node.waitApplied(ids[4]!.index);
    t.deepEqual(sm.applied, ['a', 'b', 'c', 'd', 'e'], 'snapshot + log tail');
    await node.stop();
  });
});

test('a follower refuses proposals with ERR_META_NOT_LEADER naming no leader', async (t) => {
  await withDir(async (dir) => {
    const node = new RaftNode({ id: 'a', dir, logger: silentLogger(), stateMachine: recorder(), bootstrap: ['a', 'b', 'c'], tickMs: 10_000, send: () => undefined });
    await node.start();
    const err = await node.propose('x').catch((e: unknown) => e);
    t.true(hasCode(err, 'ERR_META_NOT_LEADER'));
    const r = await node.readIndex().catch((e: unknown) => e);
    t.true(hasCode(r, 'ERR_META_NOT_LEADER'));
    await node.stop();
  });
});
