import test from 'ava';
import { hasCode } from '../../../core/errors.js';
import { makePoint } from '../../../core/testing/points.js';
import { setup, type Env } from './harness.js';

const S = 1_000_000_000n;
const T = 1577836800n * S;

async function withData(run: (env: Env) => Promise<void>): Promise<void> {
  const env = await setup();
  try {
    await env.meta.createDatabase('db');
    await env.write('db', [
      makePoint('q', { host: 'a' }, { v: 1, s: 'x' }, T),
      makePoint('q', { host: 'b' }, { v: 2, s: 'y' }, T + 10n * S),
      makePoint('q', { host: 'a' }, { v: 3, s: 'z' }, T + 20n * S),
      makePoint('q', { host: 'b' }, { v: 4 }, T + 30n * S),
    ]);
    await run(env);
  } finally {
    await env.close();
  }
}

test('a parse error is thrown by execute itself, with InfluxDB text', async (t) => {
  const env = await setup();
  try {
    const err = t.throws(() => env.exec.execute('SELECT v FROM q; SELEC v FROM q', { db: 'db', rp: '', readOnly: true }));
    t.true(hasCode(err, 'ERR_QUERY_PARSE'));
    t.is(err!.message, 'error parsing query: found SELEC, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 18');
    t.is(t.throws(() => env.exec.execute('SELECT v FROM q WHERE host = $host', { db: 'db', rp: '', readOnly: true }))!.message, 'error parsing query: missing parameter: host');
  } finally {
    await env.close();
  }
});

test('statements run in order; after a failure the failed statement reads "not executed" and the rest are dropped', (t) =>
  withData(async (env) => {
    t.is(
      await env.json('SELECT v FROM q LIMIT 1; SELECT v FROM "nonexistent_db_zz".."q"; SELECT v FROM q LIMIT 1', { db: 'db' }),
      '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","v"],"values":[["2020-01-01T00:00:00Z",1]]}]},{"statement_id":1,"error":"not executed"}]}\n',
    );
    // Chunked, the pieces show what InfluxDB sends: the error, then one `not executed` per later statement, all under id 1.
    const pieces = await env.pieces('SELECT v FROM q LIMIT 1; SELECT v FROM nodb..q; SELECT v FROM q; SELECT v FROM q', { db: 'db' });
    t.deepEqual(pieces.slice(1), [
      { statement_id: 1, error: 'database not found: nodb' },
      { statement_id: 1, error: 'not executed' },
      { statement_id: 1, error: 'not executed' },
    ]);
    t.is(await env.json('SELECT v FROM q LIMIT 1; SELECT v FROM nodb..q', { db: 'db' }), '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","v"],"values":[["2020-01-01T00:00:00Z",1]]}]},{"statement_id":1,"error":"database not found: nodb"}]}\n');
  }));

test('SELECT results: multi-statement, errors for missing database, fully qualified sources, system sources refused', (t) =>
  withData(async (env) => {
    t.is(
      await env.json(`SELECT * FROM q WHERE host = 'a'; SELECT count(v) FROM q; SHOW MEASUREMENTS`, { db: 'db' }),
      '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","host","s","v"],"values":[["2020-01-01T00:00:00Z","a","x",1],["2020-01-01T00:00:20Z","a","z",3]]}]},{"statement_id":1,"series":[{"name":"q","columns":["time","count"],"values":[["1970-01-01T00:00:00Z",4]]}]},{"statement_id":2,"series":[{"name":"measurements","columns":["name"],"values":[["q"]]}]}]}\n',
    );
    t.is(await env.json('SELECT * FROM q'), '{"results":[{"statement_id":0,"error":"database name required"}]}\n');
    t.is(await env.json('SELECT * FROM q', { db: 'cf_no_such_db_q' }), '{"results":[{"statement_id":0,"error":"database not found: cf_no_such_db_q"}]}\n');
    t.is(
      await env.json('SELECT * FROM "db"."autogen"."q" LIMIT 1'),
      '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","host","s","v"],"values":[["2020-01-01T00:00:00Z","a","x",1]]}]}]}\n',
    );
    t.is(await env.json('SELECT * FROM _series', { db: 'db' }), `{"results":[{"statement_id":0,"error":"unable to use system source '_series': use SHOW SERIES instead"}]}\n`);
    t.is(await env.json('SELECT * FROM nothere', { db: 'db' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json('SELECT * FROM "constructor"', { db: 'db' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json('SELECT v FROM q WHERE host = $host AND v > $min', { db: 'db', params: { host: 'b', min: 2n } }), '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","v"],"values":[["2020-01-01T00:00:30Z",4]]}]}]}\n');
  }));

test('chunked SELECT pieces carry series and statement partial flags as InfluxDB sets them', (t) =>
  withData(async (env) => {
    const pieces = await env.pieces('SELECT v FROM q GROUP BY host', { db: 'db', chunkSize: 1 });
    t.deepEqual(
      pieces.map((p) => [p.series![0]!.tags!['host'], p.series![0]!.values.length, p.series![0]!.partial === true, p.partial === true]),
      [
        ['a', 1, true, true],
        ['a', 1, false, true],
        ['b', 1, true, true],
        ['b', 1, false, false],
      ],
    );
  }));

test('GET (read only) write statements still run and carry the deprecation warning', (t) =>
  withData(async (env) => {
    t.is(
      await env.json('CREATE DATABASE "x1"', { readOnly: true }),
      `{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated use of 'CREATE DATABASE x1' in a read only context, please use a POST request instead"}]}]}\n`,
    );
    t.truthy(env.meta.database('x1'));
    t.is(
      await env.json('DROP MEASUREMENT "nothere"', { db: 'db', readOnly: true }),
      `{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated use of 'DROP MEASUREMENT nothere' in a read only context, please use a POST request instead"}]}]}\n`,
    );
    t.is(await env.json('SHOW DATABASES', { readOnly: true }), '{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["db"],["x1"]]}]}]}\n');
    t.is(await env.json(`DELETE FROM q WHERE host = 'zz'`, { db: 'db', readOnly: true }), '{"results":[{"statement_id":0}]}\n');
    t.is(
      await env.json(`DROP SERIES FROM q WHERE host = 'zz'`, { db: 'db', readOnly: true }),
      `{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated use of 'DROP SERIES FROM q WHERE host = 'zz'' in a read only context, please use a POST request instead"}]}]}\n`,
    );
    await env.json(`CREATE USER w WITH PASSWORD 'x'`);
    t.is(await env.json(`REVOKE READ ON nope FROM w`), '{"results":[{"statement_id":0,"error":"database not found: nope"}]}\n');
    t.regex(await env.json(`SET PASSWORD FOR w = 'y'`, { readOnly: true }), /deprecated use of 'SET PASSWORD FOR w = \[REDACTED\]'/);
  }));

test('KILL QUERY of an unknown id fails; SHOW QUERIES lists the running query', (t) =>
  withData(async (env) => {
    t.is(await env.json('KILL QUERY 12345'), '{"results":[{"statement_id":0,"error":"no such query id: 12345"}]}\n');
    const [r] = await env.results('SHOW QUERIES', { db: 'db' });
    t.deepEqual(r!.series![0]!.columns, ['qid', 'query', 'database', 'duration', 'status']);
    t.is(r!.series![0]!.values[0]![1], 'SHOW QUERIES');
  }));

test('SELECT INTO over GET writes and warns with the normalized statement', async (t) => {
  const env = await setup();
  try {
    await env.meta.createDatabase('db');
    await env.write('db', [makePoint('q', { host: 'a' }, { v: 1 }, T), makePoint('q', { host: 'b' }, { v: 2 }, T + S)]);
    const written: number[] = [];
    const { QueryExecutor } = await import('../../../core/query/executor.js');
    const { ShardMapper } = await import('../../../core/cluster/shard-mapper.js');
    const { silentLogger } = await import('../../../core/logger.js');
    const exec = new QueryExecutor({
      meta: env.meta,
      tsdb: env.tsdb,
      shardMapper: new ShardMapper(env.tsdb, env.meta),
      logger: silentLogger(),
      writePoints: async (_db, _rp, points) => {
        written.push(points.length);
      },
    });
    const out = [];
    for await (const r of exec.execute('SELECT v INTO qs_into FROM q', { db: 'db', rp: '', readOnly: true })) out.push(r);
    t.deepEqual(out, [
      {
        statement_id: 0,
        series: [{ name: 'result', columns: ['time', 'written'], values: [[0n, 2n]] }],
        messages: [{ level: 'warning', text: "deprecated use of 'SELECT v INTO db.autogen.qs_into FROM db.autogen.q' in a read only context, please use a POST request instead" }],
      },
    ]);
    t.deepEqual(written, [2]);
  } finally {
    await env.close();
  }
});

test('KILL QUERY stops a running query before its next statement with "query killed"', async (t) => {
  const env = await setup();
  try {
    const it = env.exec.execute('SHOW DATABASES; SHOW DATABASES; SHOW DATABASES', { db: '', rp: '', readOnly: true })[Symbol.asyncIterator]();
    const first = await it.next();
    t.is(first.value.statement_id, 0);
    const [listing] = await env.results('SHOW QUERIES');
    const qid = listing!.series![0]!.values.find((v) => v[1] === 'SHOW DATABASES; SHOW DATABASES; SHOW DATABASES')![0] as bigint;
    t.deepEqual(await env.results(`KILL QUERY ${qid}`), [{ statement_id: 0 }]);
    const rest = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) rest.push(r.value);
    t.deepEqual(rest, [
      { statement_id: 1, error: 'query killed' },
      { statement_id: 1, error: 'not executed' },
    ]);
  } finally {
    await env.close();
  }
});

test('statements Tessera does not implement answer a clear statement error; SHOW SUBSCRIPTIONS/DIAGNOSTICS/STATS are empty', (t) =>
  withData(async (env) => {
    t.is(await env.json('EXPLAIN SELECT v FROM q', { db: 'db' }), '{"results":[{"statement_id":0,"error":"EXPLAIN is not supported"}]}\n');
    t.is(await env.json(`CREATE SUBSCRIPTION s ON db.autogen DESTINATIONS ALL 'udp://h:1'`, { db: 'db' }), '{"results":[{"statement_id":0,"error":"CREATE SUBSCRIPTION is not supported"}]}\n');
    for (const q of ['SHOW SUBSCRIPTIONS', 'SHOW DIAGNOSTICS', 'SHOW STATS']) t.is(await env.json(q), '{"results":[{"statement_id":0}]}\n', q);
  }));
