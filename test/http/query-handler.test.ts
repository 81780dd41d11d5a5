import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { request } from 'undici';
import { handleQuery, type QueryHandlerOptions } from '../../core/http/query-handler.js';
import { makePoint } from '../../core/testing/points.js';
import { setup, type Env } from '../query/exec/harness.js';

const S = 1_000_000_000n;
const T = 1577836800n * S;

interface Ctx {
  env: Env;
  server: Server;
  base: string;
}

async function start(options: QueryHandlerOptions = {}): Promise<Ctx> {
  const env = await setup();
  await env.meta.createDatabase('db');
  await env.write('db', [
    makePoint('q', { host: 'a' }, { v: 1, s: 'x' }, T),
    makePoint('q', { host: 'b' }, { v: 2, s: 'y' }, T + 10n * S),
    makePoint('q', { host: 'a' }, { v: 3, s: 'z' }, T + 20n * S),
    makePoint('q', { host: 'b' }, { v: 4 }, T + 30n * S),
    makePoint('sub', {}, { v: 1 }, T + 123456789n),
  ]);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handleQuery(req, res, url, env.exec, options).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { env, server, base: `http://127.0.0.1:${port}` };
}

async function stop(c: Ctx): Promise<void> {
  await new Promise<void>((resolve) => c.server.close(() => resolve()));
  await c.env.close();
}

async function get(c: Ctx, path: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' | 'PUT' = 'GET', body?: string | Buffer) {
  const r = await request(c.base + path, { method, headers: { 'accept-encoding': 'identity', ...headers }, ...(body !== undefined ? { body } : {}) });
  const buf = Buffer.from(await r.body.arrayBuffer());
  return { status: r.statusCode, headers: r.headers, buf, text: buf.toString('utf8') };
}

const SELECT_ALL =
  '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","host","s","v"],"values":[["2020-01-01T00:00:00Z","a","x",1],["2020-01-01T00:00:10Z","b","y",2],["2020-01-01T00:00:20Z","a","z",3],["2020-01-01T00:00:30Z","b",null,4]]}]}]}\n';

test('GET and POST with q in the URL, in a form body and in a multipart file give the same answer', async (t) => {
  const c = await start();
  try {
    const q = encodeURIComponent('SELECT * FROM q');
    const a = await get(c, `/query?db=db&q=${q}`);
    t.is(a.status, 200);
    t.is(a.headers['content-type'], 'application/json');
    t.is(a.text, SELECT_ALL);
    t.is((await get(c, `/query?db=db&q=${q}`, {}, 'POST')).text, SELECT_ALL);
    t.is((await get(c, '/query?db=db', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', `q=${q}`)).text, SELECT_ALL);
    t.is((await get(c, '/query', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', `q=${q}&db=db`)).text, SELECT_ALL);
    const boundary = 'XyZ';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="q"; filename="q.txt"\r\nContent-Type: text/plain\r\n\r\nSELECT * FROM q\r\n--${boundary}\r\nContent-Disposition: form-data; name="db"\r\n\r\ndb\r\n--${boundary}--\r\n`;
    t.is((await get(c, '/query', { 'content-type': `multipart/form-data; boundary=${boundary}` }, 'POST', multipart)).text, SELECT_ALL);
    const e = await get(c, '/query?db=db&q=SELECT+*+FROM+q', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', 'epoch=s');
    t.true(e.text.includes('[1577836800,"a","x",1]'));
  } finally {
    await stop(c);
  }
});

test('errors: missing q, parse errors and bad params are 400 with the error JSON and X-Influxdb-Error', async (t) => {
  const c = await start();
  try {
    for (const path of ['/query', '/query?q=', '/query?q=%20%20']) {
      const r = await get(c, path);
      t.is(r.status, 400);
      t.is(r.text, '{"error":"missing required parameter \\"q\\""}\n');
      t.is(r.headers['x-influxdb-error'], 'missing required parameter "q"');
    }
    const p = await get(c, '/query?db=db&q=' + encodeURIComponent('SELECT v FROM q; SELEC v FROM q'));
    t.is(p.status, 400);
    const msg = 'error parsing query: found SELEC, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 18';
    t.is(p.text, `{"error":"${msg}"}\n`);
    t.is(p.headers['x-influxdb-error'], msg);
    const m = await get(c, '/query?db=db&q=' + encodeURIComponent('SELECT v FROM q WHERE host = $host'));
    t.is(m.text, '{"error":"error parsing query: missing parameter: host"}\n');
    const bad = await get(c, '/query?db=db&params=nope&q=' + encodeURIComponent('SELECT v FROM q'));
    t.is(bad.status, 400);
    t.regex(bad.text, /^\{"error":"error parsing query parameters: /);
    const pretty = await get(c, '/query?pretty=true&q=SELEC');
    t.is(pretty.text, '{\n    "error": "error parsing query: found SELEC, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1"\n}\n');
    t.is((await get(c, '/query?q=SHOW+DATABASES', {}, 'PUT')).status, 405);
    // A pair with a raw ';' is dropped by Go's query parser, so q is missing.
    t.is((await get(c, '/query?db=db&q=SHOW MEASUREMENTS;')).status, 400);
  } finally {
    await stop(c);
  }
});

test('statement errors are 200 with results[i].error; bind params are typed from JSON', async (t) => {
  const c = await start();
  try {
    const r = await get(c, '/query?db=cf_no_such_db_q&q=SELECT+*+FROM+q');
    t.is(r.status, 200);
    t.is(r.text, '{"results":[{"statement_id":0,"error":"database not found: cf_no_such_db_q"}]}\n');
    const b = await get(c, '/query?db=db&q=' + encodeURIComponent('SELECT v FROM q WHERE host = $host AND v > $min') + '&params=' + encodeURIComponent('{"host":"b","min":2}'));
    t.is(b.text, '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","v"],"values":[["2020-01-01T00:00:30Z",4]]}]}]}\n');
    const w = await get(c, '/query?q=' + encodeURIComponent('CREATE DATABASE "x"'));
    t.is(w.text, `{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated use of 'CREATE DATABASE x' in a read only context, please use a POST request instead"}]}]}\n`);
    t.is((await get(c, '/query?q=' + encodeURIComponent('CREATE DATABASE "y"'), {}, 'POST')).text, '{"results":[{"statement_id":0}]}\n');
    t.is((await get(c, '/query?q=%3B')).text, '{}\n');
    const a = await get(c, '/query?async=true&q=' + encodeURIComponent('CREATE DATABASE "z"'), {}, 'POST');
    t.is(a.status, 204);
    for (let i = 0; i < 100 && c.env.meta.database('z') === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    t.truthy(c.env.meta.database('z'));
  } finally {
    await stop(c);
  }
});

test('epoch, pretty, chunked with chunk_size, CSV and gzip', async (t) => {
  const c = await start();
  try {
    t.is((await get(c, '/query?db=db&q=SELECT+*+FROM+sub&epoch=ms')).text, '{"results":[{"statement_id":0,"series":[{"name":"sub","columns":["time","v"],"values":[[1577836800123,1]]}]}]}\n');
    t.is((await get(c, '/query?db=db&q=SELECT+*+FROM+sub&epoch=')).text, '{"results":[{"statement_id":0,"series":[{"name":"sub","columns":["time","v"],"values":[["2020-01-01T00:00:00.123456789Z",1]]}]}]}\n');
    t.true((await get(c, '/query?db=db&q=SELECT+*+FROM+sub&pretty=true')).text.startsWith('{\n    "results": [\n        {\n            "statement_id": 0,'));
    const chunked = await get(c, '/query?db=db&q=SELECT+*+FROM+q&chunked=true&chunk_size=3');
    t.is(
      chunked.text,
      '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","host","s","v"],"values":[["2020-01-01T00:00:00Z","a","x",1],["2020-01-01T00:00:10Z","b","y",2],["2020-01-01T00:00:20Z","a","z",3]],"partial":true}],"partial":true}]}\n' +
        '{"results":[{"statement_id":0,"series":[{"name":"q","columns":["time","host","s","v"],"values":[["2020-01-01T00:00:30Z","b",null,4]]}]}]}\n',
    );
    t.is((await get(c, '/query?db=db&q=SELECT+*+FROM+nothere&chunked=true')).text, '{"results":[{"statement_id":0}]}\n');
    const csv = await get(c, '/query?db=db&q=' + encodeURIComponent('SELECT v FROM q GROUP BY host; SELECT count(v) FROM q'), { accept: 'application/csv' });
    t.is(csv.headers['content-type'], 'text/csv');
    t.is(csv.text, 'name,tags,time,v\nq,host=a,1577836800000000000,1\nq,host=a,1577836820000000000,3\nq,host=b,1577836810000000000,2\nq,host=b,1577836830000000000,4\n\nname,tags,time,count\nq,,0,4\n');
    const gz = await get(c, '/query?db=db&q=SELECT+*+FROM+q', { 'accept-encoding': 'gzip' });
    t.is(gz.headers['content-encoding'], 'gzip');
    t.is(gunzipSync(gz.buf).toString('utf8'), SELECT_ALL);
    const gzChunked = await get(c, '/query?db=db&q=SELECT+*+FROM+q&chunked=true&chunk_size=2', { 'accept-encoding': 'gzip' });
    t.is(gunzipSync(gzChunked.buf).toString('utf8').split('\n').length, 3);
  } finally {
    await stop(c);
  }
});

test('with authentication on, a refused query is 403 with the authorizer text', async (t) => {
  const env = await setup();
  await env.json(`CREATE USER adm WITH PASSWORD 'pw' WITH ALL PRIVILEGES`);
  await env.json(`CREATE USER bob WITH PASSWORD 'pw'`);
  const bob = env.meta.data().users.find((u) => u.name === 'bob');
  const server = createServer((req, res) => void handleQuery(req, res, new URL(req.url!, 'http://x'), env.exec, { auth: { user: bob } }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const r = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/query?q=SHOW+USERS`);
    t.is(r.statusCode, 403);
    const msg = "error authorizing query: bob not authorized to execute statement 'SHOW USERS', requires admin privilege";
    t.is(r.headers['x-influxdb-error'], msg);
    t.is(await r.body.text(), `{"error":"${msg}"}\n`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await env.close();
  }
});

test('a client that goes away mid-answer stops the query and the handler finishes', async (t) => {
  const env = await setup();
  await env.meta.createDatabase('big');
  const points = [];
  for (let i = 0; i < 20000; i++) points.push(makePoint('m', { k: String(i % 50) }, { v: i, s: 'x'.repeat(100) }, T + BigInt(i) * S));
  await env.write('big', points);
  let finished: Promise<void> | undefined;
  const server = createServer((req, res) => {
    finished = handleQuery(req, res, new URL(req.url!, 'http://x'), env.exec);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const ac = new AbortController();
    const r = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/query?db=big&chunked=true&chunk_size=10&q=SELECT+*+FROM+m+GROUP+BY+*`, {
      signal: ac.signal,
    });
    for await (const _ of r.body) {
      ac.abort();
      break;
    }
    await t.notThrowsAsync(finished!);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await env.close();
  }
});

test('a quick non-chunked answer is one response with a Content-Length; with headers flushed at once (as InfluxDB) it is chunked and the same bytes', async (t) => {
  const quick = await start({ headFlushMs: 60_000 });
  const atOnce = await start({ headFlushMs: 0 });
  try {
    const a = await get(quick, `/query?db=db&q=${encodeURIComponent('SELECT * FROM q')}`);
    const b = await get(atOnce, `/query?db=db&q=${encodeURIComponent('SELECT * FROM q')}`);
    t.is(a.status, 200);
    t.is(b.status, 200);
    t.is(a.text, SELECT_ALL);
    t.is(b.text, SELECT_ALL);
    t.is(a.headers['content-length'], String(Buffer.byteLength(SELECT_ALL)));
    t.is(a.headers['transfer-encoding'], undefined);
    t.is(b.headers['content-length'], undefined);
    t.is(b.headers['transfer-encoding'], 'chunked');
    t.is(a.headers['content-type'], 'application/json');
    t.is(b.headers['content-type'], 'application/json');
  } finally {
    await stop(quick);
    await stop(atOnce);
  }
});
