/**
 * One worker thread per store that writes snapshot segments and runs compactions, so encoding and
 * merging (the bulk of the storage engine's CPU) run beside the main thread. When the worker cannot
 * start, callers fall back to doing the work in-thread.
 */
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/index.js';
import type { SegmentMeta } from './segment-format.js';
import { type SnapshotData, writeSnapshotSegment } from './snapshot-segment.js';
import type { TombstoneRecord } from './tombstones.js';

/** A damaged block met by a compaction in the worker. */
export interface CorruptReport {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly err: string;
}

/**
 * Young generation of the worker, MiB. Its objects are short-lived block buffers; a big young
 * generation only holds memory (the node runs with `--max-semi-space-size=32` for the main thread).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** `--max-semi-space-size` given to this process (command line or NODE_OPTIONS), or undefined. */
function semiSpaceFlag(): string | undefined {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.replaceAll('_', '-');
    if (a.startsWith('--max-semi-space-size=')) return a.slice('--max-semi-space-size='.length);
    if (a === '--max-semi-space-size' && args[i + 1] !== undefined) return args[i + 1];
  }
  return undefined;
}

/**
 * Starts the worker with a small young generation. V8 lets a process-wide `--max-semi-space-size`
 * override the worker's `resourceLimits`, so that flag is cleared while the worker's heap is set up
 * (the main heap is already configured and keeps its size) and restored once the worker runs.
 */
function startWorker(url: URL): Worker {
  const flag = semiSpaceFlag();
  if (flag === undefined) return new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  v8.setFlagsFromString('--max-semi-space-size=0');
  let w: Worker;
  try {
    w = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  } catch (err) {
    v8.setFlagsFromString(`--max-semi-space-size=${flag}`);
    throw err;
  }
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    v8.setFlagsFromString(`--max-semi-space-size=${flag}`);
  };
  w.once('online', restore);
  w.once('error', restore);
  w.once('exit', restore);
  return w;
}

interface Pending {
  resolve(path: string | undefined): void;
  reject(err: Error): void;
  onCorrupt?: (report: CorruptReport) => void;
}

/** The snapshot worker of a store (lazy; see module comment). */
export class SnapshotPool {
  #worker: Worker | undefined;
  #failed = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly logger: Logger) {}

  /**
   * Writes a segment from `data` (its arrays on shared memory are shared with the worker, not copied);
   * resolves with its path (undefined when empty).
   */
  write(dir: string, meta: SegmentMeta, data: SnapshotData, maxBlockPoints: number): Promise<string | undefined> {
    const worker = this.#start();
    if (worker === undefined) return writeSnapshotSegment(dir, meta, data, maxBlockPoints, () => new Promise((r) => setImmediate(r)));
    return this.#post(worker, { kind: 'snapshot', dir, meta, data, maxBlockPoints });
  }

  /**
   * Compacts the segments at `inputs` in the worker; resolves with the output path (undefined when
   * nothing survived), or with `undefined` for `inWorker` when the worker is unavailable (the caller
   * then compacts in-thread).
   */
  compact(
    dir: string,
    inputs: readonly string[],
    tombstones: readonly TombstoneRecord[],
    maxBlockPoints: number,
    onCorrupt: (report: CorruptReport) => void,
  ): { inWorker: false } | { inWorker: true; done: Promise<string | undefined> } {
    const worker = this.#start();
    if (worker === undefined) return { inWorker: false };
    return { inWorker: true, done: this.#post(worker, { kind: 'compact', dir, inputs, tombstones, maxBlockPoints }, onCorrupt) };
  }

  #post(worker: Worker, job: Record<string, unknown>, onCorrupt?: (report: CorruptReport) => void): Promise<string | undefined> {
    const id = this.#nextId++;
    // Referenced while it has work, so the process does not exit under a pending job.
    if (this.#pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, onCorrupt === undefined ? { resolve, reject } : { resolve, reject, onCorrupt });
      worker.postMessage({ id, ...job });
    });
  }

  #start(): Worker | undefined {
    if (this.#worker !== undefined || this.#failed) return this.#worker;
    try {
      const w = startWorker(new URL('./snapshot-worker.js', import.meta.url));
      w.unref();
      w.on('message', (m: { id: number; path?: string; error?: string; corrupt?: CorruptReport }) => {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        if (m.corrupt !== undefined) {
          p.onCorrupt?.(m.corrupt);
          return;
        }
        this.#pending.delete(m.id);
        if (this.#pending.size === 0) w.unref();
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.path ?? undefined);
      });
      w.on('error', (err) => this.#fail(err));
      w.on('exit', (code) => {
        if (this.#worker === w) this.#fail(new Error(`snapshot worker exited with code ${code}`));
      });
      this.#worker = w;
      return w;
    } catch (err) {
      this.logger.warn({ err }, 'snapshot worker unavailable: snapshots run on the main thread');
      this.#failed = true;
      return undefined;
    }
  }

  #fail(err: Error): void {
    this.#worker = undefined;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /** Stops the worker (after the caller waited for its jobs). */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
    this.#fail(new Error('snapshot pool closed'));
  }
}
