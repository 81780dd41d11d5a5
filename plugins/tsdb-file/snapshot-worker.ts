/**
 * Worker thread entry: encodes and writes snapshot segments off the main thread, one job at a time.
 * Message in: `{ id, dir, meta, data, maxBlockPoints }`; out: `{ id, path }` or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import type { SegmentMeta } from './segment-format.js';
import { type SnapshotData, writeSnapshotSegment } from './snapshot-segment.js';

interface Job {
  readonly id: number;
  readonly dir: string;
  readonly meta: SegmentMeta;
  readonly data: SnapshotData;
  readonly maxBlockPoints: number;
}

const port = parentPort;
if (port !== null) {
  let queue = Promise.resolve();
  port.on('message', (job: Job) => {
    queue = queue.then(async () => {
      try {
        const path = await writeSnapshotSegment(job.dir, job.meta, job.data, job.maxBlockPoints);
        port.postMessage({ id: job.id, path });
      } catch (err) {
        port.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
      }
    });
  });
}
