import test from 'ava';
import { makePoint } from '../../../core/testing/index.js';
import { Wal } from '../../../plugins/tsdb-file/wal.js';
import { encodeWrite } from '../../../plugins/tsdb-file/wal-codec.js';
import { capturingLogger, tempDir } from './helpers.js';

const record = (i: number) => encodeWrite([makePoint('m', { w: String(i % 2) }, { v: i }, BigInt(i))]);

// Regression: drain() waited until the flush loop went idle, which never happens while writers keep
// appending during each flush; every snapshot then waited for a lull in the load.
test('drain settles once the records appended before it are durable, while other writers keep appending', async (t) => {
  const wal = new Wal(await tempDir(t), 1, true, capturingLogger().logger);
  let stop = false;
  let appended = 0;
  const writer = async (w: number) => {
    for (let i = w; !stop; i += 2) {
      await wal.append(record(i));
      appended++;
    }
  };
  const writers = [writer(0), writer(1)];
  while (appended < 10) await new Promise((r) => setTimeout(r, 5));
  const before = wal.stats.appends;
  let drained = false;
  const drain = wal.drain().then(() => (drained = true));
  // a generous bound: with the old behaviour drain never settled while the writers ran
  const deadline = Date.now() + 30_000;
  while (!drained && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const settledUnderLoad = drained;
  stop = true;
  await Promise.all([...writers, drain]);
  t.true(settledUnderLoad, 'drain settled while appends continued');
  t.true(wal.stats.appends > before, 'appends went on meanwhile');
  await wal.close();
});

test('drain waits for a record appended just before it', async (t) => {
  const wal = new Wal(await tempDir(t), 1, true, capturingLogger().logger);
  let durable = false;
  const p = wal.append(record(1)).then(() => (durable = true));
  await wal.drain();
  t.true(durable);
  await p;
  await wal.close();
});
