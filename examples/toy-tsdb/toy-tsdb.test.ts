import test from 'ava';
import { tsdbStoreSuite } from 'tessera/testing';
import { ToyTSDBStore } from './index.js';

// The whole conformance suite, imported the way a third-party package imports it.
tsdbStoreSuite({ test, name: 'toy-tsdb', factory: () => new ToyTSDBStore() });
