// Child process of the crash test: opens a tsdb-file store on argv[2], writes batches with ids from
// argv[3] upward (forever), and prints `ack <id>` after each acknowledged batch. The parent kills it
// with SIGKILL at a random moment. A tiny snapshot size makes snapshots and compactions run all the
// time, so kills land inside them too.
import { silentLogger } from '../../../core/index.js';
import { FileTSDBStore } from '../../../plugins/tsdb-file/index.js';
import { crashBatch } from './crash-data.js';

const dir = process.argv[2]!;
let id = Number(process.argv[3]);
const store = new FileTSDBStore({ dir, logger: silentLogger(), cacheSnapshotBytes: 64 * 1024, compactionThreshold: 2 });
await store.start();
await store.createShard('crash', 'autogen', 1);
process.stdout.write('ready\n');
for (;;) {
  await store.writeToShard(1, crashBatch(id));
  process.stdout.write(`ack ${id}\n`);
  id++;
}
