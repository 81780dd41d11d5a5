import test from 'ava';
import { findRetentionPolicy, findUser, type MetaCommand } from '../../core/meta/index.js';
import type { ShardGroupInfo } from '../../core/contracts/meta-store.js';
import { nodes, run, step } from './helpers.js';

test('the first node gets ID 1 and sets the cluster ID; later nodes keep it (upstream Store_CreateNode)', (t) => {
  const one = run([{ type: 'addNode', address: 'host0:8088', clusterId: '12345' }]);
  t.deepEqual(one.nodes, [{ id: 1, address: 'host0:8088' }]);
  t.is(one.clusterId, '12345');
  const two = run([{ type: 'addNode', address: 'host1:8088', httpAddress: 'host1:8086', clusterId: '999' }], one);
  t.deepEqual(two.nodes[1], { id: 2, address: 'host1:8088', httpAddress: 'host1:8086' });
  t.is(two.clusterId, '12345');
  t.is(step(two, { type: 'addNode', address: 'host0:8088' }).error?.message, 'node already exists');
});

test('updateNode changes addresses, keeping them unique', (t) => {
  const data = run(nodes(2));
  const up = run([{ type: 'updateNode', id: 1, address: 'new:8088', httpAddress: 'new:8086' }], data);
  t.deepEqual(up.nodes[0], { id: 1, address: 'new:8088', httpAddress: 'new:8086' });
  t.is(step(data, { type: 'updateNode', id: 1, address: 'host1:8088' }).error?.code, 'ERR_META_NODE_EXISTS');
  t.is(step(data, { type: 'updateNode', id: 7, address: 'x:1' }).error?.message, 'node not found');
});

test('removeNode follows DeleteNode rules (reference §5.6)', (t) => {
  const data = run(nodes(3));
  t.is(step(data, { type: 'removeNode', id: 0, force: false }).error?.message, 'node id must be greater than 0');
  t.is(step(data, { type: 'removeNode', id: 9, force: false }).error?.message, 'node not found');
  t.is(step(run(nodes(1)), { type: 'removeNode', id: 1, force: true }).error?.message, 'unable to drop the final node in a cluster');
  const removed = run([{ type: 'removeNode', id: 1, force: false }], data);
  t.deepEqual(removed.nodes.map((n) => [n.id, n.address]), [[2, 'host1:8088'], [3, 'host2:8088']]);
});

test('removing a node drops it from owners; unreplicated shards need force (upstream Data_DeleteNode_Shards)', (t) => {
  const cmds: MetaCommand[] = [
    ...nodes(4),
    { type: 'createDatabase', name: 'db', rp: { name: 'rf3', durationNs: '0', replicaN: 3 } },
    { type: 'createRetentionPolicy', db: 'db', rp: { name: 'rf1', durationNs: '0', replicaN: 1 }, makeDefault: false },
    { type: 'createShardGroup', db: 'db', rp: 'rf3', timestampNs: '0' },
  ];
  let data = run(cmds);
  const g3 = () => findRetentionPolicy(data, 'db', 'rf3')!.shardGroups[0]!;
  const owner = g3().shards[0]!.owners[0]!;
  t.is(g3().shards[0]!.owners.length, 3);
  data = run([{ type: 'removeNode', id: owner, force: false }], data);
  t.is(g3().shards[0]!.owners.length, 2);
  t.false(g3().shards[0]!.owners.includes(owner));
  // RF 1: 3 nodes left -> 3 single-owner shards; every node holds one alone
  const out = step(data, { type: 'createShardGroup', db: 'db', rp: 'rf1', timestampNs: '0' });
  data = out.data;
  const lone = (out.result as ShardGroupInfo).shards[0]!.owners[0]!;
  t.is(step(data, { type: 'removeNode', id: lone, force: false }).error?.message, 'shard not replicated');
  const forced = run([{ type: 'removeNode', id: lone, force: true }], data);
  const s = findRetentionPolicy(forced, 'db', 'rf1')!.shardGroups[0]!.shards.find((x) => x.owners.length === 0);
  t.truthy(s, 'the forced removal leaves the shard without owners (no re-replication)');
});

test('users: create, idempotent re-create, password, admin, privileges; errors as 1.6.7', (t) => {
  let data = run([...nodes(1), { type: 'createDatabase', name: 'db' }, { type: 'createUser', name: 'u', hash: 'h1', admin: false }]);
  t.deepEqual(findUser(data, 'u'), { name: 'u', hash: 'h1', admin: false, privileges: {} });
  t.is(step(data, { type: 'createUser', name: 'u', hash: 'h1', admin: false }).error, undefined);
  t.is(step(data, { type: 'createUser', name: 'u', hash: 'h2', admin: false }).error?.message, 'user already exists');
  t.is(step(data, { type: 'createUser', name: 'u', hash: 'h1', admin: true }).error?.message, 'user already exists');
  t.is(step(data, { type: 'createUser', name: '', hash: 'h1', admin: true }).error?.message, 'username required');
  data = run(
    [
      { type: 'setUserPassword', name: 'u', hash: 'h3' },
      { type: 'setAdminPrivilege', name: 'u', admin: true },
      { type: 'setPrivilege', name: 'u', db: 'db', privilege: 'READ' },
      { type: 'setPrivilege', name: 'u', db: 'db', privilege: 'NO PRIVILEGES' },
    ],
    data,
  );
  t.deepEqual(findUser(data, 'u'), { name: 'u', hash: 'h3', admin: true, privileges: { db: 'NO PRIVILEGES' } });
  for (const cmd of [
    { type: 'dropUser', name: 'x' },
    { type: 'setUserPassword', name: 'x', hash: 'h' },
    { type: 'setAdminPrivilege', name: 'x', admin: true },
    { type: 'setPrivilege', name: 'x', db: 'nodb', privilege: 'READ' },
  ] as MetaCommand[]) {
    t.is(step(data, cmd).error?.message, 'user not found', cmd.type);
  }
  t.is(step(data, { type: 'setPrivilege', name: 'u', db: 'nodb', privilege: 'READ' }).error?.message, 'database not found: nodb');
  t.is(findUser(run([{ type: 'dropUser', name: 'u' }], data), 'u'), undefined);
});

test('a database named __proto__ is an ordinary privilege key', (t) => {
  const data = run([
    ...nodes(1),
    { type: 'createDatabase', name: '__proto__' },
    { type: 'createUser', name: 'u', hash: 'h', admin: false },
    { type: 'setPrivilege', name: 'u', db: '__proto__', privilege: 'READ' },
  ]);
  t.deepEqual(Object.entries(findUser(data, 'u')!.privileges), [['__proto__', 'READ']]);
  const dropped = run([{ type: 'dropDatabase', name: '__proto__' }], data);
  t.deepEqual(Object.keys(findUser(dropped, 'u')!.privileges), []);
});
