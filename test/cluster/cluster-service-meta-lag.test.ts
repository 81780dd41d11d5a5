// A write-shard request can reach a node before that node has applied the meta command that created the
// shard's group (its meta replica lags the writer's). The write must never be acknowledged and dropped:
// the service catches up with a linearizable read (MetaStore.sync), and if the shard is still unknown it
// answers an error. Only a shard known to be deleted (an ID this node has seen, no longer live) is
// dropped with success, as InfluxDB does.
import test from 'ava';
import { ClusterMux } from '../../core/cluster/cluster-mux.js';
import { type ClusterServiceMeta, ClusterService } from '../../core/cluster/cluster-service.js';
import { decodeMessage, encodeWriteShardRequest } from '../../core/cluster/codec.js';
import { FrameReader } from '../../core/cluster/framing.js';
import type { MetaData } from '../../core/contracts/meta-store.js';
import { MuxByte } from '../../core/contracts/transport.js';
import { silentLogger } from '../../core/logger.js';
import { MemoryMetaStore } from '../../core/testing/memory-meta-store.js';
import { makePoint } from '../../core/testing/points.js';
import { TcpTransport } from '../../plugins/transport-tcp/tcp-transport.js';
import { MemoryTSDBStore } from '../../plugins/tsdb-memory/memory-tsdb-store.js';

const T0 = 1_600_000_000_000_000_000n;

async function setup() {
  // The writer's view of meta (up to date) and a replica that has not applied the group yet.
  const meta = new MemoryMetaStore();
  await meta.start();
  await meta.createDatabase('db');
  const stale: MetaData = meta.data();
  const group = await meta.createShardGroupIfNotExists('db', '', T0);
  const shardId = group.shards[0]!.id;
  let synced = false;
  let syncs = 0;
  const lagging: ClusterServiceMeta = {
    data: () => (synced ? meta.data() : stale),
    sync: async () => {
      syncs++;
      synced = true;
    },
  };
  const transport = new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  await transport.start();
  const mux = new ClusterMux(transport, '127.0.0.1:0', silentLogger());
  await mux.start();
  const store = new MemoryTSDBStore();
  await store.start();
  return { meta, lagging, transport, mux, store, shardId, syncs: () => syncs };
}

async function writeShard(transport: TcpTransport, address: string, shardId: number) {
  const conn = await transport.dial(address, MuxByte.CLUSTER, { timeoutMs: 2000 });
  const reader = new FrameReader();
  const answer = new Promise<ReturnType<typeof decodeMessage>>((resolve) => {
    conn.on('data', (chunk: Buffer) => reader.push(chunk, (f) => resolve(decodeMessage(f))));
  });
  conn.write(encodeWriteShardRequest({ shardId, points: [makePoint('m', { h: 'a' }, { v: 1 }, T0)] }));
  const m = await answer;
  conn.destroy();
  return m;
}

test('a write for a shard this replica has not applied yet is written after a meta sync, not dropped', async (t) => {
  const s = await setup();
  const service = new ClusterService({ mux: s.mux, store: s.store, meta: s.lagging, openMapper: () => t.fail() as never, logger: silentLogger() });
  await service.start();
  try {
    const m = await writeShard(s.transport, s.mux.address().address, s.shardId);
    t.is(m.type, 2);
    t.is((m.body as { code: number }).code, 0);
    t.is(s.syncs(), 1);
    t.truthy(s.store.shardInfo(s.shardId), 'the shard was created');
    t.is(service.stats.writeShardDropped, 0);
  } finally {
    await service.stop();
    await s.transport.stop();
  }
});

test('a shard still unknown after the sync is an error answer, never a silent success', async (t) => {
  const s = await setup();
  const neverCatchesUp: ClusterServiceMeta = { data: () => s.meta.data(), sync: async () => {} };
  const service = new ClusterService({ mux: s.mux, store: s.store, meta: neverCatchesUp, openMapper: () => t.fail() as never, logger: silentLogger() });
  await service.start();
  try {
    const m = await writeShard(s.transport, s.mux.address().address, s.shardId + 100);
    t.not((m.body as { code: number }).code, 0);
    t.regex((m.body as { message: string }).message, /not in this node's meta data yet/);
  } finally {
    await service.stop();
    await s.transport.stop();
  }
});

test('a shard of a deleted group is dropped with success (InfluxDB §2.4)', async (t) => {
  const s = await setup();
  const g = s.meta.retentionPolicy('db', '')!.shardGroups[0]!;
  await s.meta.deleteShardGroup('db', 'autogen', g.id);
  const service = new ClusterService({ mux: s.mux, store: s.store, meta: s.meta, openMapper: () => t.fail() as never, logger: silentLogger() });
  await service.start();
  try {
    const m = await writeShard(s.transport, s.mux.address().address, s.shardId);
    t.is((m.body as { code: number }).code, 0);
    t.is(service.stats.writeShardDropped, 1);
    t.is(s.store.shardInfo(s.shardId), undefined);
  } finally {
    await service.stop();
    await s.transport.stop();
  }
});
