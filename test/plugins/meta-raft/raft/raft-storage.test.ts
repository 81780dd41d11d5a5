import test from 'ava';
import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../core/logger.js';
import { hasCode } from '../../../../core/errors.js';
import { RAFT_LOG_FILE, RAFT_SNAPSHOT_FILE, RaftStorage } from '../../../../plugins/meta-raft/raft/raft-storage.js';
import type { Entry } from '../../../../plugins/meta-raft/raft/types.js';

const e = (index: number, term: number, data = `d${index}`): Entry => ({ index, term, kind: 'cmd', data });

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-raft-storage-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an empty directory has no state; saved entries and hard state come back after reopening', async (t) => {
  await withDir(async (dir) => {
    const { storage, state } = await RaftStorage.open(dir, silentLogger());
    t.is(state, undefined);
    await storage.save({ term: 2, vote: 'a', commit: 1 }, [e(1, 1), e(2, 2)]);
    await storage.save({ term: 2, vote: 'a', commit: 2 }, []);
    await storage.close();
    const again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state, { hardState: { term: 2, vote: 'a', commit: 2 }, entries: [e(1, 1), e(2, 2)] });
    await again.storage.close();
  });
});

test('an entry at a lower index replaces the stored tail (follower truncation)', async (t) => {
  await withDir(async (dir) => {
    const { storage } = await RaftStorage.open(dir, silentLogger());
    await storage.save({ term: 2, vote: '', commit: 1 }, [e(1, 1), e(2, 1), e(3, 1), e(4, 1)]);
    await storage.save({ term: 3, vote: '', commit: 1 }, [e(3, 3, 'new')]);
    await storage.close();
    const again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.entries, [e(1, 1), e(2, 1), e(3, 3, 'new')]);
    await again.storage.close();
  });
});

test('§3.3-22 a torn or corrupt tail is cut at open, keeping every valid record before it', async (t) => {
  await withDir(async (dir) => {
    const { storage } = await RaftStorage.open(dir, silentLogger());
    await storage.save({ term: 1, vote: '', commit: 2 }, [e(1, 1), e(2, 1)]);
    await storage.save({ term: 1, vote: '', commit: 3 }, [e(3, 1)]);
    await storage.close();
    const path = join(dir, RAFT_LOG_FILE);
    const full = (await stat(path)).size;
    // Torn: the last record (the second save's hard state) half-written; its entry before it is intact.
    await truncate(path, full - 5);
    let again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.entries, [e(1, 1), e(2, 1), e(3, 1)]);
    t.is(again.state!.hardState.commit, 2, 'the torn hard state is dropped; the previous one holds');
    await again.storage.close();
    // Corrupt: garbage appended (a crash mid-write of a new record) is cut too, and the file stays usable.
    await appendFile(path, Buffer.from([0, 0, 0, 20, 1, 2, 3, 4, 9, 9, 9]));
    again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.entries, [e(1, 1), e(2, 1), e(3, 1)]);
    await again.storage.save({ term: 1, vote: '', commit: 3 }, [e(3, 1, 'again')]);
    await again.storage.close();
    again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.entries.map((x) => x.data), ['d1', 'd2', 'again']);
    await again.storage.close();
  });
});

test('a flipped byte inside a record is detected by its checksum', async (t) => {
  await withDir(async (dir) => {
    const { storage } = await RaftStorage.open(dir, silentLogger());
    await storage.save({ term: 1, vote: '', commit: 0 }, [e(1, 1), e(2, 1, 'xxxxxxxxxx')]);
    await storage.close();
    const path = join(dir, RAFT_LOG_FILE);
    const buf = await readFile(path);
    const at = buf.indexOf('xxxxxxxxxx');
    buf[at] = 'y'.charCodeAt(0);
    await writeFile(path, buf);
    const again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.entries, [e(1, 1)]);
    await again.storage.close();
  });
});

test('§3.3-25 compaction: snapshot + tail come back; the log before the snapshot is gone', async (t) => {
  await withDir(async (dir) => {
    const { storage } = await RaftStorage.open(dir, silentLogger());
    const entries = Array.from({ length: 20 }, (_, i) => e(i + 1, 1));
    await storage.save({ term: 1, vote: 'me', commit: 20 }, entries);
    const snap = { meta: { index: 15, term: 1, conf: { voters: ['me'], learners: [] } }, data: 'state@15' };
    await storage.compact(snap, entries.slice(15));
    await storage.save(undefined, [e(21, 1)]);
    await storage.close();
    const again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state!.snapshot, snap);
    t.deepEqual(
      again.state!.entries.map((x) => x.index),
      [16, 17, 18, 19, 20, 21],
    );
    t.deepEqual(again.state!.hardState, { term: 1, vote: 'me', commit: 20 });
    await again.storage.close();
  });
});

test('an installed snapshot that the log disagrees with replaces the whole log', async (t) => {
  await withDir(async (dir) => {
    const { storage } = await RaftStorage.open(dir, silentLogger());
    await storage.save({ term: 1, vote: '', commit: 1 }, [e(1, 1), e(2, 1), e(3, 1)]);
    const snap = { meta: { index: 10, term: 4, conf: { voters: ['a', 'b'], learners: [] } }, data: 's' };
    await storage.save({ term: 4, vote: '', commit: 10 }, [], snap);
    await storage.close();
    const again = await RaftStorage.open(dir, silentLogger());
    t.deepEqual(again.state, { hardState: { term: 4, vote: '', commit: 10 }, snapshot: snap, entries: [] });
    await again.storage.close();
  });
});

test('a corrupt snapshot file is an error naming the file (never silently empty state)', async (t) => {
  await withDir(async (dir) => {
    await writeFile(join(dir, RAFT_SNAPSHOT_FILE), 'TSRSgarbage');
    const err = await RaftStorage.open(dir, silentLogger()).catch((x: unknown) => x);
    t.true(hasCode(err, 'ERR_META_SNAPSHOT_CORRUPT'));
  });
});
