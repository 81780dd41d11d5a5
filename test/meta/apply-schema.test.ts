import test from 'ava';
import { findDatabase, findRetentionPolicy, type MetaCommand } from '../../core/meta/index.js';
import { D, H, nodes, run, step } from './helpers.js';

const withDb: MetaCommand[] = [...nodes(1), { type: 'createDatabase', name: 'db' }];

test('CREATE DATABASE makes autogen (infinite, replication 1, 7d groups) the default', (t) => {
  const data = run(withDb);
  const db = findDatabase(data, 'db')!;
  t.is(db.defaultRetentionPolicy, 'autogen');
  t.deepEqual(db.retentionPolicies.map((p) => [p.name, p.durationNs, p.shardGroupDurationNs, p.replicaN]), [['autogen', 0n, 7n * D, 1]]);
  t.is(findRetentionPolicy(data, 'db', '')?.name, 'autogen');
});

test('CREATE DATABASE of an existing database is a no-op, whatever its policies now are', (t) => {
  const data = run([...withDb, { type: 'dropRetentionPolicy', db: 'db', name: 'autogen' }]);
  const out = step(data, { type: 'createDatabase', name: 'db' });
  t.is(out.error, undefined);
  t.deepEqual(findDatabase(out.data, 'db'), findDatabase(data, 'db'));
});

test('CREATE DATABASE WITH ... is idempotent only with the same default policy', (t) => {
  const spec = { name: 'three_days', durationNs: (3n * D).toString(), replicaN: 1, shardGroupDurationNs: H.toString() };
  const data = run([...nodes(1), { type: 'createDatabase', name: 'db2', rp: spec }]);
  const rp = findRetentionPolicy(data, 'db2', '')!;
  t.deepEqual([rp.name, rp.durationNs, rp.shardGroupDurationNs], ['three_days', 3n * D, H]);
  t.is(step(data, { type: 'createDatabase', name: 'db2', rp: spec }).error, undefined);
  const conflict = step(data, { type: 'createDatabase', name: 'db2', rp: { name: 'three_days', durationNs: (5n * D).toString() } });
  t.is(conflict.error?.code, 'ERR_META_RP_CONFLICT');
  t.is(conflict.error?.message, 'retention policy conflicts with an existing policy');
  // autogen exists (infinite) on db: WITH DURATION 2d names autogen too and conflicts.
  const other = run(withDb);
  t.is(step(other, { type: 'createDatabase', name: 'db', rp: { name: '', durationNs: (2n * D).toString() } }).error?.code, 'ERR_META_RP_CONFLICT');
});

test('CREATE DATABASE WITH checks the duration floor and shard duration like 1.6.7', (t) => {
  const data = run(nodes(1));
  const low = step(data, { type: 'createDatabase', name: 'c', rp: { name: '', durationNs: (H / 2n).toString() } });
  t.is(low.error?.message, 'retention policy duration must be at least 1h0m0s');
  t.is(findDatabase(low.data, 'c'), undefined, 'a rejected command changes nothing');
  const inc = step(data, { type: 'createDatabase', name: 'd', rp: { name: '', durationNs: H.toString(), shardGroupDurationNs: (2n * H).toString() } });
  t.is(inc.error?.message, 'retention policy duration must be greater than the shard duration');
  const raised = run([{ type: 'createDatabase', name: 'e', rp: { name: '', shardGroupDurationNs: (H / 2n).toString() } }], data);
  t.is(findRetentionPolicy(raised, 'e', '')?.shardGroupDurationNs, H);
});

test('invalid database and policy names are rejected with "invalid name"', (t) => {
  const data = run(withDb);
  for (const name of ['', '.', '..', 'a/b', 'a\\b', 'tab\there']) {
    t.is(step(data, { type: 'createDatabase', name }).error?.message, 'invalid name', name);
  }
  const rp = step(data, { type: 'createRetentionPolicy', db: 'db', rp: { name: 'x/y', durationNs: H.toString(), replicaN: 1 }, makeDefault: false });
  t.is(rp.error?.code, 'ERR_META_INVALID_NAME');
});

test('CREATE RETENTION POLICY: errors worded as 1.6.7', (t) => {
  const data = run(withDb);
  const mk = (name: string, dur: bigint, replicaN = 1, db = 'db', sgd?: bigint) =>
    step(data, {
      type: 'createRetentionPolicy',
      db,
      rp: { name, durationNs: dur.toString(), replicaN, ...(sgd === undefined ? {} : { shardGroupDurationNs: sgd.toString() }) },
      makeDefault: false,
    });
  t.is(mk('x', D, 1, 'nope').error?.message, 'database not found: nope');
  t.is(mk('short', H / 2n).error?.message, 'retention policy duration must be at least 1h0m0s');
  t.is(mk('r0', H, 0).error?.message, 'replication factor must be greater than 0');
  t.is(mk('r2', H, 1, 'db', 2n * H).error?.message, 'retention policy duration must be greater than the shard duration');
  const rp1 = mk('rp1', 2n * H);
  t.is(rp1.error, undefined);
  t.is(findRetentionPolicy(rp1.data, 'db', 'rp1')?.shardGroupDurationNs, H);
  t.is(findDatabase(rp1.data, 'db')?.defaultRetentionPolicy, 'autogen');
});

test('re-creating a policy: identical is a no-op, other options exist, DEFAULT on a non-default conflicts', (t) => {
  const rp1 = { name: 'rp1', durationNs: H.toString(), replicaN: 1, shardGroupDurationNs: (10n * 60_000_000_000n).toString() };
  const data = run([...withDb, { type: 'createRetentionPolicy', db: 'db', rp: rp1, makeDefault: false }]);
  t.is(step(data, { type: 'createRetentionPolicy', db: 'db', rp: rp1, makeDefault: false }).error, undefined);
  // without SHARD DURATION it normalises to the same 1h
  t.is(step(data, { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rp1', durationNs: H.toString(), replicaN: 1 }, makeDefault: false }).error, undefined);
  const diff = step(data, { type: 'createRetentionPolicy', db: 'db', rp: { ...rp1, durationNs: (3n * H).toString() }, makeDefault: false });
  t.is(diff.error?.message, 'retention policy already exists');
  const def = step(data, { type: 'createRetentionPolicy', db: 'db', rp: rp1, makeDefault: true });
  t.is(def.error?.message, 'retention policy conflicts with an existing policy');
});

test('ALTER RETENTION POLICY: duration, shard duration, default; errors as 1.6.7', (t) => {
  const data = run([
    ...withDb,
    { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rp1', durationNs: (2n * H).toString(), replicaN: 1 }, makeDefault: false },
    { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rp2', durationNs: (364n * D).toString(), replicaN: 1, shardGroupDurationNs: D.toString() }, makeDefault: false },
  ]);
  const a = run(
    [
      { type: 'alterRetentionPolicy', db: 'db', name: 'rp1', update: { durationNs: (4n * H).toString() }, makeDefault: true },
      { type: 'alterRetentionPolicy', db: 'db', name: 'rp2', update: { shardGroupDurationNs: (2n * D).toString() }, makeDefault: false },
    ],
    data,
  );
  t.is(findDatabase(a, 'db')?.defaultRetentionPolicy, 'rp1');
  t.is(findRetentionPolicy(a, 'db', 'rp1')?.durationNs, 4n * H);
  t.is(findRetentionPolicy(a, 'db', 'rp2')?.shardGroupDurationNs, 2n * D);
  const alter = (name: string, update: Record<string, string | number>, db = 'db') =>
    step(a, { type: 'alterRetentionPolicy', db, name, update, makeDefault: false }).error?.message;
  t.is(alter('nope', { durationNs: (4n * H).toString() }), 'retention policy not found: nope');
  t.is(alter('rp1', { durationNs: (3n * H).toString() }, 'nodb'), 'database not found: nodb');
  t.is(alter('rp2', { durationNs: H.toString() }), 'retention policy duration must be greater than the shard duration');
  t.is(alter('rp1', { durationNs: (H / 2n).toString() }), 'retention policy duration must be at least 1h0m0s');
  t.is(alter('rp1', { shardGroupDurationNs: (5n * H).toString() }), 'retention policy duration must be greater than the shard duration');
  t.is(alter('rp1', { name: 'rp2' }), 'retention policy name already exists');
  // INF with SHARD DURATION 0 -> default 7d; a short shard duration is raised to 1h.
  const inf = run([{ type: 'alterRetentionPolicy', db: 'db', name: 'rp1', update: { durationNs: '0', shardGroupDurationNs: '0' }, makeDefault: false }], a);
  t.is(findRetentionPolicy(inf, 'db', 'rp1')?.shardGroupDurationNs, 7n * D);
  const short = run([{ type: 'alterRetentionPolicy', db: 'db', name: 'rp1', update: { shardGroupDurationNs: '600000000000' }, makeDefault: false }], a);
  t.is(findRetentionPolicy(short, 'db', 'rp1')?.shardGroupDurationNs, H);
});

test('DROP RETENTION POLICY: missing is fine; dropping the default leaves its name as default (as 1.6.7)', (t) => {
  const data = run(withDb);
  t.is(step(data, { type: 'dropRetentionPolicy', db: 'db', name: 'nope' }).error, undefined);
  t.is(step(data, { type: 'dropRetentionPolicy', db: 'nodb', name: 'autogen' }).error, undefined);
  const dropped = run([{ type: 'dropRetentionPolicy', db: 'db', name: 'autogen' }], data);
  t.is(findRetentionPolicy(dropped, 'db', ''), undefined);
  t.is(findDatabase(dropped, 'db')?.defaultRetentionPolicy, 'autogen');
  const again = run([{ type: 'createRetentionPolicy', db: 'db', rp: { name: 'autogen', durationNs: '0', replicaN: 1 }, makeDefault: false }], dropped);
  t.is(findRetentionPolicy(again, 'db', '')?.name, 'autogen');
});

test('DROP DATABASE removes it and the privileges on it; dropping a missing one is fine', (t) => {
  const data = run([
    ...withDb,
    { type: 'createDatabase', name: 'other' },
    { type: 'createUser', name: 'u', hash: 'h', admin: false },
    { type: 'setPrivilege', name: 'u', db: 'db', privilege: 'READ' },
    { type: 'setPrivilege', name: 'u', db: 'other', privilege: 'WRITE' },
    { type: 'dropDatabase', name: 'db' },
  ]);
  t.is(findDatabase(data, 'db'), undefined);
  t.deepEqual(data.users[0]!.privileges, { other: 'WRITE' });
  t.is(step(data, { type: 'dropDatabase', name: 'db' }).error, undefined);
});

test('continuous queries: same text is a no-op, other text exists, drop of a missing one is fine', (t) => {
  const q = 'CREATE CONTINUOUS QUERY c1 ON db BEGIN SELECT count(x) INTO y FROM z GROUP BY time(1h) END';
  const data = run([...withDb, { type: 'createContinuousQuery', db: 'db', name: 'c1', query: q }]);
  t.deepEqual(findDatabase(data, 'db')?.continuousQueries, [{ name: 'c1', query: q }]);
  t.is(step(data, { type: 'createContinuousQuery', db: 'db', name: 'c1', query: q.toLowerCase() }).error, undefined);
  t.is(step(data, { type: 'createContinuousQuery', db: 'db', name: 'c1', query: q + ' ' }).error?.message, 'continuous query already exists');
  t.is(step(data, { type: 'createContinuousQuery', db: 'nodb', name: 'c1', query: q }).error?.message, 'database not found: nodb');
  t.is(step(data, { type: 'dropContinuousQuery', db: 'db', name: 'nope' }).error, undefined);
  t.is(step(data, { type: 'dropContinuousQuery', db: 'nodb', name: 'c1' }).error, undefined);
  t.deepEqual(findDatabase(run([{ type: 'dropContinuousQuery', db: 'db', name: 'c1' }], data), 'db')?.continuousQueries, []);
});

test('setDefaultRetentionPolicy needs an existing policy', (t) => {
  const data = run(withDb);
  t.is(step(data, { type: 'setDefaultRetentionPolicy', db: 'db', name: 'nope' }).error?.message, 'retention policy not found: nope');
  t.is(step(data, { type: 'setDefaultRetentionPolicy', db: 'x', name: 'autogen' }).error?.message, 'database not found: x');
});

test('CREATE DATABASE WITH: fields the statement leaves out match the existing default policy (1.6.7)', (t) => {
  const data = run([...nodes(1), { type: 'createDatabase', name: 'x', rp: { name: '', durationNs: (2n * D).toString() } }]);
  t.is(step(data, { type: 'createDatabase', name: 'x', rp: { name: '', replicaN: 1 } }).error, undefined);
  t.is(step(data, { type: 'createDatabase', name: 'x', rp: { name: 'autogen' } }).error, undefined);
  t.is(step(data, { type: 'createDatabase', name: 'x', rp: { name: '', durationNs: '0' } }).error?.code, 'ERR_META_RP_CONFLICT');
});
