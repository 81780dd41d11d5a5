import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

/** dist/server.js, found from this compiled file (dist/test/integration/harness.js). */
export const SERVER_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server.js');

/** A free TCP port on loopback (bound then released: pick before writing configs). */
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

/** A fresh temp directory. */
export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `tessera-${prefix}-`));
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly httpPort: number;
  readonly clusterPort: number;
  readonly configFile: string;
  readonly dir: string;
  /** stderr + stdout collected so far. */
  output(): string;
  /** Resolves when the process exits, with its exit code and the signal that ended it (if any). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (or the given signal) and wait for exit; resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Writes a config file (free ports, data under `dir`) and starts `node dist/server.js --config FILE`;
 * resolves once /ping answers 204 (waits generously).
 */
export async function startNode(options: {
  dir: string;
  extraToml?: string;
  env?: NodeJS.ProcessEnv;
  httpPort?: number;
  clusterPort?: number;
  waitMs?: number;
}): Promise<NodeProcess> {
  const httpPort = options.httpPort ?? (await freePort());
  const clusterPort = options.clusterPort ?? (await freePort());
  await fs.mkdir(options.dir, { recursive: true });
  const configFile = path.join(options.dir, 'node.toml');
  const toml = `[node]\ndir = "${path.join(options.dir, 'data')}"\nlog-level = "warn"\n\n[http]\nbind-address = "127.0.0.1:${httpPort}"\n\n[cluster]\nbind-address = "127.0.0.1:${clusterPort}"\n\n${options.extraToml ?? ''}\n`;
  await fs.writeFile(configFile, toml);
  const child = spawn(process.execPath, ['--enable-source-maps', '--max-semi-space-size=32', SERVER_JS, '--config', configFile], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exitedWith = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = exitedWith.then((r) => r.code);
  const url = `http://127.0.0.1:${httpPort}`;
  const node: NodeProcess = {
    child,
    url,
    httpPort,
    clusterPort,
    configFile,
    dir: options.dir,
    output: () => out,
    exited: exitedWith,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode} before ready:\n${out}`);
    try {
      const r = await request(`${url}/ping`);
      await r.body.dump();
      if (r.statusCode === 204) return node;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await node.stop('SIGKILL');
      throw new Error(`node not ready within ${options.waitMs ?? 30_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST /query with q in the URL; returns status and parsed JSON. */
export async function query(url: string, q: string, params: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const u = new URL('/query', url);
  u.searchParams.set('q', q);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const r = await request(u, { method: 'POST' });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : undefined };
}

/** POST /write; returns status and body text. */
export async function write(url: string, db: string, body: string | Buffer, params: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const u = new URL('/write', url);
  u.searchParams.set('db', db);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const r = await request(u, { method: 'POST', body, headers });
  return { status: r.statusCode, text: await r.body.text(), headers: r.headers };
}
