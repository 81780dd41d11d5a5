import fs from 'node:fs/promises';
import path from 'node:path';
import { applyEnvOverrides, CORE_SECTIONS, type CoreConfig, parseCoreConfig, type RawConfig } from './config.js';
import { type ConfigProblem, configError } from './config-schema.js';
import { ClusterMux, ClusterMuxToken } from './cluster/cluster-mux.js';
import { ClusterService, ClusterServiceToken } from './cluster/cluster-service.js';
import { PointsWriter } from './cluster/points-writer.js';
import { ShardWriter } from './cluster/shard-writer.js';
import { ConnPool } from './contracts/conn-pool.js';
import { MetaStore } from './contracts/meta-store.js';
import { Transport } from './contracts/transport.js';
import { TSDBStore } from './contracts/tsdb-store.js';
import { type DependencyContainer, rootContainer } from './di.js';
import { HttpService } from './http/server.js';
import type { IncomingMessage } from 'node:http';
import { authenticate, sendAuthError } from './http/auth.js';
import { handleQuery } from './http/query-handler.js';
import { handleWrite } from './http/write-handler.js';
import { ShardMapper } from './cluster/shard-mapper.js';
import { QueryExecutor } from './query/executor.js';
import { ParseCache } from './model/line-protocol.js';
import { Kernel, type ServiceUnit } from './kernel.js';
import { createLogger, Logger } from './logger.js';
import { NodeSettings, type Plugin, type PluginContext } from './plugin.js';
import { checkPlugins, guardedContainer, type PluginResolver, parsePluginConfigs } from './plugin-loader.js';
import { createToken } from './tokens.js';

/** The HTTP service token (core). */
export const HttpApi = createToken<HttpService>('tessera.core.HttpApi');
/** The PointsWriter token (core). */
export const PointsWriterToken = createToken<PointsWriter>('tessera.core.PointsWriter');

export interface BootOptions {
  /** Raw configuration (TOML tables); environment overrides are applied here. */
  readonly raw: RawConfig;
  readonly env?: NodeJS.ProcessEnv;
  readonly resolvePlugin: PluginResolver;
  /** Where to write logs (stderr by default). */
  readonly logDestination?: NodeJS.WritableStream;
  /** Parent container (the root one by default); each node gets a child. */
  readonly parent?: DependencyContainer;
}

/** A running node: its container, config, the kernel that started it, and its HTTP address. */
export interface TesseraNode {
  readonly config: CoreConfig;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly kernel: Kernel;
  /** host:port the HTTP API is bound to. */
  httpAddress(): string;
  stop(): Promise<void>;
}

/**
 * Validates the whole configuration (core sections, plugin sections; all problems at once, before any
 * I/O), loads and checks the plugins, registers them in a child container, and starts everything in
 * dependency order (rolling back on failure).
 */
export async function bootNode(options: BootOptions): Promise<TesseraNode> {
  const env = options.env ?? process.env;
  const raw: RawConfig = structuredClone(options.raw);
  applyEnvOverrides(raw, env, CORE_SECTIONS);
  const problems: ConfigProblem[] = [];
  const config = parseCoreConfig(raw, problems);
  // Plugins are loaded even when core sections have problems, so every problem is reported at once;
  // only a broken [plugins] section stops here.
  if (problems.some((p) => p.path.startsWith('plugins.'))) throw configError(problems);

  const refs = [config.plugins.meta, config.plugins.tsdb, config.plugins.transport, config.plugins.pool, ...config.plugins.extra];
  const plugins: Plugin<unknown>[] = [];
  for (const ref of refs) plugins.push(await options.resolvePlugin(ref));
  const pluginNames = plugins.map((p) => p.manifest.name);
  applyEnvOverrides(raw, env, pluginNames);
  for (const section of Object.keys(raw)) {
    if (!CORE_SECTIONS.includes(section) && !pluginNames.includes(section)) {
      problems.push({ path: section, message: 'unknown section (not a core section nor a loaded plugin)' });
    }
  }
  const pluginConfigs = parsePluginConfigs(plugins, raw, problems);
  if (problems.length) throw configError(problems);
  checkPlugins(plugins);

  const logger = createLogger(config.node['log-level'] as 'info', options.logDestination);
  const dir = path.resolve(config.node.dir);
  await fs.mkdir(dir, { recursive: true });
  const settings: NodeSettings = Object.freeze({
    dir,
    httpBindAddress: config.http['bind-address'],
    clusterBindAddress: config.cluster['bind-address'],
    metaPeers: config.meta.peers,
    metaJoin: config.meta.join,
    clusterSharedSecret: config.cluster['shared-secret'],
  });

  const container = (options.parent ?? rootContainer).createChildContainer();
  container.register(NodeSettings, { useValue: settings });
  container.register(Logger, { useValue: logger });
  const owners = new Map<symbol, string>();
  const units: ServiceUnit[] = [];
  for (const plugin of plugins) {
    const name = plugin.manifest.name;
    const ctx: PluginContext = { nodeDir: dir, logger: logger.child({ plugin: name }), node: settings };
    plugin.register(guardedContainer(container, name, owners), pluginConfigs.get(plugin), ctx);
    for (const token of plugin.manifest.provides) {
      units.push({
        name: `${name}:${token.description ?? 'service'}`,
        provides: [token],
        requires: plugin.manifest.requires,
        create: () => container.resolve(token),
      });
    }
  }
  units.push(...coreUnits(container, config, logger));
  const kernel = new Kernel(units, {
    startTimeoutMs: config.node['start-timeout'],
    stopTimeoutMs: config.node['stop-timeout'],
    logger: logger.child({ service: 'kernel' }),
  });
  logger.info({ order: kernel.order }, 'starting node');
  await kernel.start();
  const http = container.resolve(HttpApi);
  logger.info({ http: http.address().address }, 'node ready');
  return {
    config,
    container,
    logger,
    kernel,
    httpAddress: () => http.address().address,
    stop: async () => {
      logger.info('stopping node');
      await kernel.stop();
    },
  };
}

/** The core services, assembled from the contracts' tokens (never from a plugin's class). */
function coreUnits(container: DependencyContainer, config: CoreConfig, logger: Logger): ServiceUnit[] {
  // The cluster port's client side: shard writes and remote maps share the ConnPool. [cluster]
  // write-timeout bounds each shard's acks; each remote request and each remote map chunk gets half of
  // it (InfluxDB's 5 s shard-writer / shard-mapper timeouts under its 10 s write timeout), so a failing
  // owner is reported with its reason before the write as a whole times out.
  const writeTimeoutMs = config.cluster['write-timeout'];
  const timeoutMs = Math.max(1, Math.floor(writeTimeoutMs / 2));
  let shardMapper: ShardMapper | undefined;
  const getShardMapper = () =>
    (shardMapper ??= new ShardMapper(container.resolve(TSDBStore), container.resolve(MetaStore), {
      pool: container.resolve(ConnPool),
      chunkTimeoutMs: timeoutMs,
      logger: logger.child({ service: 'shard-mapper' }),
    }));
  let writer: PointsWriter | undefined;
  const getWriter = () =>
    (writer ??= new PointsWriter(
      container.resolve(MetaStore),
      container.resolve(TSDBStore),
      logger.child({ service: 'points-writer' }),
      new ShardWriter(container.resolve(ConnPool), { timeoutMs }),
      { writeTimeoutMs },
    ));
  container.register(PointsWriterToken, { useFactory: getWriter });
  let clusterService: ClusterService | undefined;
  const getClusterService = () =>
    (clusterService ??= new ClusterService({
      mux: getMux(),
      store: container.resolve(TSDBStore),
      meta: container.resolve(MetaStore),
      openMapper: (id, req, chunkSize) => getShardMapper().localMapper(id, req, chunkSize),
      logger: logger.child({ service: 'cluster' }),
      secret: config.cluster['shared-secret'],
      drainTimeoutMs: config.node['stop-timeout'],
    }));
  container.register(ClusterServiceToken, { useFactory: getClusterService });
  let mux: ClusterMux | undefined;
  const getMux = () =>
    (mux ??= new ClusterMux(container.resolve(Transport), config.cluster['bind-address'], logger.child({ service: 'cluster-mux' })));
  container.register(ClusterMuxToken, { useFactory: getMux });
  container.register(HttpApi, {
    useFactory: (() => {
      let http: HttpService | undefined;
      return () => {
        if (http) return http;
        http = new HttpService({
          bindAddress: config.http['bind-address'],
          logger: logger.child({ service: 'http' }),
          drainTimeoutMs: config.node['stop-timeout'],
        });
        const meta = container.resolve(MetaStore);
        const authOn = config.http['auth-enabled'];
        const authOptions = { sharedSecret: config.http['shared-secret'] };
        const auth = (req: IncomingMessage, url: URL) => authenticate(req, url, meta, authOptions);
        const deps = {
          ...(authOn ? { authenticate: auth } : {}),
          writer: getWriter(),
          meta,
          maxBodyBytes: config.http['max-body-size'],
          parseCache: new ParseCache(),
          logger: logger.child({ service: 'write' }),
        };
        http.route('/write', ['POST'], (req, res, url) => handleWrite(req, res, url, deps));
        const tsdb = container.resolve(TSDBStore);
        const writer = getWriter();
        const executor = new QueryExecutor({
          meta,
          tsdb,
          shardMapper: getShardMapper(),
          logger: logger.child({ service: 'query' }),
          writePoints: async (db, rp, points) => {
            await writer.writePoints(db, rp, 'one', points, BigInt(Date.now()) * 1_000_000n);
          },
        });
        http.route('/query', ['GET', 'POST'], (req, res, url) => {
          if (!authOn) return handleQuery(req, res, url, executor);
          const who = auth(req, url);
          if (!who.ok) return sendAuthError(res, who.error);
          return handleQuery(req, res, url, executor, { auth: { user: who.user } });
        });
        return http;
      };
    })(),
  });
  return [
    { name: 'cluster-mux', provides: [ClusterMuxToken], requires: [Transport], create: getMux },
    { name: 'points-writer', provides: [PointsWriterToken], requires: [MetaStore, TSDBStore, ConnPool], create: getWriter },
    {
      name: 'cluster-service',
      provides: [ClusterServiceToken],
      requires: [ClusterMuxToken, MetaStore, TSDBStore],
      create: getClusterService,
    },
    {
      name: 'http',
      provides: [HttpApi],
      requires: [PointsWriterToken, MetaStore, TSDBStore, ConnPool],
      create: () => container.resolve(HttpApi),
    },
  ];
}
