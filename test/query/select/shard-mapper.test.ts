// ShardMapper: local shards go to the store's own mapper when it has one, else core's local mapper;
// a shard owned here but never written is empty; a shard held elsewhere is a clear ERR_CLUSTER_REMOTE.
import test from 'ava';
import { ShardMapper } from '../../../core/cluster/shard-mapper.js';
import type { Mapper, MapRequest } from '../../../core/contracts/mapper.js';
import { hasCode } from '../../../core/errors.js';
import { SELECT_MAP_VERSION, type SelectMapChunk } from '../../../core/query/select/map-request.js';
import { makePoint } from '../../../core/testing/points.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

const schemaReq = { version: SELECT_MAP_VERSION, kind: 'schema', names: ['m'], patterns: [] };

async function first(m: Mapper): Promise<SelectMapChunk | null> {
  await m.open();
  const c = (await m.nextChunk()) as SelectMapChunk | null;
  await m.close();
  return c;
}

test('a local shard is read through core\'s local mapper over the store reader', async (t) => {
  const tsdb = new MemoryTSDBStore();
  await tsdb.start();
  try {
    await tsdb.createShard('db', 'autogen', 1);
    await tsdb.writeToShard(1, [makePoint('m', { h: 'a' }, { v: 1 }, 0n)]);
    const sm = new ShardMapper(tsdb, { nodeId: () => 1 });
    const c = await first(await sm.createMapper({ id: 1, owners: [1] }, schemaReq, 10));
    t.deepEqual(c?.schema, [{ name: 'm', fields: [['v', 'float']], tagKeys: ['h'] }]);
  } finally {
    await tsdb.stop();
  }
});

test("the store's own mapper is used when it has one", async (t) => {
  const tsdb = new MemoryTSDBStore();
  await tsdb.start();
  try {
    await tsdb.createShard('db', 'autogen', 1);
    const seen: Array<[number, MapRequest, number]> = [];
    const own: Mapper = { open: async () => {}, tagSets: () => [], fields: () => [], nextChunk: async () => null, close: async () => {} };
    const store = {
      shardInfo: (id: number) => tsdb.shardInfo(id),
      reader: (id: number) => tsdb.reader(id),
      createMapper: (id: number, req: MapRequest, n: number): Mapper => {
        seen.push([id, req, n]);
        return own;
      },
    };
    const sm = new ShardMapper(store, { nodeId: () => 1 });
    t.is(await sm.createMapper({ id: 1, owners: [1] }, schemaReq, 7), own);
    t.deepEqual(seen, [[1, schemaReq, 7]]);
  } finally {
    await tsdb.stop();
  }
});

test('a shard owned here but not created yet reads as empty; one held elsewhere is ERR_CLUSTER_REMOTE', async (t) => {
  const tsdb = new MemoryTSDBStore();
  await tsdb.start();
  try {
    const sm = new ShardMapper(tsdb, { nodeId: () => 1 });
    t.deepEqual((await first(await sm.createMapper({ id: 9, owners: [1] }, schemaReq, 10)))?.schema, []);
    const err = await t.throwsAsync(sm.createMapper({ id: 9, owners: [2, 3] }, schemaReq, 10));
    t.true(hasCode(err, 'ERR_CLUSTER_REMOTE'));
  } finally {
    await tsdb.stop();
  }
});
