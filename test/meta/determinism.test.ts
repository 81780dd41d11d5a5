import test from 'ava';
import fc from 'fast-check';
import {
  applyCommand,
  decodeCommand,
  decodeSnapshot,
  emptyMetaData,
  encodeCommand,
  encodeSnapshot,
  type MetaCommand,
} from '../../core/meta/index.js';
import type { MetaData } from '../../core/contracts/meta-store.js';
import { D, H } from './helpers.js';

const name = fc.constantFrom('a', 'b', 'c');
const nsText = (values: bigint[]) => fc.constantFrom(...values.map(String));
const durations = nsText([0n, H / 2n, H, 3n * H, 2n * D, 200n * D]);
const times = fc.bigInt({ min: -10n * D, max: 400n * D }).map(String);

const command: fc.Arbitrary<MetaCommand> = fc.oneof(
  fc.record({ type: fc.constant('addNode' as const), address: fc.constantFrom('n1:1', 'n2:1', 'n3:1', 'n4:1'), clusterId: fc.constant('7') }),
  fc.record({ type: fc.constant('removeNode' as const), id: fc.integer({ min: 0, max: 5 }), force: fc.boolean() }),
  fc.record({ type: fc.constant('createDatabase' as const), name }),
  fc.record({
    type: fc.constant('createDatabase' as const),
    name,
    rp: fc.record({ name: fc.constantFrom('', 'r1'), durationNs: durations, replicaN: fc.integer({ min: 1, max: 3 }) }),
  }),
  fc.record({ type: fc.constant('dropDatabase' as const), name }),
  fc.record({
    type: fc.constant('createRetentionPolicy' as const),
    db: name,
    rp: fc.record({ name: fc.constantFrom('r1', 'r2'), durationNs: durations, replicaN: fc.integer({ min: 0, max: 3 }), shardGroupDurationNs: durations }),
    makeDefault: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('alterRetentionPolicy' as const),
    db: name,
    name: fc.constantFrom('autogen', 'r1', 'r2'),
    update: fc.record({ durationNs: durations, replicaN: fc.integer({ min: 1, max: 3 }), shardGroupDurationNs: durations }, { requiredKeys: [] }),
    makeDefault: fc.boolean(),
  }),
  fc.record({ type: fc.constant('dropRetentionPolicy' as const), db: name, name: fc.constantFrom('autogen', 'r1', 'r2') }),
  fc.record({ type: fc.constant('createShardGroup' as const), db: name, rp: fc.constantFrom('', 'autogen', 'r1', 'r2'), timestampNs: times }),
  fc.record({ type: fc.constant('createShardGroup' as const), db: name, rp: fc.constantFrom('', 'r1'), timestampNs: times }),
  fc.record({ type: fc.constant('deleteShardGroup' as const), db: name, rp: fc.constantFrom('', 'r1'), id: fc.integer({ min: 1, max: 8 }), nowNs: times }),
  fc.record({ type: fc.constant('dropShard' as const), id: fc.integer({ min: 1, max: 12 }), nowNs: times }),
  fc.record({ type: fc.constant('createContinuousQuery' as const), db: name, name, query: fc.constantFrom('q1', 'Q1', 'q2') }),
  fc.record({ type: fc.constant('dropContinuousQuery' as const), db: name, name }),
  fc.record({ type: fc.constant('createUser' as const), name, hash: fc.constantFrom('h1', 'h2'), admin: fc.boolean() }),
  fc.record({ type: fc.constant('setPrivilege' as const), name, db: name, privilege: fc.constantFrom('READ' as const, 'WRITE' as const, 'ALL' as const) }),
  fc.record({ type: fc.constant('dropUser' as const), name }),
);

/** Applies commands as a log would (every command takes an index, rejected ones too). */
function replay(cmds: readonly MetaCommand[], from: MetaData = emptyMetaData(), firstIndex = from.index + 1): MetaData {
  let data = from;
  cmds.forEach((cmd, i) => {
    data = applyCommand(data, cmd, firstIndex + i).data;
  });
  return data;
}

test('same commands give the same state; snapshot+replay of the tail equals the full replay', (t) => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 60 }), fc.nat(), (cmds, cut) => {
      const full = replay(cmds);
      t.deepEqual(replay(cmds), full);
      const k = cmds.length === 0 ? 0 : cut % (cmds.length + 1);
      const snap = decodeSnapshot(encodeSnapshot(replay(cmds.slice(0, k))));
      const resumed = replay(cmds.slice(k), snap);
      t.deepEqual(resumed, full);
      t.deepEqual(decodeSnapshot(encodeSnapshot(full)), full);
    }),
    { numRuns: 300 },
  );
});

test('commands survive encode/decode unchanged', (t) => {
  fc.assert(
    fc.property(command, (cmd) => {
      t.deepEqual(decodeCommand(encodeCommand(cmd)), cmd);
    }),
  );
});

test('random command sequences keep the invariants: IDs unique and monotonic, groups sorted, owners are nodes', (t) => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 80 }), (cmds) => {
      let data = emptyMetaData();
      let maxGroup = 0;
      let maxShard = 0;
      cmds.forEach((cmd, i) => {
        data = applyCommand(data, cmd, i + 1).data;
        t.true(data.maxShardGroupId >= maxGroup && data.maxShardId >= maxShard);
        maxGroup = data.maxShardGroupId;
        maxShard = data.maxShardId;
      });
      const groupIds = data.databases.flatMap((d) => d.retentionPolicies.flatMap((p) => p.shardGroups.map((g) => g.id)));
      t.is(new Set(groupIds).size, groupIds.length);
      for (const d of data.databases)
        for (const p of d.retentionPolicies) {
          for (let i = 1; i < p.shardGroups.length; i++) t.true(p.shardGroups[i - 1]!.endTime <= p.shardGroups[i]!.endTime);
          for (const g of p.shardGroups) {
            t.true(g.id <= data.maxShardGroupId);
            for (const s of g.shards) {
              t.true(s.id <= data.maxShardId);
              for (const o of s.owners) t.true(data.nodes.some((n) => n.id === o));
            }
          }
        }
      t.true(Object.isFrozen(data) && Object.isFrozen(data.databases));
    }),
    { numRuns: 200 },
  );
});

test('decodeCommand rejects malformed records', (t) => {
  const bad = [
    'not json',
    '[]',
    '{"type":"nope"}',
    '{"type":"dropDatabase"}',
    '{"type":"dropDatabase","name":1}',
    '{"type":"dropDatabase","name":"x","extra":1}',
    '{"type":"createShardGroup","db":"d","rp":"r","timestampNs":"1.5"}',
    '{"type":"setPrivilege","name":"u","db":"d","privilege":"SOME"}',
    '{"type":"createDatabase","name":"d","rp":{"name":"x","type":"y"}}',
  ];
  for (const text of bad) {
    t.throws(() => decodeCommand(Buffer.from(text)), { code: 'ERR_META_COMMAND_INVALID' } as never, text);
  }
});

test('decodeSnapshot rejects corrupt snapshots', (t) => {
  const good = Buffer.from(encodeSnapshot(emptyMetaData())).toString();
  for (const text of ['', '{"v":2,"data":{}}', good.replace('"nodes":[]', '"nodes":{}'), good.slice(0, -3)]) {
    t.throws(() => decodeSnapshot(Buffer.from(text)), { code: 'ERR_META_SNAPSHOT_CORRUPT' } as never);
  }
});
