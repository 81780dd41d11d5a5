import test from 'ava';
import {
  applyCommand,
  expiredShardGroups,
  findRetentionPolicy,
  findShardLocation,
  liveShardIds,
  shardGroupByTimestamp,
  shardGroupsByTimeRange,
  shardIdsOf,
  type MetaCommand,
} from '../../core/meta/index.js';
import type { MetaData, ShardGroupInfo } from '../../core/contracts/meta-store.js';
import { D, H, iso, nodes, run, step } from './helpers.js';

function dbWith(nodeCount: number, replicaN: number, durationNs = H): MetaCommand[] {
  return [
    ...nodes(nodeCount),
    { type: 'createDatabase', name: 'db', rp: { name: 'rp', durationNs: durationNs.toString(), replicaN } },
  ];
}

function group(data: MetaData, t: bigint, rp = 'rp'): { data: MetaData; g: ShardGroupInfo } {
  const out = step(data, { type: 'createShardGroup', db: 'db', rp, timestampNs: t.toString() });
  if (out.error) throw out.error;
  return { data: out.data, g: out.result as ShardGroupInfo };
}

test('a group covers [truncate(t), +duration) with global IDs (upstream Data_CreateShardGroup)', (t) => {
  const { data, g } = group(run(dbWith(2, 2)), iso('2000-01-01T00:00:00Z'));
  t.is(g.id, 1);
  t.is(g.startTime, iso('2000-01-01T00:00:00Z'));
  t.is(g.endTime, iso('2000-01-01T01:00:00Z'));
  t.is(g.shards.length, 1);
  t.is(g.shards[0]!.id, 1);
  t.deepEqual([...g.shards[0]!.owners].sort(), [1, 2]);
  t.is(data.maxShardGroupId, 1);
  t.is(data.maxShardId, 1);
});

test('the weekly group of autogen starts on Monday', (t) => {
  const data = run([...nodes(1), { type: 'createDatabase', name: 'db' }]);
  const { g } = group(data, iso('2015-12-10T12:00:00Z'), '');
  t.is(g.startTime, iso('2015-12-07T00:00:00Z'));
  t.is(g.endTime, iso('2015-12-14T00:00:00Z'));
});

test('shard counts and owners follow reference §5.4 (round robin from index % nodes)', (t) => {
  const cases: [nodes: number, rf: number, shards: number, owners: number][] = [
    [3, 3, 1, 3],
    [3, 1, 3, 1],
    [3, 2, 1, 2],
    [4, 3, 1, 3],
    [5, 2, 2, 2],
    [2, 5, 1, 2], // RF above the node count is clamped per group
  ];
  for (const [n, rf, shardN, ownerN] of cases) {
    const data = run(dbWith(n, rf));
    const { g } = group(data, iso('2000-01-01T00:00:00Z'));
    t.is(g.shards.length, shardN, `${n} nodes RF ${rf}`);
    for (const s of g.shards) t.is(s.owners.length, ownerN);
    // owners start at node index data.index % n and continue round robin over nodes in ID order
    const ids = data.nodes.map((x) => x.id);
    const expected: number[] = [];
    for (let k = 0; k < shardN * ownerN; k++) expected.push(ids[(data.index + k) % n]!);
    t.deepEqual(g.shards.flatMap((s) => s.owners), expected);
  }
});

test('3 nodes RF 1: the starting node moves with the index', (t) => {
  let data = run(dbWith(3, 1)); // index 4
  const first = group(data, iso('2000-01-01T00:00:00Z'));
  t.deepEqual(first.g.shards.map((s) => s.owners), [[2], [3], [1]]); // 4 % 3 = 1 -> node 2 first
  data = first.data; // index 5
  const second = group(data, iso('2000-01-01T01:00:00Z'));
  t.deepEqual(second.g.shards.map((s) => s.owners), [[3], [1], [2]]);
  t.deepEqual(second.g.shards.map((s) => s.id), [4, 5, 6]);
});

test('creating a group that exists returns it and changes nothing', (t) => {
  const { data, g } = group(run(dbWith(1, 1)), iso('2000-01-01T00:10:00Z'));
  const again = step(data, { type: 'createShardGroup', db: 'db', rp: 'rp', timestampNs: iso('2000-01-01T00:50:00Z').toString() });
  t.deepEqual(again.result, g);
  t.is(again.data.maxShardGroupId, 1);
});

test('shard group creation errors: no nodes, missing database or policy', (t) => {
  const empty = run([]);
  t.is(step(empty, { type: 'createShardGroup', db: 'db', rp: 'rp', timestampNs: '0' }).error?.message, 'at least one node required');
  const data = run(dbWith(1, 1));
  t.is(step(data, { type: 'createShardGroup', db: 'x', rp: 'rp', timestampNs: '0' }).error?.message, 'database not found: x');
  t.is(step(data, { type: 'createShardGroup', db: 'db', rp: 'nope', timestampNs: '0' }).error?.message, 'retention policy not found: nope');
});

test('lookups by time range and timestamp (upstream Store_ShardGroupsRetrieval, ShardGroup_Overlaps)', (t) => {
  const { data } = group(run(dbWith(1, 1)), iso('2000-01-01T00:00:00Z'));
  const range = (a: string, b: string) => shardGroupsByTimeRange(data, 'db', 'rp', iso(a), iso(b)).map((g) => g.id);
  t.deepEqual(range('1999-01-01T00:00:00Z', '1999-01-02T00:00:00Z'), []);
  t.deepEqual(range('2000-01-01T00:00:00Z', '2001-01-01T00:00:00Z'), [1]);
  t.deepEqual(range('1999-01-01T00:00:00Z', '2001-01-01T00:00:00Z'), [1]);
  t.deepEqual(range('2002-01-01T00:00:00Z', '2002-01-02T00:00:00Z'), []);
  const S = iso('2000-01-01T00:00:00Z');
  const E = S + H;
  const M = 60_000_000_000n;
  const overlaps = (a: bigint, b: bigint) => shardGroupsByTimeRange(data, 'db', 'rp', a, b).length === 1;
  for (const [a, b] of [[S - M, E], [S - M, S], [S, E + M], [S - M, E + M], [S + M, E - M], [S, E], [S, S], [S + M, E + 24n * H]] as const) {
    t.true(overlaps(a, b));
  }
  for (const [a, b] of [[E, E], [S - 10n * H, E - 9n * H], [S + 24n * H, E + 25n * H]] as const) t.false(overlaps(a, b));
  t.is(shardGroupByTimestamp(data, 'db', 'rp', E - 1n)?.id, 1);
  t.is(shardGroupByTimestamp(data, 'db', 'rp', E), undefined);
  t.is(shardGroupByTimestamp(data, 'db', '', S)?.id, 1, "'' is the default policy");
});

test('soft delete: the group stays as a tombstone, lookups skip it, a new group gets new IDs', (t) => {
  const S = iso('2000-01-01T00:00:00Z');
  const { data } = group(run(dbWith(1, 1)), S);
  const del = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 1, nowNs: '42' }], data);
  const rp = findRetentionPolicy(del, 'db', 'rp')!;
  t.is(rp.shardGroups.length, 1);
  t.is(rp.shardGroups[0]!.deletedAt, 42n);
  t.is(shardGroupByTimestamp(del, 'db', 'rp', S), undefined);
  t.deepEqual(shardGroupsByTimeRange(del, 'db', 'rp', S, S + H), []);
  const again = group(del, S).g;
  t.is(again.id, 2);
  t.deepEqual(again.shards.map((s) => s.id), [2]);
  t.is(step(del, { type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 9, nowNs: '1' }).error?.message, 'shard group not found');
  const twice = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 1, nowNs: '99' }], del);
  t.is(findRetentionPolicy(twice, 'db', 'rp')!.shardGroups[0]!.deletedAt, 42n, 'the first deletion time is kept');
});

test('IDs are never reused after drops of groups, policies and databases', (t) => {
  let data = run(dbWith(2, 1));
  data = group(data, iso('2000-01-01T00:00:00Z')).data; // group 1, shards 1,2
  data = run([{ type: 'dropDatabase', name: 'db' }, ...dbWith(0, 1).slice(0)], data);
  const g = group(data, iso('2000-01-01T00:00:00Z')).g;
  t.is(g.id, 2);
  t.deepEqual(g.shards.map((s) => s.id), [3, 4]);
  data = run([{ type: 'removeNode', id: 2, force: true }, { type: 'addNode', address: 'host9:8088' }], data);
  t.deepEqual(data.nodes.map((n) => n.id), [1, 3]);
});

test('expired groups: end + duration before now, deleted ones excluded (upstream ShardGroupExpiredDeleted)', (t) => {
  let data = run(dbWith(1, 1));
  data = group(data, iso('2000-01-01T00:00:00Z')).data;
  data = group(data, iso('2001-01-01T00:00:00Z')).data;
  const rp = () => findRetentionPolicy(data, 'db', 'rp')!;
  t.deepEqual(expiredShardGroups(rp(), iso('2001-01-01T00:00:00Z')).map((g) => g.id), [1]);
  data = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 1, nowNs: '1' }], data);
  t.deepEqual(expiredShardGroups(rp(), iso('2001-01-01T00:00:00Z')), []);
  t.deepEqual(rp().shardGroups.filter((g) => g.deletedAt !== undefined).map((g) => g.id), [1]);
});

test('shardIdsOf lists a database or policy shards, tombstones included', (t) => {
  let data = run([...dbWith(2, 1), { type: 'createRetentionPolicy', db: 'db', rp: { name: 'other', durationNs: D.toString(), replicaN: 1 }, makeDefault: false }]);
  data = group(data, iso('2000-01-01T00:00:00Z')).data; // shards 1,2
  data = group(data, iso('2000-01-01T00:00:00Z'), 'other').data; // shards 3,4
  data = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 1, nowNs: '1' }], data);
  t.deepEqual(shardIdsOf(data, 'db'), [1, 2, 3, 4]);
  t.deepEqual(shardIdsOf(data, 'db', 'other'), [3, 4]);
  t.deepEqual(shardIdsOf(data, 'nope'), []);
});

test('a group reaching past MaxNanoTime ends at MaxNanoTime + 1', (t) => {
  const data = run([...nodes(1), { type: 'createDatabase', name: 'db' }]);
  const g = (step(data, { type: 'createShardGroup', db: 'db', rp: 'autogen', timestampNs: '9223372036854775806' }).result as ShardGroupInfo);
  t.is(g.endTime, 9_223_372_036_854_775_807n);
});

test('applyCommand rejects an index that does not advance', (t) => {
  const data = run(nodes(1));
  t.throws(() => applyCommand(data, { type: 'dropDatabase', name: 'x' }, data.index), { instanceOf: TypeError });
});

test('findShardLocation and liveShardIds skip deleted groups', (t) => {
  let data = run(dbWith(2, 1));
  data = group(data, iso('2000-01-01T00:00:00Z')).data; // group 1: shards 1,2
  data = group(data, iso('2000-01-01T01:00:00Z')).data; // group 2: shards 3,4
  const loc = findShardLocation(data, 4)!;
  t.deepEqual([loc.database, loc.retentionPolicy, loc.group.id, loc.shard.id], ['db', 'rp', 2, 4]);
  t.deepEqual(liveShardIds(data), [1, 2, 3, 4]);
  data = run([{ type: 'deleteShardGroup', db: 'db', rp: 'rp', id: 1, nowNs: '1' }], data);
  t.is(findShardLocation(data, 1), undefined);
  t.is(findShardLocation(data, 99), undefined);
  t.deepEqual(liveShardIds(data), [3, 4]);
});

test('ALTER of replication or shard duration only affects groups created afterwards (InfluxDB #4212)', (t) => {
  let data = run(dbWith(3, 1, 0n)); // infinite, RF 1 -> 3 shards of one owner, 7d groups
  const first = group(data, iso('2000-01-03T00:00:00Z'));
  data = run(
    [{ type: 'alterRetentionPolicy', db: 'db', name: 'rp', update: { replicaN: 3, shardGroupDurationNs: D.toString() }, makeDefault: false }],
    first.data,
  );
  const rp = findRetentionPolicy(data, 'db', 'rp')!;
  t.deepEqual(rp.shardGroups[0], first.g, 'the existing group is untouched');
  // a time inside the old 7d group still maps to it; a later time gets a 1d group with one 3-owner shard
  t.is(shardGroupByTimestamp(data, 'db', 'rp', iso('2000-01-05T00:00:00Z'))?.id, first.g.id);
  const next = group(data, iso('2000-01-20T05:00:00Z')).g;
  t.is(next.endTime - next.startTime, D);
  t.deepEqual(next.shards.map((s) => s.owners.length), [3]);
});

test('dropShard removes one shard; the last one soft-deletes the group (InfluxDB Data.DropShard)', (t) => {
  let data = run(dbWith(2, 1)); // 2 shards per group
  data = group(data, iso('2000-01-01T00:00:00Z')).data;
  data = run([{ type: 'dropShard', id: 1, nowNs: '9' }], data);
  let g = findRetentionPolicy(data, 'db', 'rp')!.shardGroups[0]!;
  t.deepEqual(g.shards.map((s) => s.id), [2]);
  t.is(g.deletedAt, undefined);
  data = run([{ type: 'dropShard', id: 2, nowNs: '10' }, { type: 'dropShard', id: 77, nowNs: '11' }], data);
  g = findRetentionPolicy(data, 'db', 'rp')!.shardGroups[0]!;
  t.deepEqual(g.shards, []);
  t.is(g.deletedAt, 10n);
  t.is(data.maxShardId, 2, 'IDs are not given back');
});
