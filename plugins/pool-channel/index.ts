import { clientHandshake } from '../../core/cluster/handshake.js';
import { ConnPool, CORE_VERSION, definePlugin, MetaStore, Transport } from '../../core/index.js';
import { ChannelPool } from './channel-pool.js';
import { type PoolChannelConfig, parsePoolChannelConfig } from './config.js';

export { ChannelPool, type ChannelPoolCounters, type ChannelPoolOptions } from './channel-pool.js';
export { parsePoolChannelConfig, poolChannelSchema, type PoolChannelConfig } from './config.js';

/**
 * Builds ChannelPoolOptions from the parsed `[pool-channel]` section. The handshake runs when the section
 * asks for it or when the node has a `[cluster] shared-secret` (`nodeSecret`), which is then the secret
 * unless the section names its own.
 */
export function channelPoolOptions(config: PoolChannelConfig, nodeSecret = ''): Omit<ConstructorParameters<typeof ChannelPool>[2], 'logger'> {
  const secret = config.secret || nodeSecret;
  const handshake = config.handshake || secret !== '';
  return {
    initial: config.initial,
    max: config.max,
    maxIdle: config['max-idle'],
    globalMax: config['global-max'],
    getTimeoutMs: config['get-timeout'],
    idleTimeoutMs: config['idle-timeout'],
    ...(handshake ? { prepare: (conn) => clientHandshake(conn, { secret, timeoutMs: config['handshake-timeout'] }) } : {}),
  };
}

/** The pool-channel plugin: provides ConnPool (bounded per-node channel pools over the Transport). */
export const poolChannelPlugin = definePlugin<PoolChannelConfig>({
  manifest: {
    name: 'pool-channel',
    version: CORE_VERSION,
    core: '^0.1.0',
    provides: [ConnPool],
    requires: [Transport, MetaStore],
  },
  parseConfig: parsePoolChannelConfig,
  register(container, config, ctx) {
    let instance: ChannelPool | undefined;
    container.register(ConnPool, {
      useFactory: (c) =>
        (instance ??= new ChannelPool(c.resolve(Transport), c.resolve(MetaStore), {
          ...channelPoolOptions(config, ctx.node.clusterSharedSecret ?? ''),
          logger: ctx.logger,
        })),
    });
  },
});
