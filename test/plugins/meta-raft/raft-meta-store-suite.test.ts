import test from 'ava';
import { MemoryNetwork } from '../../../core/testing/memory-transport.js';
import { metaStoreSuite } from '../../../core/testing/meta-store-suite.js';
import { memberOn, trio } from './raft-cluster-helpers.js';

metaStoreSuite({
  test,
  name: 'meta-raft (raft, 1 member)',
  factory: (dir) => memberOn(new MemoryNetwork(), dir, '127.0.0.1:8088').store,
});

metaStoreSuite({
  test,
  name: 'meta-raft (raft, 3 members)',
  factory: (dir) => trio(dir).store,
});
