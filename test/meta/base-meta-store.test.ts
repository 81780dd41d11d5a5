import test from 'ava';
import fc from 'fast-check';
import type { MetaData, MetaStoreSupports } from '../../core/contracts/meta-store.js';
import { TesseraError } from '../../core/errors.js';
import { applyCommand, BaseMetaStore, emptyMetaData, type LoggedCommand } from '../../core/meta/index.js';

/** A storage hook that keeps what it persisted and can be told to fail its next write. */
class RecordingStore extends BaseMetaStore {
  readonly supports: MetaStoreSupports = { persistent: false, replicated: false };
  readonly persisted: LoggedCommand[] = [];
  failNext = false;

  constructor() {
    super({ address: 'n1:8088', now: () => 77n });
  }
  protected override async _open(): Promise<MetaData> {
    return emptyMetaData();
  }
  protected override async _persist(commands: readonly LoggedCommand[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.persisted.push(...commands);
  }
  protected override async _close(): Promise<void> {}
}

test('a failed write rejects the batch, leaves the state as it was, and the next command continues the index', async (t) => {
  const s = new RecordingStore();
  await s.start();
  const before = s.data();
  s.failNext = true;
  await t.throwsAsync(s.createDatabase('lost'), { message: 'disk full' });
  t.is(s.data(), before);
  await s.createDatabase('kept');
  t.deepEqual(s.persisted.map((c) => [c.index, c.command.type]), [
    [1, 'addNode'],
    [2, 'createDatabase'],
  ]);
  t.is(s.data().index, 2);
  await s.stop();
});

test('rejected commands are not persisted and do not take an index', async (t) => {
  const s = new RecordingStore();
  await s.start();
  const err = await t.throwsAsync(s.dropUser('nobody'));
  t.true(err instanceof TesseraError);
  t.is(s.persisted.length, 1);
  t.is(s.data().index, 1);
  await s.stop();
});

test('commands carry the proposer clock (soft delete time)', async (t) => {
  const s = new RecordingStore();
  await s.start();
  await s.createDatabase('db');
  const g = await s.createShardGroupIfNotExists('db', '', 0n);
  await s.deleteShardGroup('db', '', g.id);
  const last = s.persisted.at(-1)!.command;
  t.deepEqual(last, { type: 'deleteShardGroup', db: 'db', rp: '', id: g.id, nowNs: '77' });
  t.is(s.retentionPolicy('db', '')!.shardGroups[0]!.deletedAt, 77n);
  await s.stop();
});

test('proposals made while a batch is being written are committed together in the next batch', async (t) => {
  const s = new RecordingStore();
  await s.start();
  const batches: number[] = [];
  s.onChange(() => batches.push(s.persisted.length));
  await Promise.all([s.createDatabase('a'), s.createDatabase('b'), s.createDatabase('c'), s.createDatabase('d')]);
  // the first proposal starts a batch alone; the three queued behind it form the second batch
  t.deepEqual(batches, [2, 5]);
  await s.stop();
});

test('a command that would not decode at the next start is refused before it is logged', async (t) => {
  const s = new RecordingStore();
  await s.start();
  const spec = { name: 'r', durationNs: 3_600_000_000_000n, replicaN: 1.5 };
  await t.throwsAsync(s.createRetentionPolicy('db', spec, false), { code: 'ERR_META_COMMAND_INVALID' } as never);
  t.is(s.persisted.length, 1);
  await s.stop();
});

test('property: under concurrent proposals, replaying what was persisted rebuilds exactly the published state', async (t) => {
  const H = 3_600_000_000_000n;
  type Op = (s: RecordingStore) => Promise<unknown>;
  const db = fc.constantFrom('a', 'b');
  const op: fc.Arbitrary<Op> = fc.oneof(
    db.map((d) => (s: RecordingStore) => s.createDatabase(d)),
    db.map((d) => (s: RecordingStore) => s.dropDatabase(d)),
    fc.tuple(db, fc.bigInt({ min: 0n, max: 300n * H })).map(([d, x]) => (s: RecordingStore) => s.createShardGroupIfNotExists(d, '', x)),
    fc.tuple(db, fc.integer({ min: 1, max: 5 })).map(([d, id]) => (s: RecordingStore) => s.deleteShardGroup(d, '', id)),
    fc.integer({ min: 1, max: 5 }).map((id) => (s: RecordingStore) => s.dropShard(id)),
    fc.constantFrom('n2:1', 'n3:1').map((a) => (s: RecordingStore) => s.addNode(a)),
    fc.integer({ min: 1, max: 3 }).map((id) => (s: RecordingStore) => s.removeNode(id, true)),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 6 }), async (waves) => {
      const s = new RecordingStore();
      await s.start();
      for (const wave of waves) await Promise.all(wave.map((o) => o(s).catch(() => undefined)));
      let replayed = emptyMetaData();
      for (const c of s.persisted) {
        const out = applyCommand(replayed, c.command, c.index);
        t.is(out.error, undefined, 'only accepted commands are persisted');
        replayed = out.data;
      }
      t.deepEqual(replayed, s.data());
      await s.stop();
    }),
    { numRuns: 100 },
  );
});

test('concurrent misses for the same group are coalesced into one command; a hit is a local read', async (t) => {
  const s = new RecordingStore();
  await s.start();
  await s.createDatabase('db');
  const H = 3_600_000_000_000n;
  const groups = await Promise.all(Array.from({ length: 10 }, (_, i) => s.createShardGroupIfNotExists('db', '', BigInt(i) * H)));
  t.is(new Set(groups.map((g) => g.id)).size, 1);
  const count = () => s.persisted.filter((c) => c.command.type === 'createShardGroup').length;
  t.is(count(), 1);
  await s.createShardGroupIfNotExists('db', 'autogen', 5n * H);
  t.is(count(), 1, 'a hit proposes nothing');
  await s.stop();
});
