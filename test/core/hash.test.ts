import test from 'ava';
import { fnv1a64, shardIndexFor } from '../../core/model/hash.js';

test('fnv1a64 matches Go hash/fnv New64a test vectors', (t) => {
  t.is(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
  t.is(fnv1a64('cpu'), 17701673320873923785n);
  t.is(fnv1a64('cpu,host=server01'), 9059035464001284740n);
  t.is(fnv1a64('cpu,host=serverA,region=us-west'), 1259636973322599647n);
  t.is(fnv1a64(''), 0xcbf29ce484222325n);
});

test('shardIndexFor picks hash mod shard count', (t) => {
  t.is(shardIndexFor('cpu', 2), 1);
  t.is(shardIndexFor('cpu', 3), 2);
  t.is(shardIndexFor('cpu,host=server01', 2), 0);
  t.is(shardIndexFor('cpu,host=serverA,region=us-west', 4), 3);
  t.is(shardIndexFor('anything', 1), 0);
});
