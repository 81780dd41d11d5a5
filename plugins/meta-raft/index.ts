import { join } from 'node:path';
import { ClusterMuxToken } from '../../core/cluster/cluster-mux.js';
import { MetaStore } from '../../core/contracts/meta-store.js';
import { Transport } from '../../core/contracts/transport.js';
import { definePlugin } from '../../core/plugin.js';
import { parseMetaRaftConfig, type MetaRaftConfig } from './config.js';
import { advertisedAddress } from './advertise.js';
import { transportMux, type MuxServe } from './raft-link.js';
import { RaftMetaStore } from './raft-meta-store.js';

export { MetaRaftStore, META_LOG_FILE, META_SNAPSHOT_FILE, type MetaRaftStoreOptions } from './meta-raft-store.js';
export { RaftMetaStore, type RaftMetaStoreOptions } from './raft-meta-store.js';
export { RaftLink, transportMux, type MuxServe, type RpcRequest, type RpcReply } from './raft-link.js';
export { advertisedAddress } from './advertise.js';
export { metaRaftConfigSchema, parseMetaRaftConfig, type MetaRaftConfig } from './config.js';

/**
 * The meta-raft plugin: provides the MetaStore slot, replicated with Raft among `[meta] peers` (empty = a
 * cluster of one) or joined through `[meta] join`. Raft files live under `<nodeDir>/meta/raft`. Raft
 * messages and meta RPCs arrive on the cluster port (mux bytes RAFT and META_RPC) through the core's
 * ClusterMux when the node has one, else through a listener of its own on the cluster bind address.
 */
export const metaRaftPlugin = definePlugin<MetaRaftConfig>({
  manifest: {
    name: 'meta-raft',
    version: '0.2.0',
    core: '^0.1.0',
    provides: [MetaStore],
    requires: [Transport],
  },
  parseConfig: parseMetaRaftConfig,
  register(container, config, ctx) {
    const bind = ctx.node.clusterBindAddress;
    // What peers dial (and the Raft member ID): the bind address, or for a wildcard bind this machine's
    // entry in [meta] peers.
    const address = advertisedAddress(bind, ctx.node.metaPeers);
    let own: ReturnType<typeof transportMux> | undefined;
    // Resolved at start: the Transport and the cluster port are started before the meta store.
    const serve: MuxServe = async (muxByte, handler) => {
      if (container.isRegistered(ClusterMuxToken, true)) {
        const mux = container.resolve(ClusterMuxToken);
        mux.handle(muxByte, handler);
        await mux.start(); // idempotent; the store needs the port before it can elect a leader
        return;
      }
      // A cluster of one built without a Transport (a bare container in a test) needs no listener.
      if (!container.isRegistered(Transport, true) && ctx.node.metaPeers.length === 0 && ctx.node.metaJoin.length === 0) return;
      own ??= transportMux(container.resolve(Transport), bind);
      await own.serve(muxByte, handler);
    };
    const store = new RaftMetaStore({
      dir: join(ctx.nodeDir, 'meta'),
      address,
      httpAddress: ctx.node.httpBindAddress,
      logger: ctx.logger,
      // async: a missing Transport becomes a rejected dial (Raft tolerates it), never a synchronous throw.
      transport: { dial: async (address, muxByte, options) => container.resolve(Transport).dial(address, muxByte, options) },
      serve,
      peers: ctx.node.metaPeers,
      join: ctx.node.metaJoin,
      snapshotInterval: config['snapshot-interval'],
      tickMs: config['tick-ms'],
      ...(config['recover-as-sole-voter'] ? { forceSoleVoter: true } : {}),
    });
    container.register(MetaStore, { useValue: store });
  },
});
