/**
 * One worker thread per store that writes snapshot segments, so encoding (the bulk of a snapshot's
 * CPU) runs beside the main thread. When the worker cannot start, segments are written in-thread.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/index.js';
import type { SegmentMeta } from './segment-format.js';
import { type SnapshotData, writeSnapshotSegment } from './snapshot-segment.js';

interface Pending {
  resolve(path: string | undefined): void;
  reject(err: Error): void;
}

/** The snapshot worker of a store (lazy; see module comment). */
export class SnapshotPool {
  #worker: Worker | undefined;
  #failed = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly logger: Logger) {}

  /** Writes a segment from `data`; resolves with its path (undefined when empty). */
  write(dir: string, meta: SegmentMeta, data: SnapshotData, maxBlockPoints: number): Promise<string | undefined> {
    const worker = this.#start();
    if (worker === undefined) return writeSnapshotSegment(dir, meta, data, maxBlockPoints, () => new Promise((r) => setImmediate(r)));
    const id = this.#nextId++;
    // Referenced while it has work, so the process does not exit under a pending snapshot.
    if (this.#pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, dir, meta, data, maxBlockPoints });
    });
  }

  #start(): Worker | undefined {
    if (this.#worker !== undefined || this.#failed) return this.#worker;
    try {
      const w = new Worker(new URL('./snapshot-worker.js', import.meta.url));
      w.unref();
      w.on('message', (m: { id: number; path?: string; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
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
