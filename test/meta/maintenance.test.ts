import test from 'ava';
import { deletedGroups, expiredGroups, groupsToPrecreate, type MetaCommand } from '../../core/meta/index.js';
import { H, iso, nodes, run } from './helpers.js';

const base: MetaCommand[] = [
  ...nodes(1),
  { type: 'createDatabase', name: 'db', rp: { name: 'rp0', durationNs: H.toString(), replicaN: 1 } },
  { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rp1', durationNs: H.toString(), replicaN: 1 }, makeDefault: false },
  { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rp2', durationNs: H.toString(), replicaN: 1 }, makeDefault: false },
];

test('precreation creates the next group only for a policy whose last group ends within the window (upstream Store_PrecreateShardGroup)', (t) => {
  const data = run([
    ...base,
    { type: 'createShardGroup', db: 'db', rp: 'rp0', timestampNs: iso('2001-01-01T01:00:00Z').toString() },
    { type: 'createShardGroup', db: 'db', rp: 'rp1', timestampNs: iso('2000-01-01T01:00:00Z').toString() },
  ]);
  const todo = groupsToPrecreate(data, iso('2001-01-01T00:00:00Z'), iso('2001-01-01T03:00:00Z'));
  t.deepEqual(todo, [{ database: 'db', retentionPolicy: 'rp0', timestampNs: iso('2001-01-01T02:00:00Z') + 1n }]);
  const after = run(todo.map((g) => ({ type: 'createShardGroup' as const, db: g.database, rp: g.retentionPolicy, timestampNs: g.timestampNs.toString() })), data);
  const rp0 = after.databases[0]!.retentionPolicies.find((p) => p.name === 'rp0')!;
  t.deepEqual(rp0.shardGroups.map((g) => g.startTime), [iso('2001-01-01T01:00:00Z'), iso('2001-01-01T02:00:00Z')]);
  t.deepEqual(groupsToPrecreate(after, iso('2001-01-01T00:00:00Z'), iso('2001-01-01T02:30:00Z')), [], 'nothing more within the window');
});

test('expired and deleted groups across databases', (t) => {
  let data = run([
    ...base,
    { type: 'createShardGroup', db: 'db', rp: 'rp0', timestampNs: iso('2000-01-01T00:00:00Z').toString() },
    { type: 'createShardGroup', db: 'db', rp: 'rp0', timestampNs: iso('2001-01-01T00:00:00Z').toString() },
  ]);
  t.deepEqual(expiredGroups(data, iso('2001-01-01T00:00:00Z')).map((r) => [r.retentionPolicy, r.group.id]), [['rp0', 1]]);
  data = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp0', id: 1, nowNs: '5' }], data);
  t.deepEqual(expiredGroups(data, iso('2001-01-01T00:00:00Z')), []);
  t.deepEqual(deletedGroups(data).map((r) => r.group.id), [1]);
});
