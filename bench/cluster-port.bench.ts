// Remote writes over the cluster port on loopback: encode, pool, TCP, frame reader, decode, response.
// Run: npx tsc -p . && node dist/bench/cluster-port.bench.js [points] [batch]
import { pathToFileURL } from 'node:url';
import { decodeMessage, encodeWriteShardRequest, encodeWriteShardResponse, OK } from '../core/cluster/codec.js';
import { exchange, readFrames } from '../core/cluster/framing.js';
import { MessageType } from '../core/cluster/schema.js';
import { silentLogger } from '../core/logger.js';
import { ChannelPool } from '../plugins/pool-channel/channel-pool.js';
import { TcpTransport } from '../plugins/transport-tcp/tcp-transport.js';
import { devopsPoints } from './codec.bench.js';

/** Options of the cluster-port bench. */
export interface ClusterPortBenchOptions {
  /** Points sent per measurement (default 200,000). */
  readonly points?: number;
  /** Points per write-shard request (default 5,000). */
  readonly batch?: number;
}

/** Measures write-shard throughput (points/s) and request latency with 1 and 3 concurrent writers. */
export async function run(options: ClusterPortBenchOptions = {}): Promise<Record<string, number>> {
  const total = options.points ?? 200_000;
  const batchSize = options.batch ?? 5_000;
  const points = devopsPoints(total);
  const batches: (typeof points)[] = [];
  for (let i = 0; i < total; i += batchSize) batches.push(points.slice(i, i + batchSize));
  const mk = (): TcpTransport => new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 5000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });
  const server = mk();
  const client = mk();
  await server.start();
  await client.start();
  let received = 0;
  const bound = await server.listen('127.0.0.1:0', (conn) => {
    readFrames(conn, { frameTimeoutMs: 10_000 }, {
      onFrame: (f) => {
        const m = decodeMessage(f);
        if (m.type === MessageType.WRITE_SHARD_REQUEST) received += m.body.points.length;
        conn.write(encodeWriteShardResponse(OK));
      },
    });
  });
  const pool = new ChannelPool(client, { data: () => ({ nodes: [{ id: 2, address: bound.address }] }) }, {
    initial: 0, max: 3, maxIdle: 0, globalMax: 10, getTimeoutMs: 10_000, idleTimeoutMs: 0, logger: silentLogger(),
  });
  await pool.start();
  const results: Record<string, number> = {};
  try {
    for (const writers of [1, 3]) {
      received = 0;
      const latencies: number[] = [];
      let next = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < batches.length) {
            const b = batches[next++]!;
            const s = process.hrtime.bigint();
            const pc = await pool.get(2);
            try {
              await exchange(pc.conn, encodeWriteShardRequest({ shardId: 1, points: b }), { timeoutMs: 10_000 }, () => true);
              pc.release();
            } catch (err) {
              pc.markUnusable();
              throw err;
            }
            latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
          }
        }),
      );
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (received !== total) throw new Error(`lost points: ${received} of ${total}`);
      latencies.sort((a, b) => a - b);
      results[`writers=${writers}.points_s`] = Math.round(total / secs);
      results[`writers=${writers}.p50_ms`] = Math.round(latencies[Math.floor(latencies.length / 2)]! * 10) / 10;
      results[`writers=${writers}.p99_ms`] = Math.round(latencies[Math.floor(latencies.length * 0.99)]! * 10) / 10;
    }
  } finally {
    await pool.stop();
    await client.stop();
    await server.stop();
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [points, batch] = process.argv.slice(2).map(Number);
  const r = await run({ points: points || undefined, batch: batch || undefined });
  const lines = ['| writers | points/s | p50 ms per 5k batch | p99 ms |', '|---|---|---|---|'];
  for (const w of [1, 3]) lines.push(`| ${w} | ${r[`writers=${w}.points_s`]!.toLocaleString('en')} | ${r[`writers=${w}.p50_ms`]} | ${r[`writers=${w}.p99_ms`]} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
