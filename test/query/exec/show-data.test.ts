import test from 'ava';
import { makePoint } from '../../../core/testing/points.js';
import { schemaPoints, setup, type Env } from './harness.js';

async function withMeta(run: (env: Env) => Promise<void>): Promise<void> {
  const env = await setup();
  try {
    await env.meta.createDatabase('m');
    await env.write('m', schemaPoints());
    await run(env);
  } finally {
    await env.close();
  }
}

const body = (inner: string): string => `{"results":[{"statement_id":0,${inner}}]}\n`;

test('SHOW MEASUREMENTS lists names, filters by WITH MEASUREMENT, WHERE on tags, LIMIT/OFFSET', (t) =>
  withMeta(async (env) => {
    t.is(await env.json('SHOW MEASUREMENTS', { db: 'm' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["cpu"],["disk"],["mem"]]}]'));
    t.is(await env.json('SHOW MEASUREMENTS ON m'), body('"series":[{"name":"measurements","columns":["name"],"values":[["cpu"],["disk"],["mem"]]}]'));
    t.is(await env.json('SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(c|d)/', { db: 'm' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["cpu"],["disk"]]}]'));
    t.is(await env.json('SHOW MEASUREMENTS WITH MEASUREMENT = "mem"', { db: 'm' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["mem"]]}]'));
    t.is(await env.json(`SHOW MEASUREMENTS WHERE "host" = 'b'`, { db: 'm' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["cpu"],["mem"]]}]'));
    t.is(await env.json('SHOW MEASUREMENTS LIMIT 1 OFFSET 1', { db: 'm' }), body('"series":[{"name":"measurements","columns":["name"],"values":[["disk"]]}]'));
    t.is(await env.json('SHOW MEASUREMENTS'), body('"error":"database name required"'));
    t.is(await env.json('SHOW MEASUREMENTS', { db: 'nope' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json('SHOW MEASUREMENTS WHERE time > now()', { db: 'm' }), body(`"error":"SHOW MEASUREMENTS doesn't support time in WHERE clause"`));
    t.is(await env.json('SHOW MEASUREMENTS WHERE usage_user > 1', { db: 'm' }), body('"error":"invalid tag comparison operator"'));
  }));

test('SHOW SERIES lists keys across measurements with FROM (regex too), WHERE, LIMIT', (t) =>
  withMeta(async (env) => {
    t.is(
      await env.json('SHOW SERIES', { db: 'm' }),
      body('"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"],["cpu,host=b,region=east"],["cpu,host=c,region=west"],["disk,host=a,path=/"],["mem,host=a"],["mem,host=b"]]}]'),
    );
    t.is(await env.json(`SHOW SERIES WHERE "host" = 'a'`, { db: 'm' }), body('"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"],["disk,host=a,path=/"],["mem,host=a"]]}]'));
    t.is(await env.json(`SHOW SERIES FROM "cpu" WHERE "region" = 'east' LIMIT 1`, { db: 'm' }), body('"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"]]}]'));
    t.is(await env.json('SHOW SERIES FROM /^d/', { db: 'm' }), body('"series":[{"columns":["key"],"values":[["disk,host=a,path=/"]]}]'));
    t.is(await env.json('SHOW SERIES ON m FROM mem'), body('"series":[{"columns":["key"],"values":[["mem,host=a"],["mem,host=b"]]}]'));
    // Time picks shard groups: the data is in the week of 2019-12-30.
    t.is(await env.json(`SHOW SERIES FROM cpu WHERE time > '2020-01-08T00:00:00Z'`, { db: 'm' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json(`SHOW SERIES FROM cpu WHERE time > '2020-01-01T00:00:05Z' AND host = 'a'`, { db: 'm' }), body('"series":[{"columns":["key"],"values":[["cpu,host=a,region=east"]]}]'));
    t.is(await env.json('SHOW SERIES', { db: 'nope' }), body('"error":"database not found: nope"'));
  }));

test('tag predicates: missing tags compare as empty, != and !~ include them, fields do not filter', async (t) => {
  const env = await setup();
  try {
    await env.meta.createDatabase('t');
    const T = 1577836800n * 1_000_000_000n;
    await env.write('t', [
      makePoint('m2', { a: '1' }, { v: 1 }, T),
      makePoint('m2', { b: '1' }, { v: 1 }, T),
      makePoint('m2', { a: '2', b: '2' }, { v: 1 }, T),
      makePoint('m2', {}, { v: 5 }, T),
    ]);
    const keys = async (where: string): Promise<string> => {
      const [r] = await env.results(`SHOW SERIES FROM m2 WHERE ${where}`, { db: 't' });
      return (r!.series?.[0]?.values ?? []).map((v) => v[0]).join(' ');
    };
    t.is(await keys(`a != '1'`), 'm2 m2,a=2,b=2 m2,b=1');
    t.is(await keys(`a = ''`), 'm2 m2,b=1');
    t.is(await keys(`a !~ /1/`), 'm2 m2,a=2,b=2 m2,b=1');
    t.is(await keys(`a =~ /^$/`), 'm2 m2,b=1');
    t.is(await keys(`v = 5`), 'm2 m2,a=1 m2,a=2,b=2 m2,b=1');
    t.is(await keys(`(a = '1' OR b = '1') AND a != '2'`), 'm2,a=1 m2,b=1');
    t.is(await keys(`a = b`), 'm2,a=2,b=2');
    t.is(await keys(`'x' = a`), '');
    t.is(await keys(`a::tag = '1'`), 'm2,a=1');
    t.is(await keys(`a <> '1'`), 'm2 m2,a=2,b=2 m2,b=1');
    t.deepEqual(await env.results(`SHOW TAG KEYS FROM m2 WHERE a = '1'`, { db: 't' }), [{ statement_id: 0, series: [{ name: 'm2', columns: ['tagKey'], values: [['a']] }] }]);
    t.deepEqual(await env.results(`SHOW TAG VALUES FROM m2 WITH KEY = a WHERE b = '1'`, { db: 't' }), [{ statement_id: 0 }]);
  } finally {
    await env.close();
  }
});

test('SHOW TAG KEYS and TAG VALUES answer one series per measurement', (t) =>
  withMeta(async (env) => {
    t.is(
      await env.json('SHOW TAG KEYS', { db: 'm' }),
      body('"series":[{"name":"cpu","columns":["tagKey"],"values":[["host"],["region"]]},{"name":"disk","columns":["tagKey"],"values":[["host"],["path"]]},{"name":"mem","columns":["tagKey"],"values":[["host"]]}]'),
    );
    t.is(await env.json('SHOW TAG KEYS ON m FROM "mem"'), body('"series":[{"name":"mem","columns":["tagKey"],"values":[["host"]]}]'));
    t.is(
      await env.json('SHOW TAG VALUES WITH KEY = "host"', { db: 'm' }),
      body('"series":[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"],["host","c"]]},{"name":"disk","columns":["key","value"],"values":[["host","a"]]},{"name":"mem","columns":["key","value"],"values":[["host","a"],["host","b"]]}]'),
    );
    t.is(
      await env.json('SHOW TAG VALUES FROM "cpu" WITH KEY IN ("host", "region")', { db: 'm' }),
      body('"series":[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"],["host","c"],["region","east"],["region","west"]]}]'),
    );
    t.is(
      await env.json('SHOW TAG VALUES WITH KEY =~ /^(path|region)$/', { db: 'm' }),
      body('"series":[{"name":"cpu","columns":["key","value"],"values":[["region","east"],["region","west"]]},{"name":"disk","columns":["key","value"],"values":[["path","/"]]}]'),
    );
    t.is(await env.json(`SHOW TAG VALUES FROM "cpu" WITH KEY = "host" WHERE "region" =~ /^east$/`, { db: 'm' }), body('"series":[{"name":"cpu","columns":["key","value"],"values":[["host","a"],["host","b"]]}]'));
    t.is(await env.json('SHOW TAG VALUES FROM "cpu" WITH KEY != "host"', { db: 'm' }), body('"series":[{"name":"cpu","columns":["key","value"],"values":[["region","east"],["region","west"]]}]'));
    t.is(await env.json('SHOW TAG VALUES FROM "cpu" WITH KEY = "nope"', { db: 'm' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json('SHOW TAG VALUES FROM "cpu" WITH KEY = "host" LIMIT 1 OFFSET 1', { db: 'm' }), body('"series":[{"name":"cpu","columns":["key","value"],"values":[["host","b"]]}]'));
    t.is(await env.json('SHOW TAG KEYS LIMIT 1 OFFSET 1', { db: 'm' }), body('"series":[{"name":"cpu","columns":["tagKey"],"values":[["region"]]},{"name":"disk","columns":["tagKey"],"values":[["path"]]}]'));
  }));

test('SHOW FIELD KEYS lists types, and a field with two types in two shards twice', (t) =>
  withMeta(async (env) => {
    t.is(
      await env.json('SHOW FIELD KEYS', { db: 'm' }),
      body('"series":[{"name":"cpu","columns":["fieldKey","fieldType"],"values":[["count_i","integer"],["note","string"],["ok","boolean"],["usage_system","float"],["usage_user","float"]]},{"name":"disk","columns":["fieldKey","fieldType"],"values":[["used_percent","float"]]},{"name":"mem","columns":["fieldKey","fieldType"],"values":[["free","integer"],["used","integer"]]}]'),
    );
    t.is(await env.json('SHOW FIELD KEYS FROM "nope"', { db: 'm' }), '{"results":[{"statement_id":0}]}\n');
    // Another week = another shard group, where `used_percent` is an integer.
    // Type order, not shard order: the integer goes into an earlier week, created after the float's.
    await env.write('m', [makePoint('disk', { host: 'a', path: '/' }, { used_percent: 7n }, 1577232000n * 1_000_000_000n)]);
    t.is(await env.json('SHOW FIELD KEYS FROM disk', { db: 'm' }), body('"series":[{"name":"disk","columns":["fieldKey","fieldType"],"values":[["used_percent","float"],["used_percent","integer"]]}]'));
  }));

test('cardinality: estimations for the whole database, exact counts per measurement', (t) =>
  withMeta(async (env) => {
    t.is(await env.json('SHOW SERIES EXACT CARDINALITY', { db: 'm' }), body('"series":[{"name":"cpu","columns":["count"],"values":[[3]]},{"name":"disk","columns":["count"],"values":[[1]]},{"name":"mem","columns":["count"],"values":[[2]]}]'));
    t.is(await env.json('SHOW MEASUREMENT EXACT CARDINALITY', { db: 'm' }), body('"series":[{"columns":["count"],"values":[[3]]}]'));
    t.is(await env.json('SHOW SERIES CARDINALITY', { db: 'm' }), body('"series":[{"columns":["cardinality estimation"],"values":[[6]]}]'));
    t.is(await env.json('SHOW MEASUREMENT CARDINALITY', { db: 'nope' }), body('"series":[{"columns":["cardinality estimation"],"values":[[0]]}]'));
    t.is(await env.json(`SHOW SERIES CARDINALITY WHERE host = 'a'`, { db: 'm' }), body('"series":[{"name":"cpu","columns":["count"],"values":[[1]]},{"name":"disk","columns":["count"],"values":[[1]]},{"name":"mem","columns":["count"],"values":[[1]]}]'));
    t.is(await env.json('SHOW TAG KEY CARDINALITY FROM cpu', { db: 'm' }), body('"series":[{"name":"cpu","columns":["count"],"values":[[2]]}]'));
    t.is(await env.json('SHOW TAG VALUES CARDINALITY WITH KEY = "host"', { db: 'm' }), body('"series":[{"name":"cpu","columns":["count"],"values":[[3]]},{"name":"disk","columns":["count"],"values":[[1]]},{"name":"mem","columns":["count"],"values":[[2]]}]'));
    t.is(await env.json('SHOW FIELD KEY CARDINALITY FROM /c|m/', { db: 'm' }), body('"series":[{"name":"cpu","columns":["count"],"values":[[5]]},{"name":"mem","columns":["count"],"values":[[2]]}]'));
    t.is(await env.json('SHOW SERIES EXACT CARDINALITY WHERE time > now()', { db: 'm' }), body(`"error":"SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause"`));
    t.is(await env.json('SHOW TAG KEY CARDINALITY', { db: 'nope' }), body('"error":"database not found: nope"'));
  }));

test('chunked SHOW SERIES and FIELD KEYS come in emitter pieces with partial flags', (t) =>
  withMeta(async (env) => {
    const pieces = await env.pieces('SHOW FIELD KEYS FROM cpu, mem', { db: 'm', chunkSize: 2 });
    t.deepEqual(
      pieces.map((p) => [p.series![0]!.name, p.series![0]!.values.length, p.series![0]!.partial === true, p.partial === true]),
      [
        ['cpu', 2, true, true],
        ['cpu', 2, true, true],
        ['cpu', 1, false, true],
        ['mem', 2, false, false],
      ],
    );
    const tagKeys = await env.pieces('SHOW TAG KEYS', { db: 'm', chunkSize: 1 });
    t.is(tagKeys.length, 3);
    t.true(tagKeys.every((p) => p.partial === undefined && p.series!.length === 1));
  }));

test('series, tags and measurements span every policy; field keys and exact counts read one policy (rp or default)', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE d');
    await env.json('CREATE RETENTION POLICY r2 ON d DURATION 1d REPLICATION 1');
    const T = 1577836800n * 1_000_000_000n;
    await env.write('d', [makePoint('q', { host: 'a' }, { v: 1 }, T)]);
    await env.write('d', [makePoint('other', { host: 'z' }, { v: 1 }, T)], 'r2');
    for (const rp of ['', 'r2']) {
      t.is(await env.json('SHOW SERIES', { db: 'd', rp }), '{"results":[{"statement_id":0,"series":[{"columns":["key"],"values":[["other,host=z"],["q,host=a"]]}]}]}\n');
      t.is(await env.json('SHOW MEASUREMENTS', { db: 'd', rp }), '{"results":[{"statement_id":0,"series":[{"name":"measurements","columns":["name"],"values":[["other"],["q"]]}]}]}\n');
    }
    t.is(await env.json('SHOW FIELD KEYS', { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["fieldKey","fieldType"],"values":[["v","float"]]}]}]}\n');
    t.is(await env.json('SHOW FIELD KEYS', { db: 'd', rp: 'r2' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["fieldKey","fieldType"],"values":[["v","float"]]}]}]}\n');
    t.is(await env.json('SHOW SERIES EXACT CARDINALITY', { db: 'd', rp: 'r2' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["count"],"values":[[1]]}]}]}\n');
    t.is(await env.json('SHOW SERIES CARDINALITY', { db: 'd', rp: 'r2' }), '{"results":[{"statement_id":0,"series":[{"columns":["cardinality estimation"],"values":[[2]]}]}]}\n');
    t.is(await env.json('SHOW SERIES', { db: 'd', rp: 'nope' }), '{"results":[{"statement_id":0,"error":"retention policy not found: nope"}]}\n');
    t.is(await env.json('SHOW FIELD KEYS FROM r2.other', { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["fieldKey","fieldType"],"values":[["v","float"]]}]}]}\n');
    t.is(await env.json('SHOW FIELD KEYS FROM d.r2./o/', { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["fieldKey","fieldType"],"values":[["v","float"]]}]}]}\n');
    t.is(await env.json('SHOW FIELD KEYS FROM autogen.other', { db: 'd' }), '{"results":[{"statement_id":0}]}\n');
    t.is(await env.json('SHOW FIELD KEYS FROM nope.other', { db: 'd' }), '{"results":[{"statement_id":0,"error":"retention policy not found: nope"}]}\n');
    t.is(await env.json('SHOW SERIES FROM nope.other', { db: 'd' }), '{"results":[{"statement_id":0,"error":"retention policy not found: nope"}]}\n');
    t.is(await env.json('SHOW TAG KEYS FROM nope.other', { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["tagKey"],"values":[["host"]]}]}]}\n');
    t.is(await env.json('SHOW SERIES EXACT CARDINALITY FROM r2.other', { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"name":"other","columns":["count"],"values":[[1]]}]}]}\n');
  } finally {
    await env.close();
  }
});

test('SHOW MEASUREMENTS WHERE decides per measurement over its tag values, as the 1.6.7 index does', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE d');
    const T = 1577836800n * 1_000_000_000n;
    await env.write('d', [
      makePoint('m1', { host: 'a', region: 'west' }, { v: 1 }, T),
      makePoint('m1', { host: 'b', region: 'east' }, { v: 1 }, T),
      makePoint('m2', { host: 'a', region: 'east' }, { v: 1 }, T),
      makePoint('m3', {}, { v: 1 }, T),
    ]);
    const names = async (where: string): Promise<string> => {
      const [r] = await env.results(`SHOW MEASUREMENTS WHERE ${where}`, { db: 'd' });
      return r!.error ?? (r!.series?.[0]?.values ?? []).map((v) => v[0]).join(' ');
    };
    t.is(await names(`host = 'a' AND region = 'east'`), 'm1 m2');
    t.is(await names(`host != 'a'`), '');
    t.is(await names(`host = ''`), '');
    t.is(await names(`host =~ /.*/`), 'm1 m2');
    t.is(await names(`host !~ /a/`), '');
    t.is(await names(`host = 'b' OR _name = 'm3'`), 'm1 m3');
    t.is(await names(`host = region`), "right side of '=' must be a tag value string");
    t.is(await names(`'a' = host`), "left side of '=' must be a tag key");
    t.is(await names(`v > 1`), 'invalid tag comparison operator');
    t.is(await env.json(`SHOW MEASUREMENT EXACT CARDINALITY WHERE host = 'a' AND region = 'east'`, { db: 'd' }), '{"results":[{"statement_id":0,"series":[{"columns":["count"],"values":[[1]]}]}]}\n');
  } finally {
    await env.close();
  }
});

test('SHOW SERIES / FIELD KEYS / exact counts read a source naming another database; unknown ones error', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE a');
    await env.json('CREATE DATABASE b');
    const T = 1577836800n * 1_000_000_000n;
    await env.write('a', [makePoint('am', { host: 'y' }, { f: 1 }, T)]);
    await env.write('b', [makePoint('bm', { host: 'z' }, { f: 1 }, T)]);
    t.is(await env.json('SHOW SERIES FROM b..bm, am', { db: 'a' }), '{"results":[{"statement_id":0,"series":[{"columns":["key"],"values":[["am,host=y"],["bm,host=z"]]}]}]}\n');
    t.is(await env.json('SHOW FIELD KEYS FROM b..bm', { db: 'a' }), '{"results":[{"statement_id":0,"series":[{"name":"bm","columns":["fieldKey","fieldType"],"values":[["f","float"]]}]}]}\n');
    t.is(await env.json('SHOW SERIES EXACT CARDINALITY FROM b..bm', { db: 'a' }), '{"results":[{"statement_id":0,"series":[{"name":"bm","columns":["count"],"values":[[1]]}]}]}\n');
    for (const q of ['SHOW SERIES FROM nope..x', 'SHOW FIELD KEYS FROM nope..x', 'SHOW SERIES EXACT CARDINALITY FROM nope..x']) {
      t.is(await env.json(q, { db: 'a' }), '{"results":[{"statement_id":0,"error":"database not found: nope"}]}\n', q);
    }
    t.is(await env.json('SHOW TAG KEYS FROM nope..x', { db: 'a' }), '{"results":[{"statement_id":0}]}\n');
  } finally {
    await env.close();
  }
});
