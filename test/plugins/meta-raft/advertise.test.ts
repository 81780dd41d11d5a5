import test from 'ava';
import { advertisedAddress } from '../../../plugins/meta-raft/advertise.js';

const hosts = new Set(['127.0.0.1', '10.0.0.2', 'localhost']);

test('a concrete bind address is what peers dial', (t) => {
  t.is(advertisedAddress('10.0.0.2:8088', ['10.0.0.1:8088', '10.0.0.2:8088'], hosts), '10.0.0.2:8088');
});

test('a wildcard bind resolves to this machine\'s entry in [meta] peers (same port, local host)', (t) => {
  const peers = ['10.0.0.1:8088', '10.0.0.2:8088', '10.0.0.3:8088'];
  t.is(advertisedAddress('0.0.0.0:8088', peers, hosts), '10.0.0.2:8088');
  t.is(advertisedAddress(':8088', peers, hosts), '10.0.0.2:8088');
  t.is(advertisedAddress('[::]:8088', peers, hosts), '10.0.0.2:8088');
});

test('a wildcard bind without a matching peer falls back to an interface address with the bind port', (t) => {
  t.regex(advertisedAddress('0.0.0.0:9999', [], hosts), /:9999$/);
});
