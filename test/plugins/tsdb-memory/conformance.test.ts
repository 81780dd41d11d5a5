import test from 'ava';
import { tsdbStoreSuite } from '../../../core/testing/index.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

tsdbStoreSuite({ test, name: 'tsdb-memory', factory: () => new MemoryTSDBStore() });
