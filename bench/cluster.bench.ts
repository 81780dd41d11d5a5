// Cluster port bench: write-shard throughput from one node to another (points/s, bytes/point), and the
// connection pool under 64 concurrent writers with at most 3 connections, and a remote map streaming a
// shard's rows back (rows/s).
// Run: npx tsc -p . && node dist/bench/cluster.bench.js [--points N] [--batch N] [--in-process]
// By default the receiving node runs in a child process (two local processes, as two nodes would).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ClusterMux } from '../core/cluster/cluster-mux.js';
import { encodeWriteShardRequest } from '../core/cluster/codec.js';
import { ClusterService } from '../core/cluster/cluster-service.js';
import { ShardMapper } from '../core/cluster/shard-mapper.js';
import { RemoteMapper } from '../core/cluster/remote-mapper.js';
import { ShardWriter } from '../core/cluster/shard-writer.js';
import { silentLogger } from '../core/logger.js';
import type { Point } from '../core/model/point.js';
import { SELECT_MAP_VERSION } from '../core/query/select/map-request.js';
import { MemoryMetaStore } from '../core/testing/memory-meta-store.js';
import { ChannelPool } from '../plugins/pool-channel/channel-pool.js';
import { TcpTransport } from '../plugins/transport-tcp/tcp-transport.js';
import { MemoryTSDBStore } from '../plugins/tsdb-memory/memory-tsdb-store.js';
import { devopsPoints } from './codec.bench.js';

/** Options of the cluster bench. */
export interface ClusterBenchOptions {
  /** Points sent in the throughput part (default 200,000; 50,000 with `quick`). */
  readonly points?: number;
  /** Points per write-shard request (default 5,000). */
  readonly batch?: number;
  /** Run the receiving node in this process instead of a child process. */
  readonly inProcess?: boolean;
  /** Concurrent writers in the pool part (default 64) and the pool's max connections (default 3). */
  readonly writers?: number;
  readonly poolMax?: number;
  readonly quick?: boolean;
}

const SELF = fileURLToPath(import.meta.url);
const tcp = (): TcpTransport => new TcpTransport({ dialTimeoutMs: 5000, muxTimeoutMs: 5000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });

/** A receiving node: cluster port, cluster service, tsdb-memory, a one-node meta with database `bench`. */
async function startReceiver(): Promise<{ address: string; shardId: number; points(): number; stop(): Promise<void> }> {
  const transport = tcp();
  await transport.start();
  const mux = new ClusterMux(transport, '127.0.0.1:0', silentLogger());
  await mux.start();
  const meta = new MemoryMetaStore({ address: mux.address().address });
  await meta.start();
  await meta.createDatabase('bench');
  const group = await meta.createShardGroupIfNotExists('bench', '', 1_600_000_000_000_000_000n);
  const store = new MemoryTSDBStore();
  await store.start();
  const mapper = new ShardMapper(store, meta);
  const service = new ClusterService({ mux, store, meta, logger: silentLogger(), openMapper: (id, r, n) => mapper.localMapper(id, r, n) });
  await service.start();
  return {
    address: mux.address().address,
    shardId: group.shards[0]!.id,
    points: () => service.stats.writeShardPointsReq,
    stop: async () => {
      await service.stop();
      await mux.stop();
      await transport.stop();
      await store.stop();
      await meta.stop();
    },
  };
}

interface Remote {
  address: string;
  shardId: number;
  points(): Promise<number>;
  stop(): Promise<void>;
}

async function receiverInChild(): Promise<Remote> {
  const child: ChildProcess = fork(SELF, ['--receiver'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>));
      child.once('error', reject);
      child.send(msg);
    });
  const ready = (await ask('start')) as { address: string; shardId: number };
  return {
    address: ready.address,
    shardId: ready.shardId,
    points: async () => (await ask('points')).points as number,
    stop: async () => {
      await ask('stop');
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    },
  };
}

async function receiverInProcess(): Promise<Remote> {
  const r = await startReceiver();
  return { address: r.address, shardId: r.shardId, points: async () => r.points(), stop: r.stop };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs the bench; returns `writeShard.*`, `pool64.*` and `mapShard.*` figures. */
export async function run(options: ClusterBenchOptions = {}): Promise<Record<string, number>> {
  const total = options.points ?? (options.quick ? 50_000 : 200_000);
  const batchSize = options.batch ?? 5_000;
  const writers = options.writers ?? 64;
  const poolMax = options.poolMax ?? 3;
  const remote = options.inProcess ? await receiverInProcess() : await receiverInChild();
  const transport = tcp();
  await transport.start();
  const pool = new ChannelPool(transport, { data: () => ({ nodes: [{ id: 2, address: remote.address }] }) }, {
    initial: 1,
    max: poolMax,
    maxIdle: 0,
    globalMax: 500,
    getTimeoutMs: 30_000,
    idleTimeoutMs: 0,
    logger: silentLogger(),
  });
  await pool.start();
  const writer = new ShardWriter(pool, { timeoutMs: 30_000 });
  const out: Record<string, number> = {};
  try {
    const points = devopsPoints(total);
    const batches: Point[][] = [];
    for (let i = 0; i < total; i += batchSize) batches.push(points.slice(i, i + batchSize));
    out['writeShard.bytesPerPoint'] = batches.reduce((n, b) => n + encodeWriteShardRequest({ shardId: remote.shardId, points: b }).length, 0) / total;
    await writer.writeShard(remote.shardId, 2, batches[0]!); // warm-up (JIT, shard creation)

    // One request in flight (InfluxDB's writer per shard owner), then as many as the pool allows.
    for (const inflight of [1, poolMax]) {
      const t0 = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (next < batches.length) await writer.writeShard(remote.shardId, 2, batches[next++]!);
        }),
      );
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      out[`writeShard.inflight${inflight}.pointsPerSec`] = total / s;
    }

    // Pool under load: `writers` writers, small batches, max `poolMax` connections.
    const small = points.slice(0, 100);
    const rounds = options.quick ? 10 : 25;
    const latencies: number[] = [];
    let maxLive = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let r = 0; r < rounds; r++) {
          const s = process.hrtime.bigint();
          await writer.writeShard(remote.shardId, 2, small);
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
          maxLive = Math.max(maxLive, pool.stats(2).live);
        }
      }),
    );
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    latencies.sort((a, b) => a - b);
    out[`pool${writers}.requestsPerSec`] = (writers * rounds) / secs;
    out[`pool${writers}.pointsPerSec`] = (writers * rounds * small.length) / secs;
    out[`pool${writers}.latencyP50Ms`] = percentile(latencies, 50);
    out[`pool${writers}.latencyP99Ms`] = percentile(latencies, 99);
    out[`pool${writers}.maxLiveConnections`] = maxLive;
    out[`pool${writers}.timeouts`] = pool.counters().timeouts;
    // Remote map: stream every row of the written shard back (raw mode, 1,000 rows per chunk).
    const request = {
      version: SELECT_MAP_VERSION,
      kind: 'data',
      measurement: 'cpu',
      tmin: '0',
      tmax: '9223372036854775806',
      condition: null,
      dimensions: [],
      interval: '0',
      offset: '0',
      ascending: true,
      columns: [{ kind: 'field', name: 'usage_user' }, { kind: 'field', name: 'usage_idle' }],
      aggregates: null,
    };
    const m0 = process.hrtime.bigint();
    const mapper = new RemoteMapper({ pool, shardId: remote.shardId, owners: [2], request, chunkSize: 1000, chunkTimeoutMs: 30_000 });
    await mapper.open();
    let rows = 0;
    for (let chunk = await mapper.nextChunk(); chunk !== null; chunk = await mapper.nextChunk()) {
      for (const g of (chunk as { groups?: { rows: unknown[] }[] }).groups ?? []) rows += g.rows.length;
    }
    await mapper.close();
    const ms = Number(process.hrtime.bigint() - m0) / 1e9;
    out['mapShard.rows'] = rows;
    out['mapShard.rowsPerSec'] = rows / ms;
    const expected = total * 2 + batchSize + writers * rounds * small.length;
    const received = await remote.points();
    if (received !== expected) throw new Error(`receiver counted ${received} points, expected ${expected}`);
  } finally {
    await pool.stop();
    await transport.stop();
    await remote.stop();
  }
  return out;
}

async function receiverMain(): Promise<void> {
  let r: Awaited<ReturnType<typeof startReceiver>> | undefined;
  process.on('message', (m) => {
    void (async () => {
      if (m === 'start') {
        r = await startReceiver();
        process.send!({ address: r.address, shardId: r.shardId });
      } else if (m === 'points') {
        process.send!({ points: r?.points() ?? 0 });
      } else if (m === 'stop') {
        await r?.stop();
        process.send!({ stopped: true }, () => process.exit(0));
      }
    })();
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--receiver') {
    void receiverMain();
  } else {
    const num = (name: string): number | undefined => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : undefined;
    };
    const opts: ClusterBenchOptions = {
      ...(num('--points') === undefined ? {} : { points: num('--points')! }),
      ...(num('--batch') === undefined ? {} : { batch: num('--batch')! }),
      ...(num('--writers') === undefined ? {} : { writers: num('--writers')! }),
      inProcess: args.includes('--in-process'),
      quick: args.includes('--quick'),
    };
    const res = await run(opts);
    for (const [k, v] of Object.entries(res)) process.stdout.write(`${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(2)}\n`);
  }
}
