// Whole-node tests with real child processes (server.ts), run serially.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { Agent, request } from 'undici';
import { devopsBatches } from '../../bench/devops-data.js';
import { query, SERVER_JS, startNode, tempDir, write } from './harness.js';

const TOY_PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/toy-tsdb/index.js');

test.serial('a bad config exits with code 2 and a message naming every bad key', async (t) => {
  const dir = await tempDir('badconf');
  const file = path.join(dir, 'bad.toml');
  await fs.writeFile(file, '[http]\nbind-adress = "x"\n[node]\nstart-timeout = "soon"\n[nonsense]\na = 1\n');
  const r = spawnSync(process.execPath, [SERVER_JS, '--config', file], { encoding: 'utf8', timeout: 30_000 });
  t.is(r.status, 2);
  t.regex(r.stderr, /http\.bind-adress: unknown key/);
  t.regex(r.stderr, /node\.start-timeout: must be a duration/);
  t.regex(r.stderr, /nonsense: unknown section/);
  const env = spawnSync(process.execPath, [SERVER_JS, '--config', path.join(dir, 'none.toml')], { encoding: 'utf8' });
  t.is(env.status, 2, 'a missing config file is a config error');
  const badEnv = spawnSync(process.execPath, [SERVER_JS], {
    encoding: 'utf8',
    env: { ...process.env, TESSERA_HTTP_MAX_BODY_SIZE: 'huge', TESSERA_NODE_DIR: dir },
  });
  t.is(badEnv.status, 2);
  t.regex(badEnv.stderr, /http\.max-body-size/);
  await fs.rm(dir, { recursive: true, force: true });
});

test.serial('100,000 points in batches of 5,000, then a restart: SHOW DATABASES still lists the database', async (t) => {
  const dir = await tempDir('restart');
  let node = await startNode({ dir, extraToml: '[plugins]\ntsdb = "tsdb-memory"\n' });
  try {
    t.is((await query(node.url, 'CREATE DATABASE bench')).status, 200);
    const agent = new Agent({ connections: 2 });
    let batches = 0;
    for (const body of devopsBatches({ hosts: 100, points: 1000, batch: 5000, seed: 7 })) {
      const r = await request(`${node.url}/write?db=bench&precision=s`, { method: 'POST', body, dispatcher: agent });
      await r.body.dump();
      t.is(r.statusCode, 204);
      batches++;
    }
    await agent.close();
    t.is(batches, 20);
    const count = await query(node.url, 'SELECT count(usage_user) FROM cpu', { db: 'bench' });
    t.is(count.body.results[0].series[0].values[0][1], 100_000);
    t.is(await node.stop(), 0, 'SIGTERM stops the node cleanly');
    node = await startNode({ dir, httpPort: node.httpPort, clusterPort: node.clusterPort, extraToml: '[plugins]\ntsdb = "tsdb-memory"\n' });
    const dbs = await query(node.url, 'SHOW DATABASES');
    t.deepEqual(dbs.body.results[0].series[0].values, [['bench']]);
    const after = await query(node.url, 'SELECT count(usage_user) FROM cpu', { db: 'bench' });
    t.deepEqual(after.body.results[0], { statement_id: 0 }, 'tsdb-memory is not persistent, by design');
  } finally {
    await node.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.serial('with the default tsdb-file, data written before a restart is there after it', async (t) => {
  const dir = await tempDir('filerestart');
  let node = await startNode({ dir });
  try {
    await query(node.url, 'CREATE DATABASE keep');
    t.is((await write(node.url, 'keep', 'm,h=a v=1i 1\nm,h=b v=2i 2\nm,h=a s="x" 3\n')).status, 204);
    t.is(await node.stop(), 0);
    node = await startNode({ dir, httpPort: node.httpPort, clusterPort: node.clusterPort });
    const r = await query(node.url, 'SELECT * FROM m', { db: 'keep', epoch: 'ns' });
    t.deepEqual(r.body.results[0].series[0].values, [
      [1, 'a', null, 1],
      [2, 'b', null, 2],
      [3, 'a', 'x', null],
    ]);
  } finally {
    await node.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.serial('a third-party TSDBStore plugin swaps in by config alone', async (t) => {
  const dir = await tempDir('toy');
  const node = await startNode({ dir, extraToml: `[plugins]\ntsdb = "${TOY_PLUGIN}"\n` });
  try {
    await query(node.url, 'CREATE DATABASE toy');
    t.is((await write(node.url, 'toy', 'm,host=a v=1 1\nm,host=b v=2 2\n')).status, 204);
    const r = await query(node.url, 'SELECT * FROM m', { db: 'toy', epoch: 'ns' });
    t.deepEqual(r.body.results[0].series[0].values, [
      [1, 'a', 1],
      [2, 'b', 2],
    ]);
  } finally {
    await node.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.serial('SIGTERM drains an in-flight write before the node exits', async (t) => {
  const dir = await tempDir('drain');
  const node = await startNode({ dir });
  try {
    await query(node.url, 'CREATE DATABASE d');
    // A raw HTTP request whose body is sent in two parts: the signal arrives between them, while the
    // request is in flight (accepted and being read by the server).
    const net = await import('node:net');
    const sock = net.connect(node.httpPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    let answer = '';
    sock.on('data', (d) => (answer += d));
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    const body1 = 'm v=1 1\n';
    const body2 = 'm v=2 2\n';
    sock.write(`POST /write?db=d HTTP/1.1\r\nHost: x\r\nContent-Length: ${body1.length + body2.length}\r\n\r\n${body1}`);
    await new Promise((r) => setTimeout(r, 1500)); // generous: the server has accepted and is reading
    node.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    t.is(node.child.exitCode, null, 'the node waits for the in-flight request');
    sock.write(body2);
    await closed;
    t.regex(answer, /^HTTP\/1\.1 204/, 'the in-flight write completes');
    // No second signal: the node finishes its orderly stop and exits 0 by itself.
    t.deepEqual(await node.exited, { code: 0, signal: null }, node.output());
  } finally {
    await node.stop('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});
