// Every SELECT of the recorded InfluxDB 1.6.7 groups `select` and `aggregate`, run end to end
// (parser -> executeSelect -> ShardMapper -> tsdb-memory) and compared with what InfluxDB answered.
import fs from 'node:fs';
import test from 'ava';
import { lines, openDb, simple } from './harness.js';

const CONF = '/work/shared/conformance';

interface Case {
  name: string;
  q?: string;
  write?: string;
  params?: Record<string, string>;
}

function norm(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v));
}

for (const [group, file] of [
  ['select', '07_select'],
  ['aggregate', '08_aggregate'],
] as const) {
  const cases = (JSON.parse(fs.readFileSync(`${CONF}/cases/${file}.json`, 'utf8')) as { cases: Case[] }).cases;
  const expected = (JSON.parse(fs.readFileSync(`${CONF}/expected/${group}.json`, 'utf8')) as { cases: Record<string, { status: number; body: string }> }).cases;
  test(`recorded ${group} SELECTs answer as InfluxDB 1.6.7 did`, async (t) => {
    const db = await openDb('db0');
    let compared = 0;
    try {
      for (const c of cases) {
        if (c.write !== undefined) {
          await db.write(lines(c.write));
          continue;
        }
        if (c.q === undefined || !/^SELECT/i.test(c.q) || c.q.includes(';') || c.params?.chunked || c.params?.epoch) continue;
        const e = expected[c.name];
        if (e === undefined || e.status !== 200) continue;
        const want = (JSON.parse(e.body.split('\n')[0] as string) as { results: unknown[] }).results[0];
        let got: unknown;
        try {
          const s = await db.query(c.q.replaceAll('${db}', 'db0'));
          got = s.length > 0 ? { statement_id: 0, series: simple(s) } : { statement_id: 0 };
        } catch (err) {
          got = { statement_id: 0, error: (err as Error).message };
        }
        t.is(norm(got), norm(want), `${c.name}: ${c.q}`);
        compared++;
      }
    } finally {
      await db.stop();
    }
    t.true(compared > 50);
  });
}
