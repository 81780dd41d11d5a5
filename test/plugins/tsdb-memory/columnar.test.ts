import test from 'ava';
import type { Point } from '../../../core/index.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

test('a float field costs about 16 bytes per point (columnar, no object per point)', async (t) => {
  const store = new MemoryTSDBStore();
  await store.start();
  t.teardown(() => store.stop());
  await store.createShard('db', 'rp', 1);
  const n = 300_000;
  const batch: Point[] = [];
  for (let i = 0; i < n; i++) {
    batch.push({ measurement: 'cpu', tags: [['host', 'a']], fields: [['v', i * 0.5]], time: BigInt(i) * 1_000_000_000n, key: 'cpu,host=a' });
    if (batch.length === 5000) {
      await store.writeToShard(1, batch);
      batch.length = 0;
    }
  }
  const bytes = store.shardByteSize(1);
  t.log(`${n} points: ${bytes} bytes of columns, ${(bytes / n).toFixed(1)} B/point`);
  t.true(bytes >= n * 16, 'times and values are both held');
  t.true(bytes <= n * 16 * 1.6, 'growth slack stays under 60%');
});
