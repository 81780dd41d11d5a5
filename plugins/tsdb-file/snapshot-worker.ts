/**
 * Worker thread entry: writes snapshot segments and runs compactions off the main thread, one job at
 * a time. In: `{ id, kind: 'snapshot', dir, meta, data, maxBlockPoints }` or `{ id, kind: 'compact',
 * dir, inputs, tombstones, maxBlockPoints }`; out: `{ id, path }`, `{ id, error }`, or (during a
 * compaction) `{ id, corrupt }` reports of damaged blocks.
 */
import { parentPort } from 'node:worker_threads';
import { compactFiles } from './compactor.js';
import type { SegmentMeta } from './segment-format.js';
import { type SnapshotData, writeSnapshotSegment } from './snapshot-segment.js';
import type { TombstoneRecord } from './tombstones.js';

type Job =
  | {
      readonly id: number;
      readonly kind: 'snapshot';
      readonly dir: string;
      readonly meta: SegmentMeta;
      readonly data: SnapshotData;
      readonly maxBlockPoints: number;
    }
  | {
      readonly id: number;
      readonly kind: 'compact';
      readonly dir: string;
      readonly inputs: readonly string[];
      readonly tombstones: readonly TombstoneRecord[];
      readonly maxBlockPoints: number;
    };

const port = parentPort;
if (port !== null) {
  let queue = Promise.resolve();
  port.on('message', (job: Job) => {
    queue = queue.then(async () => {
      try {
        const path =
          job.kind === 'snapshot'
            ? await writeSnapshotSegment(job.dir, job.meta, job.data, job.maxBlockPoints)
            : await compactFiles(job.dir, job.inputs, job.tombstones, job.maxBlockPoints, (corrupt) =>
                port.postMessage({ id: job.id, corrupt }),
              );
        port.postMessage({ id: job.id, path });
      } catch (err) {
        port.postMessage({ id: job.id, error: (err as Error).message ?? String(err) });
      }
    });
  });
}
