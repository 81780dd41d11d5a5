import { CORE_VERSION, definePlugin, Transport } from '../../core/index.js';
import { parseTransportTcpConfig, type TransportTcpConfig } from './config.js';
import { TcpTransport } from './tcp-transport.js';

export { parseHostPort, formatHostPort, type HostPort } from './address.js';
export { parseTransportTcpConfig, transportTcpSchema, type TransportTcpConfig } from './config.js';
export { TcpTransport, type TcpTlsOptions, type TcpTransportOptions, type TcpTransportStats } from './tcp-transport.js';

/** The transport-tcp plugin: provides Transport (plain TCP, first byte = service). */
export const transportTcpPlugin = definePlugin<TransportTcpConfig>({
  manifest: {
    name: 'transport-tcp',
    version: CORE_VERSION,
    core: '^0.1.0',
    provides: [Transport],
    requires: [],
  },
  parseConfig: parseTransportTcpConfig,
  register(container, config, ctx) {
    let instance: TcpTransport | undefined;
    container.register(Transport, {
      useFactory: () =>
        (instance ??= new TcpTransport({
          dialTimeoutMs: config['dial-timeout'],
          muxTimeoutMs: config['mux-timeout'],
          keepAliveMs: config['keep-alive'],
          noDelay: config['no-delay'],
          logger: ctx.logger,
          ...(config['tls-cert'] !== ''
            ? {
                tls: {
                  certFile: config['tls-cert'],
                  keyFile: config['tls-key'],
                  caFile: config['tls-ca'],
                  verifyHostname: config['tls-verify-hostname'],
                },
              }
            : {}),
        })),
    });
  },
});
