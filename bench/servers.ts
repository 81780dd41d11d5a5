// Starting and measuring the systems under test: a Tessera node (dist/server.js) and, when installed, a
// reference InfluxDB (influxd), each in a fresh temp directory on free loopback ports.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_JS = path.resolve(HERE, '../server.js');

export interface ServerUnderTest {
  readonly name: 'tessera' | 'influxdb';
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRssBytes(): number;
  /** Current RSS, bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout.trim()) || 100;
})();

/** utime + stime of a process, seconds (Linux /proc). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

function statusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function waitForPing(url: string, child: ChildProcess, log: () => string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before ready:\n${log()}`);
    try {
      const r = await request(`${url}/ping`);
      await r.body.dump();
      if (r.statusCode === 204) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready within ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function wrap(name: ServerUnderTest['name'], child: ChildProcess, url: string, dataDir: string, root: string): ServerUnderTest {
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    url,
    pid,
    dataDir,
    cpuSeconds: () => processCpuSeconds(pid),
    peakRssBytes: () => statusKb(pid, 'VmHWM'),
    rssBytes: () => statusKb(pid, 'VmRSS'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
      await fsp.rm(root, { recursive: true, force: true });
    },
  };
}

/** Node flags a Tessera node runs with (as `npm start`): a young generation for the write path's short-lived points. */
export const TESSERA_NODE_ARGS: readonly string[] = ['--max-semi-space-size=32'];

/**
 * The environment of a Tessera node (as `npm start`): one glibc malloc arena. Otherwise the snapshot
 * worker and libuv's threads each get their own arena, whose freed memory stays resident (measured
 * on the DevOps ingest: peak RSS about 45 MiB lower, same CPU per point).
 */
export function tesseraEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1' };
}

/** A fresh Tessera node with tsdb-file (fsync on), default settings otherwise; `extraToml` is appended. */
export async function startTessera(extraToml = ''): Promise<ServerUnderTest> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'tessera-bench-'));
  const [http, cluster] = [await freePort(), await freePort()];
  const file = path.join(root, 'node.toml');
  await fsp.writeFile(
    file,
    `[node]\ndir = "${root}/data"\nlog-level = "warn"\n[http]\nbind-address = "127.0.0.1:${http}"\nmax-body-size = "100MiB"\n[cluster]\nbind-address = "127.0.0.1:${cluster}"\n[plugins]\ntsdb = "tsdb-file"\n${extraToml}\n`,
  );
  let out = '';
  const child = spawn(process.execPath, [...TESSERA_NODE_ARGS, SERVER_JS, '--config', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: tesseraEnv(),
  });
  child.stderr!.on('data', (d) => {
    if (out.length < 100_000) out += d;
  });
  const url = `http://127.0.0.1:${http}`;
  await waitForPing(url, child, () => out);
  return wrap('tessera', child, url, path.join(root, 'data'), root);
}

/** The path of influxd, or undefined when not installed. */
export function influxdPath(): string | undefined {
  for (const p of ['/usr/bin/influxd', '/usr/local/bin/influxd']) if (fs.existsSync(p)) return p;
  return undefined;
}

/**
 * A fresh InfluxDB (inmem index, WAL fsync on, full compaction 5 s after writes go cold). With
 * `coldSnapshot` its cache is also written to TSM files 5 s after the writes stop (default: 10 min), so
 * a storage figure counts every value (Tessera's storage figure compacts everything in-process).
 */
export async function startInfluxdb(options: { coldSnapshot?: boolean } = {}): Promise<ServerUnderTest> {
  const bin = influxdPath();
  if (!bin) throw new Error('influxd is not installed');
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'influx-bench-'));
  const [http, rpc] = [await freePort(), await freePort()];
  const conf = path.join(root, 'influxdb.conf');
  await fsp.writeFile(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpc}"`,
      '[meta]',
      `  dir = "${root}/meta"`,
      '[data]',
      `  dir = "${root}/data"`,
      `  wal-dir = "${root}/wal"`,
      '  index-version = "inmem"',
      '  query-log-enabled = false',
      ...(options.coldSnapshot === true ? ['  cache-snapshot-write-cold-duration = "5s"'] : []),
      '  compact-full-write-cold-duration = "5s"',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${http}"`,
      '  log-enabled = false',
      '  max-body-size = 0',
      '[continuous_queries]',
      '  enabled = false',
      '[subscriber]',
      '  enabled = false',
      '[logging]',
      '  level = "error"',
      '  suppress-logo = true',
      '',
    ].join('\n'),
  );
  let out = '';
  const child = spawn(bin, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => {
    if (out.length < 100_000) out += d;
  });
  const url = `http://127.0.0.1:${http}`;
  await waitForPing(url, child, () => out);
  return wrap('influxdb', child, url, path.join(root, 'data'), root);
}

/** Total bytes of regular files under a directory. */
export async function dirBytes(dir: string, filter: (file: string) => boolean = () => true): Promise<number> {
  let total = 0;
  const walk = async (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && filter(p)) total += (await fsp.stat(p)).size;
    }
  };
  await walk(dir);
  return total;
}
