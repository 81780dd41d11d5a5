// Crash cycles: start the child (crash-child.js), let it acknowledge batches, SIGKILL it at a random
// moment, repeat on the same folder; then check that every acknowledged batch is there, whole.
//   node dist/test/plugins/tsdb-file/crash-run.js --cycles 100 [--seed 1]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_TIME, MIN_TIME, silentLogger } from '../../../core/index.js';
import { FileTSDBStore } from '../../../plugins/tsdb-file/index.js';
import { crashBatch } from './crash-data.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

/** Result of a crash run. */
export interface CrashRunResult {
  readonly cycles: number;
  readonly acked: number;
  /** Acknowledged batches missing or incomplete after recovery (must be empty). */
  readonly missing: number[];
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One child life: returns the ids it acknowledged before it was killed. */
async function life(dir: string, firstId: number, killAfterMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [CHILD, dir, String(firstId)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  let buffered = '';
  let timer: NodeJS.Timeout | undefined;
  let ready = false;
  // A child that never opens its store must fail the run, not hang it.
  const startTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') {
        ready = true;
        clearTimeout(startTimer);
        timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
      else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (timer !== undefined) clearTimeout(timer);
  clearTimeout(startTimer);
  if (!ready) throw new Error(`crash child did not open its store within 60 s: ${stderr}`);
  if (code !== null) throw new Error(`crash child exited by itself (code ${code}): ${stderr}`);
  return acked;
}

/** Runs `cycles` kill/restart cycles on a temp folder and verifies every acknowledged batch. */
export async function crashRun(cycles: number, seed = 1): Promise<CrashRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-crash-'));
  const rand = seeded(seed);
  const acked: number[] = [];
  try {
    for (let c = 0; c < cycles; c++) acked.push(...(await life(dir, c * 1_000_000, 30 + Math.floor(rand() * 400))));
    const store = new FileTSDBStore({ dir, logger: silentLogger() });
    await store.start();
    try {
      const reader = store.reader(1);
      const have = new Map<bigint, number>();
      for (let s = 0; s < 5; s++) {
        for (const b of reader.scan(`m,s=${s}`, 'v', MIN_TIME, MAX_TIME)) {
          const { times, values } = b.decode();
          for (let i = 0; i < times.length; i++) have.set(times[i]!, values[i] as number);
        }
      }
      const missing: number[] = [];
      for (const id of acked) {
        const expected = crashBatch(id);
        if (expected.some((p) => have.get(p.time) !== p.fields[0]![1])) missing.push(id);
      }
      return { cycles, acked: acked.length, missing };
    } finally {
      await store.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}


if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const result = await crashRun(opt('--cycles', 100), opt('--seed', 1));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.missing.length === 0 ? 0 : 1;
}
