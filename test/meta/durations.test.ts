import test from 'ava';
import { defaultShardGroupDuration, normaliseShardGroupDuration, truncateGo } from '../../core/meta/index.js';
import { D, H, iso } from './helpers.js';

test('7-day truncation starts groups on Mondays (Go zero-time alignment, reference §5.2 vectors)', (t) => {
  t.is(truncateGo(iso('2015-12-10T12:00:00Z'), 7n * D), iso('2015-12-07T00:00:00Z'));
  t.is(truncateGo(iso('1970-01-01T00:00:00Z'), 7n * D), iso('1969-12-29T00:00:00Z'));
  t.is(truncateGo(iso('2000-01-01T00:00:00Z'), 7n * D), iso('1999-12-27T00:00:00Z'));
});

test('1h and 1d truncation equal epoch alignment, also before the epoch', (t) => {
  t.is(truncateGo(iso('2000-01-01T05:59:59.999Z'), H), iso('2000-01-01T05:00:00Z'));
  t.is(truncateGo(iso('2000-01-01T05:59:59.999Z'), D), iso('2000-01-01T00:00:00Z'));
  t.is(truncateGo(-1n, H), -H);
  t.is(truncateGo(-H, H), -H);
  t.is(truncateGo(iso('1969-12-31T23:30:00Z'), D), iso('1969-12-31T00:00:00Z'));
});

test('default shard group duration follows the policy duration (reference §5.1)', (t) => {
  t.is(defaultShardGroupDuration(0n), 7n * D);
  t.is(defaultShardGroupDuration(180n * D), 7n * D);
  t.is(defaultShardGroupDuration(180n * D - 1n), D);
  t.is(defaultShardGroupDuration(2n * D), D);
  t.is(defaultShardGroupDuration(2n * D - 1n), H);
  t.is(defaultShardGroupDuration(4n * H), H);
});

test('a user shard duration under 1h is raised to 1h; 0 means the default', (t) => {
  t.is(normaliseShardGroupDuration(0n, 3n * D), D);
  t.is(normaliseShardGroupDuration(10n * 60_000_000_000n, 3n * D), H);
  t.is(normaliseShardGroupDuration(2n * D, 0n), 2n * D);
});
