import test from 'ava';
import { silentLogger } from '../../../core/logger.js';
import { MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { transportSuite } from '../../../core/testing/transport-suite.js';
import { TcpTransport } from '../../../plugins/transport-tcp/tcp-transport.js';
import { tcpBlackHole } from './black-hole.js';
import { tlsFiles } from './tls-files.js';

transportSuite({
  test,
  name: 'transport-tcp',
  factory: () => new TcpTransport({ dialTimeoutMs: 5000, muxTimeoutMs: 5000, keepAliveMs: 0, noDelay: true, logger: silentLogger() }),
  listenAddress: '127.0.0.1:0',
  blackHole: tcpBlackHole,
});

const network = new MemoryNetwork();
transportSuite({
  test,
  name: 'memory-transport',
  factory: () => new MemoryTransport(network),
  listenAddress: 'node:0',
  blackHole: async () => ({ address: network.blackHole(), close: async () => {} }),
});

transportSuite({
  test,
  name: 'transport-tcp with mutual TLS',
  factory: () => new TcpTransport({ dialTimeoutMs: 5000, muxTimeoutMs: 5000, keepAliveMs: 0, noDelay: true, logger: silentLogger(), tls: tlsFiles('cluster') }),
  listenAddress: '127.0.0.1:0',
  blackHole: tcpBlackHole,
});
