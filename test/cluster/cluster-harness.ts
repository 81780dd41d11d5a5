import { ClusterMux } from '../../core/cluster/cluster-mux.js';
import { ClusterService } from '../../core/cluster/cluster-service.js';
import { PointsWriter } from '../../core/cluster/points-writer.js';
import { ShardMapper } from '../../core/cluster/shard-mapper.js';
import { ShardWriter } from '../../core/cluster/shard-writer.js';
import { silentLogger } from '../../core/logger.js';
import { QueryExecutor } from '../../core/query/executor.js';
import type { StatementResult } from '../../core/query/result.js';
import { ChannelPool, channelPoolOptions, poolChannelPlugin } from '../../plugins/pool-channel/index.js';
import { TcpTransport } from '../../plugins/transport-tcp/tcp-transport.js';
import { MemoryTSDBStore } from '../../plugins/tsdb-memory/memory-tsdb-store.js';
import { SharedMetaLog, SharedMetaStore } from './shared-meta.js';

/** Settings of a hand-assembled test cluster. */
export interface ClusterOptions {
  /** Per remote request / chunk deadline (ms), default 5000 (generous: CI machines are shared). */
  readonly timeoutMs?: number;
  /** [pool-channel] overrides (max, get-timeout, handshake, secret...). */
  readonly pool?: Record<string, unknown>;
  /** Cluster secret on the service side. */
  readonly secret?: string;
  /** PointsWriter write timeout (ms), default 5000. */
  readonly writeTimeoutMs?: number;
  /** Cluster service limits (defaults: the service's own). */
  readonly frameTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly maxFrameBytes?: number;
}

/**
 * One node of a test cluster, assembled by hand from the real parts a booted node uses: TCP transport,
 * cluster mux, tsdb-memory, pool-channel, the cluster service, ShardWriter, ShardMapper, PointsWriter
 * and the query executor. Meta is a SharedMetaStore (stand-in for Raft replication, see shared-meta.ts).
 */
export interface TestNode {
  readonly id: number;
  readonly address: string;
  readonly transport: TcpTransport;
  readonly mux: ClusterMux;
  readonly meta: SharedMetaStore;
  readonly store: MemoryTSDBStore;
  readonly pool: ChannelPool;
  readonly service: ClusterService;
  readonly shardWriter: ShardWriter;
  readonly shardMapper: ShardMapper;
  readonly writer: PointsWriter;
  readonly executor: QueryExecutor;
  /** Runs one query and returns its merged results (chunked pieces joined). */
  query(q: string, db: string): Promise<StatementResult[]>;
  /** Abrupt death: closes the listener and every connection of this node at once. */
  kill(): Promise<void>;
  /** Orderly stop of everything. */
  stop(): Promise<void>;
}

const tcp = (): TcpTransport => new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 2000, keepAliveMs: 0, noDelay: true, logger: silentLogger() });

/** Starts `n` nodes sharing one meta command stream; node i+1 is nodes[i]. */
export async function startCluster(n: number, options: ClusterOptions = {}): Promise<{ log: SharedMetaLog; nodes: TestNode[]; stop(): Promise<void> }> {
  const log = new SharedMetaLog();
  const timeoutMs = options.timeoutMs ?? 5000;
  // Listen first: a node's cluster address must be in meta before its meta store starts.
  const ports: { transport: TcpTransport; mux: ClusterMux; address: string }[] = [];
  for (let i = 0; i < n; i++) {
    const transport = tcp();
    await transport.start();
    const mux = new ClusterMux(transport, '127.0.0.1:0', silentLogger());
    await mux.start();
    ports.push({ transport, mux, address: mux.address().address });
  }
  for (const p of ports) await log.addNode(p.address);
  const nodes: TestNode[] = [];
  for (const { transport, mux, address } of ports) {
    const meta = new SharedMetaStore(log, address);
    await meta.start();
    const store = new MemoryTSDBStore();
    await store.start();
    const poolConfig = poolChannelPlugin.parseConfig({ initial: 0, 'get-timeout': `${timeoutMs}ms`, ...options.pool }, 'pool-channel', []);
    const pool = new ChannelPool(transport, meta, { ...channelPoolOptions(poolConfig), logger: silentLogger() });
    await pool.start();
    const shardMapper = new ShardMapper(store, meta, { pool, chunkTimeoutMs: timeoutMs });
    const service = new ClusterService({
      mux,
      store,
      meta,
      openMapper: (id, req, chunkSize) => shardMapper.localMapper(id, req, chunkSize),
      logger: silentLogger(),
      ...(options.secret === undefined ? {} : { secret: options.secret }),
      ...(options.frameTimeoutMs === undefined ? {} : { frameTimeoutMs: options.frameTimeoutMs }),
      ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      drainTimeoutMs: 1000,
    });
    await service.start();
    const shardWriter = new ShardWriter(pool, { timeoutMs });
    const writer = new PointsWriter(meta, store, silentLogger(), shardWriter, { writeTimeoutMs: options.writeTimeoutMs ?? 5000 });
    const executor = new QueryExecutor({ meta, tsdb: store, shardMapper, logger: silentLogger() });
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await service.stop();
      await mux.stop();
      await pool.stop();
      await transport.stop();
      await store.stop();
      await meta.stop();
    };
    nodes.push({
      id: meta.nodeId(),
      address,
      transport,
      mux,
      meta,
      store,
      pool,
      service,
      shardWriter,
      shardMapper,
      writer,
      executor,
      query: async (q, db) => {
        const out: StatementResult[] = [];
        for await (const r of executor.execute(q, { db, rp: '', readOnly: true })) out.push(r);
        return out;
      },
      kill: async () => {
        await transport.stop();
      },
      stop,
    });
  }
  return {
    log,
    nodes,
    stop: async () => {
      for (const node of nodes) await node.stop();
    },
  };
}

/** Every value of a shard, as `measurement|seriesKey|field|time|value` lines, sorted (for equality checks). */
export function dumpShard(store: MemoryTSDBStore, shardId: number): string[] {
  const r = store.reader(shardId);
  const out: string[] = [];
  for (const m of r.measurements()) {
    const fields = r.fields(m);
    for (const s of r.series(m)) {
      for (const f of fields) {
        for (const block of r.scan(s.key, f.name, -(2n ** 63n), 2n ** 63n - 1n)) {
          const { times, values } = block.decode();
          for (let i = 0; i < times.length; i++) out.push(`${m}|${s.key}|${f.name}|${times[i]}|${String((values as ArrayLike<unknown>)[i])}`);
        }
      }
    }
  }
  return out.sort();
}
