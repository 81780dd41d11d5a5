import { fileURLToPath } from 'node:url';
import type { TcpTlsOptions } from '../../../plugins/transport-tcp/tcp-transport.js';

// Compiled to dist/test/plugins/transport-tcp/: the PEM fixtures stay in the source tree.
const dir = fileURLToPath(new URL('../../../../test/plugins/transport-tcp/fixtures/', import.meta.url));

/** TLS options using the test fixtures: `cluster` (the trusted CA) or `rogue` (another CA). */
export function tlsFiles(who: 'cluster' | 'rogue'): TcpTlsOptions {
  return { certFile: `${dir}${who}-node.crt`, keyFile: `${dir}${who}-node.key`, caFile: `${dir}${who}-ca.crt`, verifyHostname: false };
}

/** A node holding a rogue certificate but trusting the cluster CA (so only the server side can refuse it). */
export function rogueClientFiles(): TcpTlsOptions {
  return { ...tlsFiles('rogue'), caFile: `${dir}cluster-ca.crt` };
}
