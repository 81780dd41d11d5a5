import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { request } from 'undici';
import { authenticate, authorizeWrite, sendAuthError } from '../../core/http/auth.js';
import { setup } from '../query/exec/harness.js';

function jwt(claims: Record<string, unknown>, secret: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

test('authentication: open until an admin exists, then u/p, Basic or a JWT bearer token, with InfluxDB texts', async (t) => {
  const env = await setup();
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const r = authenticate(req, url, env.meta, { sharedSecret: url.searchParams.get('secret') ?? '' });
    if (!r.ok) return sendAuthError(res, r.error);
    res.end(r.user?.name ?? '(none)');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const r = await request(base + path, { headers });
    return { status: r.statusCode, body: await r.body.text(), www: r.headers['www-authenticate'] };
  };
  try {
    t.is((await call('/')).body, '(none)');
    await env.json(`CREATE USER adm WITH PASSWORD 'Secret-1' WITH ALL PRIVILEGES`);
    await env.json(`CREATE USER bob WITH PASSWORD 'bob_pw'`);
    const none = await call('/');
    t.is(none.status, 401);
    t.is(none.body, '{"error":"unable to parse authentication credentials"}\n');
    t.is(none.www, 'Basic realm="InfluxDB"');
    t.is((await call('/?u=bob&p=bob_pw')).body, 'bob');
    t.is((await call('/?u=bob&p=nope')).body, '{"error":"authorization failed"}\n');
    t.is((await call('/?u=nobody&p=x')).body, '{"error":"authorization failed"}\n');
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    t.is((await call('/', basic('adm', 'Secret-1'))).body, 'adm');
    t.is((await call('/', basic('adm', 'wrong'))).body, '{"error":"authorization failed"}\n');
    t.is((await call('/', { authorization: 'Bearer abc.def.ghi' })).body, '{"error":"bearer auth disabld"}\n');
    const future = Math.floor(Date.now() / 1000) + 3600;
    t.is((await call('/?secret=s3', { authorization: `Bearer ${jwt({ username: 'bob', exp: future }, 's3')}` })).body, 'bob');
    t.is((await call('/?secret=s3', { authorization: `Bearer ${jwt({ username: 'bob', exp: future }, 'other')}` })).body, '{"error":"signature is invalid"}\n');
    t.is((await call('/?secret=s3', { authorization: `Bearer ${jwt({ username: 'bob', exp: 1 }, 's3')}` })).body, '{"error":"Token is expired"}\n');
    t.is((await call('/?secret=s3', { authorization: `Bearer ${jwt({ username: 'bob' }, 's3')}` })).body, '{"error":"token expiration required"}\n');
    t.is((await call('/?secret=s3', { authorization: `Bearer ${jwt({ username: 'ghost', exp: future }, 's3')}` })).body, '{"error":"user not found"}\n');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await env.close();
  }
});

test('write authorization texts', async (t) => {
  const env = await setup();
  try {
    await env.json('CREATE DATABASE db');
    await env.json(`CREATE USER bob WITH PASSWORD 'x'`);
    await env.json('GRANT READ ON db TO bob');
    const bob = () => env.meta.data().users.find((u) => u.name === 'bob');
    t.is(authorizeWrite(undefined, 'db'), 'user is required to write to database "db"');
    t.is(authorizeWrite(bob(), 'db'), '"bob" user is not authorized to write to database "db"');
    await env.json('GRANT ALL ON db TO bob');
    t.is(authorizeWrite(bob(), 'db'), undefined);
  } finally {
    await env.close();
  }
});
