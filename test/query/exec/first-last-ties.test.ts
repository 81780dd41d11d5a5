import test from 'ava';
import { parseLines } from '../../../core/model/line-protocol-parser.js';
import { setup } from './harness.js';

// first()/last() over several series whose points share the extreme time. InfluxDB 1.6.7's storage
// engine answers these from a sorted merge of the series (key order; reversed for last) and reduces the
// first two points it yields, so the answer is not simply the largest value at that time. Layouts and
// answers recorded from a real InfluxDB 1.6.7 (precision s).
const CASES: ReadonlyArray<{ lines: string; first: [number, number]; last: [number, number] }> = [
  { lines: 'm,h=s0 v=2 100\nm,h=s1 v=5 100\nm,h=s2 v=1 100\nm,h=s3 v=4 100\nm,h=s4 v=3 100', first: [100, 3], last: [100, 3] },
  { lines: 'm,h=b v=1 100\nm,h=a v=3 100\nm,h=c v=2 100', first: [100, 3], last: [100, 3] },
  { lines: 'm,h=s0 v=1 100\nm,h=s1 v=6 100\nm,h=s2 v=2 100\nm,h=s3 v=5 100\nm,h=s4 v=3 100\nm,h=s5 v=4 100', first: [100, 4], last: [100, 4] },
  { lines: 'm,h=s0 v=7 90\nm,h=s0 v=1 100\nm,h=s1 v=9 100\nm,h=s2 v=3 90\nm,h=s2 v=8 100\nm,h=s3 v=2 80\nm,h=s3 v=4 100', first: [80, 2], last: [100, 4] },
  { lines: 'm,h=s0 v=5 80\nm,h=s1 v=6 80\nm,h=s1 v=1 100\nm,h=s2 v=2 90\nm,h=s3 v=9 80\nm,h=s3 v=3 100\nm,h=s4 v=4 100', first: [80, 6], last: [100, 4] },
];

for (const [i, c] of CASES.entries()) {
  test(`first/last at equal times across series answer as InfluxDB 1.6.7 (layout ${i + 1})`, async (t) => {
    const env = await setup();
    t.teardown(() => env.close());
    await env.meta.createDatabase('db');
    await env.write('db', parseLines(Buffer.from(c.lines), { precision: 's', nowNs: 0n }).points);
    for (const [fn, [ts, v]] of [['first', c.first], ['last', c.last]] as const) {
      const [r] = await env.results(`SELECT ${fn}(v) FROM m`, { db: 'db' });
      t.deepEqual(r?.series?.[0]?.values, [[BigInt(ts) * 1_000_000_000n, v]], `${fn}()`);
    }
    // With GROUP BY time the ordinary reduction applies: the largest value at the extreme time wins.
    const [g] = await env.results('SELECT last(v) FROM m WHERE time < 1000s GROUP BY time(1000s)', { db: 'db' });
    const atMax = c.lines.split('\n').filter((l) => l.endsWith(` ${c.last[0]}`)).map((l) => Number(/v=(\d+)/.exec(l)![1]));
    t.is(g?.series?.[0]?.values[0]?.[1], Math.max(...atMax));
  });
}

test('first/last over several series with no point in the range give no row', async (t) => {
  const env = await setup();
  t.teardown(() => env.close());
  await env.meta.createDatabase('db');
  await env.write('db', parseLines(Buffer.from('m,h=a v=1 80\nm,h=b v=2 80'), { precision: 's', nowNs: 0n }).points);
  const [r] = await env.results('SELECT first(v), last(v) FROM m WHERE time >= 85s', { db: 'db' });
  t.is(r?.series, undefined);
});
