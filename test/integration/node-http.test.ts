// A node booted in this process (several can run side by side: one child container each), answering bad
// input exactly as InfluxDB 1.6.7 does, and still serving afterwards.
import fs from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { request } from 'undici';
import { bootNode, type TesseraNode } from '../../core/node.js';
import { createPluginResolver } from '../../core/plugin-loader.js';
import { BUILTIN_PLUGINS } from '../../plugins/builtin.js';
import { query, tempDir, write } from './harness.js';

async function boot(dir: string, extra: Record<string, Record<string, unknown>> = {}): Promise<TesseraNode> {
  return bootNode({
    raw: {
      node: { dir, 'log-level': 'silent' },
      http: { 'bind-address': '127.0.0.1:0', 'max-body-size': '100000' },
      cluster: { 'bind-address': '127.0.0.1:0' },
      ...extra,
    },
    env: {},
    resolvePlugin: createPluginResolver(BUILTIN_PLUGINS, dir),
  });
}

test('two nodes run in one process, each with its own container and data', async (t) => {
  const [d1, d2] = [await tempDir('n1'), await tempDir('n2')];
  const [a, b] = [await boot(d1), await boot(d2)];
  try {
    const [ua, ub] = [`http://${a.httpAddress()}`, `http://${b.httpAddress()}`];
    await query(ua, 'CREATE DATABASE only_a');
    const la = await query(ua, 'SHOW DATABASES');
    const lb = await query(ub, 'SHOW DATABASES');
    t.deepEqual(la.body.results[0].series[0].values, [['only_a']]);
    t.deepEqual(lb.body.results[0].series[0].values ?? [], []);
    t.not(a.container, b.container);
  } finally {
    await a.stop();
    await b.stop();
    await fs.rm(d1, { recursive: true, force: true });
    await fs.rm(d2, { recursive: true, force: true });
  }
});

test('bad input gets InfluxDB 1.6.7 answers and the node keeps serving', async (t) => {
  const dir = await tempDir('bad');
  const node = await boot(dir);
  const url = `http://${node.httpAddress()}`;
  try {
    await query(url, 'CREATE DATABASE db');
    // malformed lines: 400 with the parse error; the good line of the batch is still written
    const mixed = await write(url, 'db', 'good v=1 1\nbad v= 2\n');
    t.is(mixed.status, 400);
    t.deepEqual(JSON.parse(mixed.text), { error: "partial write: unable to parse 'bad v= 2': missing field value dropped=0" });
    t.is(mixed.headers['x-influxdb-error'], "partial write: unable to parse 'bad v= 2': missing field value dropped=0");
    const all = await write(url, 'db', 'lonely\n');
    t.deepEqual(JSON.parse(all.text), { error: "unable to parse 'lonely': missing fields" });
    // an error quoting non-Latin-1 text: the header carries the UTF-8 bytes, the body the text
    const uni = await write(url, 'db', '温度 v=\n');
    t.is(uni.status, 400);
    t.deepEqual(JSON.parse(uni.text), { error: "unable to parse '温度 v=': missing field value" });
    t.is(Buffer.from(String(uni.headers['x-influxdb-error']), 'latin1').toString('utf8'), "unable to parse '温度 v=': missing field value");
    // unknown database
    const nodb = await write(url, 'nope', 'm v=1');
    t.is(nodb.status, 404);
    t.deepEqual(JSON.parse(nodb.text), { error: 'database not found: "nope"' });
    // missing db
    const r0 = await request(`${url}/write`, { method: 'POST', body: 'm v=1' });
    t.is(r0.statusCode, 400);
    t.deepEqual(await r0.body.json(), { error: 'database is required' });
    // unknown precision = nanoseconds
    t.is((await write(url, 'db', 'prec v=1 5', { precision: 'x' })).status, 204);
    const prec = await query(url, 'SELECT v FROM prec', { db: 'db', epoch: 'ns' });
    t.deepEqual(prec.body.results[0].series[0].values, [[5, 1]]);
    // oversized body (the test node allows 100,000 bytes), also when gzipped
    const big = `${'m v=1 1\n'.repeat(20_000)}`;
    t.is((await write(url, 'db', big)).status, 413);
    t.is((await write(url, 'db', gzipSync(big), {}, { 'content-encoding': 'gzip' })).status, 413);
    // gzip bodies are accepted
    t.is((await write(url, 'db', gzipSync('gz v=1 1\n'), {}, { 'content-encoding': 'gzip' })).status, 204);
    // non-UTF-8 bytes: InfluxDB stores the bytes as they are; the answer is 204 and the node keeps serving
    const raw = Buffer.concat([Buffer.from('utf,t='), Buffer.from([0xff, 0xfe]), Buffer.from(' v=1 1\n')]);
    t.is((await write(url, 'db', raw)).status, 204);
    // empty body
    t.is((await write(url, 'db', '')).status, 204);
    // unknown rp: 500
    const rp = await write(url, 'db', 'm v=1', { rp: 'nope' });
    t.is(rp.status, 500);
    t.deepEqual(JSON.parse(rp.text), { error: 'retention policy not found: nope' });
    // invalid consistency
    t.is((await write(url, 'db', 'm v=1', { consistency: 'bogus' })).status, 400);
    // still serving
    const ping = await request(`${url}/ping`);
    t.is(ping.statusCode, 204);
    t.truthy(ping.headers['x-influxdb-version']);
    // every response carries a request id (time-based UUID) in both headers, or echoes the client's
    const rid = String(ping.headers['request-id']);
    t.regex(rid, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    t.is(ping.headers['x-request-id'], rid);
    await ping.body.dump();
    const again = await request(`${url}/ping`);
    await again.body.dump();
    t.not(again.headers['request-id'], rid, 'a new id per request');
    const own = await request(`${url}/ping`, { headers: { 'Request-Id': 'my-id-1' } });
    await own.body.dump();
    t.is(own.headers['request-id'], 'my-id-1');
    const count = await query(url, 'SELECT count(v) FROM good', { db: 'db' });
    t.is(count.body.results[0].series[0].values[0][1], 1);
  } finally {
    await node.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('with [http] auth-enabled, /query and /write require credentials once an admin exists', async (t) => {
  const dir = await tempDir('auth');
  const node = await boot(dir, { http: { 'bind-address': '127.0.0.1:0', 'auth-enabled': true } });
  const url = `http://${node.httpAddress()}`;
  try {
    const first = await query(url, 'SHOW DATABASES');
    t.is(first.status, 403);
    t.regex(first.body.error, /create admin user first or disable authentication/);
    t.is((await query(url, "CREATE USER admin WITH PASSWORD 'pw' WITH ALL PRIVILEGES")).status, 200);
    const anon = await query(url, 'SHOW DATABASES');
    t.is(anon.status, 401);
    t.is(anon.body.error, 'unable to parse authentication credentials');
    const ok = await query(url, 'CREATE DATABASE d', { u: 'admin', p: 'pw' });
    t.is(ok.status, 200);
    const wrong = await query(url, 'SHOW DATABASES', { u: 'admin', p: 'nope' });
    t.is(wrong.status, 401);
    t.is(wrong.body.error, 'authorization failed');
    t.is((await write(url, 'd', 'm v=1')).status, 401);
    t.is((await write(url, 'd', 'm v=1', { u: 'admin', p: 'pw' })).status, 204);
    await query(url, "CREATE USER reader WITH PASSWORD 'r'", { u: 'admin', p: 'pw' });
    const denied = await write(url, 'd', 'm v=1', { u: 'reader', p: 'r' });
    t.is(denied.status, 403);
    t.deepEqual(JSON.parse(denied.text), { error: '"reader" user is not authorized to write to database "d"' });
  } finally {
    await node.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
