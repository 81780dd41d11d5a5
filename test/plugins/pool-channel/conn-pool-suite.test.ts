import test from 'ava';
import { silentLogger } from '../../../core/logger.js';
import { connPoolSuite } from '../../../core/testing/conn-pool-suite.js';
import { MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { ChannelPool } from '../../../plugins/pool-channel/channel-pool.js';
import { TcpTransport } from '../../../plugins/transport-tcp/tcp-transport.js';

const factory = connPoolFactory();

connPoolSuite({
  test,
  name: 'pool-channel over transport-tcp',
  factory,
  transport: () => new TcpTransport({ dialTimeoutMs: 2000, muxTimeoutMs: 5000, keepAliveMs: 0, noDelay: true, logger: silentLogger() }),
  listenAddress: '127.0.0.1:0',
});

const network = new MemoryNetwork();
connPoolSuite({
  test,
  name: 'pool-channel over memory-transport',
  factory,
  transport: () => new MemoryTransport(network),
  listenAddress: 'node:0',
});

function connPoolFactory(): Parameters<typeof connPoolSuite>[0]['factory'] {
  return ({ transport, directory, settings }) => new ChannelPool(transport, directory, { ...settings, logger: silentLogger() });
}
