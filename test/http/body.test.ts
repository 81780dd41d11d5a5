import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { BodyBuffers, BodyTooLargeError, readPooledBody } from '../../core/http/body.js';

/** A server on port 0 that reads each body with readPooledBody, hands it to `seen`, then releases it. */
async function server(pool: BodyBuffers, maxBytes: number, seen: (body: Buffer) => void) {
  const srv = http.createServer((req, res) => {
    readPooledBody(req, maxBytes, pool).then(
      (read) => {
        seen(Buffer.from(read.body));
        read.release();
        res.writeHead(204).end();
      },
      (err: Error) => res.writeHead(err instanceof BodyTooLargeError ? 413 : 400).end(),
    );
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(r)) };
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

test('bodies read into pooled buffers arrive whole, in any size, plain or gzip', async (t) => {
  const pool = new BodyBuffers(2);
  const got: Buffer[] = [];
  const s = await server(pool, 0, (b) => got.push(b));
  t.teardown(s.close);
  const sent = [bytes(300_000, 1), bytes(10, 2), bytes(150_000, 3), bytes(1_000_000, 4), bytes(70_000, 5)];
  for (const body of sent) {
    const r = await fetch(`${s.url}/`, { method: 'POST', body });
    t.is(r.status, 204);
  }
  const gz = bytes(200_000, 6);
  const r = await fetch(`${s.url}/`, { method: 'POST', body: gzipSync(gz), headers: { 'content-encoding': 'gzip' } });
  t.is(r.status, 204);
  t.deepEqual(got, [...sent, gz]);
});

test('a buffer given back is handed out again for a body it fits; the largest idle ones are kept', (t) => {
  const pool = new BodyBuffers(2);
  const a = pool.take(1000);
  pool.give(a);
  t.is(pool.take(500), a);
  t.not(pool.take(500), a, 'taken: not handed out twice');
  const small = pool.take(10);
  const big = pool.take(1_000_000);
  const mid = pool.take(200_000);
  pool.give(small);
  pool.give(big);
  pool.give(mid);
  t.is(pool.take(150_000), mid);
  t.is(pool.take(900_000), big);
  t.true(pool.take(10).length >= 10);
});

test('a pooled body over the limit is refused', async (t) => {
  const s = await server(new BodyBuffers(), 1000, () => undefined);
  t.teardown(s.close);
  const r = await fetch(`${s.url}/`, { method: 'POST', body: bytes(1001, 1) });
  t.is(r.status, 413);
  const ok = await fetch(`${s.url}/`, { method: 'POST', body: bytes(1000, 1) });
  t.is(ok.status, 204);
});
