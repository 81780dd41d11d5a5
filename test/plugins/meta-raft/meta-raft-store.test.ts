import test from 'ava';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../core/logger.js';
import { META_LOG_FILE, META_SNAPSHOT_FILE, MetaRaftStore } from '../../../plugins/meta-raft/index.js';

const T0 = 946_684_800_000_000_000n;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-meta-raft-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function store(dir: string, snapshotInterval = 1000, address = '127.0.0.1:8088') {
  return new MetaRaftStore({ dir, address, logger: silentLogger(), snapshotInterval });
}

test('every command is in the log before its proposal resolves', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir);
    await s.start();
    const before = (await stat(join(dir, META_LOG_FILE))).size;
    await s.createDatabase('db');
    const after = await readFile(join(dir, META_LOG_FILE));
    t.true(after.length > before);
    t.true(after.includes(Buffer.from('"createDatabase"')));
    await s.stop();
  });
});

test('a snapshot every N commands empties the log; restart = snapshot + log tail', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir, 4);
    await s.start(); // addNode: 1 command
    for (let i = 0; i < 5; i++) await s.createDatabase(`db${i}`); // commands 2..6 -> snapshot at 4
    t.true((await stat(join(dir, META_SNAPSHOT_FILE))).size > 0);
    const logSize = (await stat(join(dir, META_LOG_FILE))).size;
    t.true(logSize > 0, 'commands after the snapshot are in the log');
    const before = s.data();
    t.is(before.index, 6);
    await s.stop();
    const again = store(dir, 4);
    await again.start();
    t.deepEqual(again.data(), before);
    await again.stop();
  });
});

test('log records already covered by the snapshot are skipped on replay', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir, 3);
    await s.start();
    await s.createDatabase('a');
    const logBeforeSnapshot = await readFile(join(dir, META_LOG_FILE)); // records 1..2
    await s.createDatabase('b'); // 3rd command: snapshot, log emptied
    const before = s.data();
    await s.stop();
    // Simulate a crash between writing the snapshot and emptying the log.
    await writeFile(join(dir, META_LOG_FILE), logBeforeSnapshot);
    const again = store(dir, 3);
    await again.start();
    t.deepEqual(again.data(), before);
    await again.stop();
  });
});

test('a torn log tail after a crash loses only the torn command', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir);
    await s.start();
    await s.createDatabase('kept');
    const size = (await stat(join(dir, META_LOG_FILE))).size;
    await s.createDatabase('torn');
    await s.stop();
    await truncate(join(dir, META_LOG_FILE), size + 5);
    const again = store(dir);
    await again.start();
    t.truthy(again.database('kept'));
    t.is(again.database('torn'), undefined);
    await again.createDatabase('after');
    await again.stop();
    const third = store(dir);
    await third.start();
    t.deepEqual(third.data().databases.map((d) => d.name), ['kept', 'after']);
    await third.stop();
  });
});

test('a corrupt snapshot fails the start with ERR_META_SNAPSHOT_CORRUPT', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir, 1);
    await s.start();
    await s.stop();
    const buf = await readFile(join(dir, META_SNAPSHOT_FILE));
    buf[buf.length - 2] = buf[buf.length - 2]! ^ 0x55;
    await writeFile(join(dir, META_SNAPSHOT_FILE), buf);
    await t.throwsAsync(store(dir, 1).start(), { code: 'ERR_META_SNAPSHOT_CORRUPT' } as never);
  });
});

test('a restart with another address keeps the node ID and updates its address', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir);
    await s.start();
    await s.stop();
    const moved = store(dir, 1000, '10.0.0.1:9999');
    await moved.start();
    t.is(moved.nodeId(), 1);
    t.deepEqual(moved.data().nodes, [{ id: 1, address: '10.0.0.1:9999' }]);
    await moved.stop();
  });
});

test('proposals queued together resolve in order, a rejected one does not affect the others, and replay agrees', async (t) => {
  await withDir(async (dir) => {
    const s = store(dir);
    await s.start();
    await s.createDatabase('db');
    const results = await Promise.allSettled([
      s.createRetentionPolicy('db', { name: 'a', durationNs: 0n, replicaN: 1 }, false),
      s.createRetentionPolicy('db', { name: 'a', durationNs: 7_200_000_000_000n, replicaN: 1 }, false),
      s.createShardGroupIfNotExists('db', 'a', T0),
      s.dropDatabase('nope'),
    ]);
    t.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const before = s.data();
    await s.stop();
    const again = store(dir);
    await again.start();
    t.deepEqual(again.data(), before);
    await again.stop();
  });
});
