import test from 'ava';
import { makePoint } from '../../../core/testing/points.js';
import { setup } from './harness.js';

const ok = '{"results":[{"statement_id":0}]}\n';
const body = (inner: string): string => `{"results":[{"statement_id":0,${inner}}]}\n`;
const RP_COLUMNS = '"columns":["name","duration","shardGroupDuration","replicaN","default"]';

test('databases: create is idempotent, conflicting options fail, drop is idempotent, SHOW DATABASES in meta order', async (t) => {
  const env = await setup();
  try {
    t.is(await env.json('CREATE DATABASE "d1"'), ok);
    t.is(await env.json('CREATE DATABASE "d1"'), ok);
    t.is(await env.json('CREATE DATABASE "d2" WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME "three_days"'), ok);
    t.is(await env.json('CREATE DATABASE "d2" WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME "three_days"'), ok);
    t.is(await env.json('CREATE DATABASE "d2" WITH DURATION 5d NAME "three_days"'), body('"error":"retention policy conflicts with an existing policy"'));
    t.is(await env.json('SHOW DATABASES'), body('"series":[{"name":"databases","columns":["name"],"values":[["d1"],["d2"]]}]'));
    t.is(await env.json('SHOW RETENTION POLICIES ON "d2"'), body(`"series":[{${RP_COLUMNS},"values":[["three_days","72h0m0s","1h0m0s",1,true]]}]`));
    t.is(await env.json('SHOW RETENTION POLICIES', { db: 'd1' }), body(`"series":[{${RP_COLUMNS},"values":[["autogen","0s","168h0m0s",1,true]]}]`));
    t.is(await env.json('SHOW RETENTION POLICIES'), body('"error":"database name required"'));
    t.is(await env.json('SHOW RETENTION POLICIES ON "nope"'), body('"error":"database not found: nope"'));
    t.is(await env.json('DROP DATABASE "d1"'), ok);
    t.is(await env.json('DROP DATABASE "d1"'), ok);
    t.is(await env.json('SHOW DATABASES'), body('"series":[{"name":"databases","columns":["name"],"values":[["d2"]]}]'));
    t.is(await env.json('SELECT * FROM m', { db: 'd1' }), body('"error":"database not found: d1"'));
  } finally {
    await env.close();
  }
});

test('retention policies: create, default, alter, errors worded as InfluxDB, drop (also of the default)', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE db');
    t.is(await env.json('CREATE RETENTION POLICY "rp1" ON "db" DURATION 2h REPLICATION 1'), ok);
    t.is(await env.json('CREATE RETENTION POLICY "rp2" ON "db" DURATION 52w REPLICATION 1 SHARD DURATION 1d'), ok);
    t.is(await env.json('CREATE RETENTION POLICY "rp3" ON "db" DURATION INF REPLICATION 1 DEFAULT'), ok);
    t.is(
      await env.json('SHOW RETENTION POLICIES ON db'),
      body(`"series":[{${RP_COLUMNS},"values":[["autogen","0s","168h0m0s",1,false],["rp1","2h0m0s","1h0m0s",1,false],["rp2","8736h0m0s","24h0m0s",1,false],["rp3","0s","168h0m0s",1,true]]}]`),
    );
    t.is(await env.json('CREATE RETENTION POLICY "rp1" ON "db" DURATION 2h REPLICATION 1'), ok);
    t.is(await env.json('CREATE RETENTION POLICY "rp1" ON "db" DURATION 3h REPLICATION 1'), body('"error":"retention policy already exists"'));
    t.is(await env.json('CREATE RETENTION POLICY "short" ON "db" DURATION 30m REPLICATION 1'), body('"error":"retention policy duration must be at least 1h0m0s"'));
    t.is(await env.json('CREATE RETENTION POLICY "x" ON "nope" DURATION 1d REPLICATION 1'), body('"error":"database not found: nope"'));
    t.is(await env.json('ALTER RETENTION POLICY "rp1" ON "db" DURATION 4h DEFAULT'), ok);
    t.is(await env.json('ALTER RETENTION POLICY "rp2" ON "db" SHARD DURATION 2d'), ok);
    t.is(await env.json('ALTER RETENTION POLICY "nope" ON "db" DURATION 4h'), body('"error":"retention policy not found: nope"'));
    t.is(await env.json('ALTER RETENTION POLICY "rp2" ON "db" DURATION 1h'), body('"error":"retention policy duration must be greater than the shard duration"'));
    t.is(
      await env.json('SHOW RETENTION POLICIES ON db'),
      body(`"series":[{${RP_COLUMNS},"values":[["autogen","0s","168h0m0s",1,false],["rp1","4h0m0s","1h0m0s",1,true],["rp2","8736h0m0s","48h0m0s",1,false],["rp3","0s","168h0m0s",1,false]]}]`),
    );
    t.is(await env.json('DROP RETENTION POLICY "rp2" ON "db"'), ok);
    t.is(await env.json('DROP RETENTION POLICY "nope" ON "db"'), ok);
    t.is(await env.json('DROP RETENTION POLICY "rp1" ON "db"'), ok);
    t.is(await env.json('SHOW RETENTION POLICIES ON db'), body(`"series":[{${RP_COLUMNS},"values":[["autogen","0s","168h0m0s",1,false],["rp3","0s","168h0m0s",1,false]]}]`));
  } finally {
    await env.close();
  }
});

test('dropping a database or retention policy deletes its shards from the store', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE a');
    await env.json('CREATE RETENTION POLICY r2 ON a DURATION 1d REPLICATION 1');
    await env.write('a', [makePoint('m', {}, { v: 1 }, 1577836800000000000n)]);
    await env.write('a', [makePoint('m', {}, { v: 1 }, 1577836800000000000n)], 'r2');
    t.is(env.tsdb.shardIds().length, 2);
    await env.json('DROP RETENTION POLICY r2 ON a');
    t.is(env.tsdb.shardIds().length, 1);
    t.regex(await env.json('SHOW SHARDS'), /"name":"a","columns":\["id","database","retention_policy","shard_group","start_time","end_time","expiry_time","owners"\],"values":\[\[\d+,"a","autogen",\d+,"2019-12-30T00:00:00Z","2020-01-06T00:00:00Z","2020-01-06T00:00:00Z","1"\]\]/);
    t.regex(await env.json('SHOW SHARD GROUPS'), /"name":"shard groups","columns":\["id","database","retention_policy","start_time","end_time","expiry_time"\],"values":\[\[\d+,"a","autogen","2019-12-30T00:00:00Z","2020-01-06T00:00:00Z","2020-01-06T00:00:00Z"\]\]/);
    await env.json('DROP DATABASE a');
    t.deepEqual(env.tsdb.shardIds(), []);
  } finally {
    await env.close();
  }
});

test('continuous queries are stored qualified with database and default policy', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE "d2" WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME "three_days"');
    await env.json('CREATE DATABASE "other"');
    t.is(await env.json('CREATE CONTINUOUS QUERY "cq1" ON "d2" BEGIN SELECT mean("usage_user") INTO "cpu_1h" FROM "cpu" GROUP BY time(1h), * END'), ok);
    t.is(await env.json('CREATE CONTINUOUS QUERY "cq2" ON "d2" RESAMPLE EVERY 10m FOR 2h BEGIN SELECT max("used") INTO "mem_max" FROM "mem" GROUP BY time(30m) END'), ok);
    t.is(
      await env.json('SHOW CONTINUOUS QUERIES'),
      body(
        '"series":[{"name":"d2","columns":["name","query"],"values":[["cq1","CREATE CONTINUOUS QUERY cq1 ON d2 BEGIN SELECT mean(usage_user) INTO d2.three_days.cpu_1h FROM d2.three_days.cpu GROUP BY time(1h), * END"],["cq2","CREATE CONTINUOUS QUERY cq2 ON d2 RESAMPLE EVERY 10m FOR 2h BEGIN SELECT max(used) INTO d2.three_days.mem_max FROM d2.three_days.mem GROUP BY time(30m) END"]]},{"name":"other","columns":["name","query"]}]',
      ),
    );
    t.is(await env.json('CREATE CONTINUOUS QUERY c3 ON d2 BEGIN SELECT mean(v) INTO "a b".x FROM m GROUP BY time(1h) END'), body('"error":"retention policy not found: d2.a b"'));
    t.is(await env.json('DROP CONTINUOUS QUERY "cq1" ON "d2"'), ok);
    t.is(await env.json('DROP CONTINUOUS QUERY "nope" ON "d2"'), ok);
    t.is(await env.json('DROP CONTINUOUS QUERY "x" ON "nodb"'), ok);
    t.is(await env.json('CREATE CONTINUOUS QUERY c1 ON nodb BEGIN SELECT mean(v) INTO x FROM y GROUP BY time(1h) END'), body('"error":"database not found: nodb"'));
    t.regex(await env.json('SHOW CONTINUOUS QUERIES'), /"values":\[\["cq2",/);
  } finally {
    await env.close();
  }
});

test('users and privileges: create (idempotent with the same password), grant, revoke, show, drop', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE db');
    t.is(await env.json(`CREATE USER u1 WITH PASSWORD 'p'`), ok);
    t.is(await env.json(`CREATE USER u1 WITH PASSWORD 'p'`), ok);
    t.is(await env.json(`CREATE USER u1 WITH PASSWORD 'q'`), body('"error":"user already exists"'));
    t.is(await env.json(`CREATE USER adm WITH PASSWORD 'p' WITH ALL PRIVILEGES`), ok);
    t.is(await env.json('GRANT READ ON db TO u1'), ok);
    t.is(await env.json('GRANT WRITE ON nodb TO u1'), body('"error":"database not found: nodb"'));
    t.is(await env.json('GRANT ALL ON db TO nouser'), body('"error":"user not found"'));
    t.is(await env.json('SHOW GRANTS FOR u1'), body('"series":[{"columns":["database","privilege"],"values":[["db","READ"]]}]'));
    t.is(await env.json('SHOW GRANTS FOR nouser'), body('"error":"user not found"'));
    t.is(await env.json('REVOKE READ ON db FROM u1'), ok);
    t.is(await env.json('SHOW GRANTS FOR u1'), body('"series":[{"columns":["database","privilege"],"values":[["db","NO PRIVILEGES"]]}]'));
    t.is(await env.json('GRANT ALL ON db TO u1'), ok);
    t.is(await env.json('SHOW GRANTS FOR u1'), body('"series":[{"columns":["database","privilege"],"values":[["db","ALL PRIVILEGES"]]}]'));
    t.is(await env.json('REVOKE READ ON db FROM u1'), ok);
    t.is(await env.json('SHOW GRANTS FOR u1'), body('"series":[{"columns":["database","privilege"],"values":[["db","WRITE"]]}]'));
    t.is(await env.json('GRANT ALL TO u1'), ok);
    t.is(await env.json('SHOW USERS'), body('"series":[{"columns":["user","admin"],"values":[["u1",true],["adm",true]]}]'));
    t.is(await env.json('REVOKE ALL PRIVILEGES FROM u1'), ok);
    t.is(await env.json(`SET PASSWORD FOR nouser = 'x'`), body('"error":"user not found"'));
    t.is(await env.json(`SET PASSWORD FOR u1 = 'x'`), ok);
    t.is(await env.json(`CREATE USER u1 WITH PASSWORD 'x'`), ok);
    t.is(await env.json('DROP USER nouser'), body('"error":"user not found"'));
    t.is(await env.json('DROP USER u1'), ok);
    t.is(await env.json('DROP USER adm'), ok);
    t.is(await env.json('SHOW USERS'), body('"series":[{"columns":["user","admin"]}]'));
    t.false(env.meta.data().users.some((u) => u.hash.includes('p')));
  } finally {
    await env.close();
  }
});

test('DROP SERIES, DELETE with a time range and DROP MEASUREMENT change what SHOW sees', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE d');
    const T = 1577836800n * 1_000_000_000n;
    const S = 1_000_000_000n;
    await env.write('d', [
      makePoint('cpu', { host: 'a' }, { v: 1 }, T),
      makePoint('cpu', { host: 'b' }, { v: 2 }, T),
      makePoint('cpu', { host: 'b' }, { v: 3 }, T + 10n * S),
      makePoint('mem', { host: 'a' }, { v: 1 }, T),
      makePoint('disk', { host: 'a' }, { v: 1 }, T),
    ]);
    t.is(await env.json(`DROP SERIES FROM cpu WHERE host = 'a'`, { db: 'd' }), ok);
    t.is(await env.json('SHOW SERIES', { db: 'd' }), body('"series":[{"columns":["key"],"values":[["cpu,host=b"],["disk,host=a"],["mem,host=a"]]}]'));
    t.is(await env.json(`DROP SERIES FROM cpu WHERE time > 0`, { db: 'd' }), body(`"error":"DROP SERIES doesn't support time in WHERE clause"`));
    t.regex(await env.json(`DELETE FROM cpu WHERE v > 1`, { db: 'd' }), /"error":"shard \d+: fields not supported in WHERE clause during deletion"/);
    t.regex(await env.json(`DROP SERIES FROM cpu WHERE v = 1`, { db: 'd' }), /"error":"shard \d+: fields not supported in WHERE clause during deletion"/);
    t.is(await env.json(`DELETE FROM cpu WHERE time < '2020-01-01T00:00:05Z'`, { db: 'd' }), ok);
    t.is(await env.json('SELECT * FROM cpu', { db: 'd' }), body('"series":[{"name":"cpu","columns":["time","host","v"],"values":[["2020-01-01T00:00:10Z","b",3]]}]'));
    t.is(await env.json(`DELETE WHERE host = 'a'`, { db: 'd' }), ok);
    t.is(await env.json('SHOW MEASUREMENTS', { db: 'd' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["cpu"]]}]'));
    t.is(await env.json('DROP MEASUREMENT cpu', { db: 'd' }), ok);
    t.is(await env.json('DROP MEASUREMENT nothere', { db: 'd' }), ok);
    t.is(await env.json('SHOW MEASUREMENTS', { db: 'd' }), ok);
    t.is(await env.json('DROP MEASUREMENT cpu'), body('"error":"database name required"'));
  } finally {
    await env.close();
  }
});

test('DROP SHARD removes the shard here and its single-shard group from meta; unknown ids are fine', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE a');
    await env.write('a', [makePoint('m', {}, { v: 1 }, 1577836800000000000n)]);
    const [id] = env.tsdb.shardIds();
    t.is(await env.json(`DROP SHARD ${id}`), ok);
    t.deepEqual(env.tsdb.shardIds(), []);
    t.is(await env.json('SHOW SHARD GROUPS'), body('"series":[{"name":"shard groups","columns":["id","database","retention_policy","start_time","end_time","expiry_time"]}]'));
    t.is(await env.json('SHOW MEASUREMENTS', { db: 'a' }), ok);
    t.is(await env.json('DROP SHARD 99999'), ok);
  } finally {
    await env.close();
  }
});

test('after the default policy is dropped, SELECT and CREATE CONTINUOUS QUERY report it missing (1.6.7 keeps the default dangling)', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE d');
    await env.json('CREATE RETENTION POLICY r3 ON d DURATION 2h REPLICATION 1 DEFAULT');
    await env.json('DROP RETENTION POLICY r3 ON d');
    if (env.meta.database('d')!.defaultRetentionPolicy !== 'r3') {
      t.pass('this meta store clears the default when it is dropped');
      return;
    }
    t.is(await env.json('SELECT * FROM cpu', { db: 'd' }), body('"error":"retention policy not found: r3"'));
    t.is(await env.json('SELECT * FROM autogen.cpu', { db: 'd' }), ok);
    t.is(await env.json('CREATE CONTINUOUS QUERY c ON d BEGIN SELECT max(v) INTO x FROM m GROUP BY time(1h) END'), body('"error":"retention policy not found: d.r3"'));
    t.is(await env.json('SELECT * FROM nope.cpu', { db: 'd' }), body('"error":"retention policy not found: nope"'));
  } finally {
    await env.close();
  }
});
