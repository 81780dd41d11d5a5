// Manual measurement (not a test): node --expose-gc dist/test/plugins/tsdb-memory/measure.js [points] [series]
// Writes `points` points of one float field spread over `series` series in batches of 5000 (times in
// order per series), reports write rate (writeToShard time only), column bytes, heap/RSS growth, and
// the rate of a full scan; then the cost of the first read after one out-of-order batch.
import type { Point } from '../../../core/index.js';
import { MemoryTSDBStore } from '../../../plugins/tsdb-memory/index.js';

const total = Number(process.argv[2] ?? 10_000_000);
const seriesCount = Number(process.argv[3] ?? 1);
const BATCH = 5000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

const store = new MemoryTSDBStore();
await store.start();
await store.createShard('db', 'rp', 1);
const keys = Array.from({ length: seriesCount }, (_, i) => `cpu,host=h${i}`);
const tags = keys.map((_, i) => [['host', `h${i}`]] as const);
gc();
const before = process.memoryUsage();
let writeNs = 0n;
const batch: Point[] = new Array(BATCH);
for (let i = 0; i < total; i += BATCH) {
  const n = Math.min(BATCH, total - i);
  batch.length = n;
  for (let j = 0; j < n; j++) {
    const k = i + j;
    const s = k % seriesCount;
    batch[j] = { measurement: 'cpu', tags: tags[s]!, fields: [['v', k * 0.25]], time: 1_600_000_000_000_000_000n + BigInt(Math.floor(k / seriesCount)) * 10_000_000_000n, key: keys[s]! };
  }
  const t0 = process.hrtime.bigint();
  await store.writeToShard(1, batch);
  writeNs += process.hrtime.bigint() - t0;
}
batch.length = 0;
gc();
const after = process.memoryUsage();
const writeS = Number(writeNs) / 1e9;
console.log(`points=${total} series=${seriesCount}`);
console.log(`write: ${writeS.toFixed(2)} s in writeToShard, ${(total / writeS / 1e6).toFixed(2)} M points/s`);
console.log(`columns: ${mb(store.shardByteSize(1))} (${(store.shardByteSize(1) / total).toFixed(1)} B/point); heap+external+arrayBuffers growth: ${mb(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers)}; rss ${mb(after.rss)}`);

const reader = store.reader(1);
let t0 = process.hrtime.bigint();
let count = 0;
let sum = 0;
for (const key of keys) {
  for (const block of reader.scan(key, 'v', -(2n ** 62n), 2n ** 62n)) {
    const { values } = block.decode();
    const f = values as Float64Array;
    for (let i = 0; i < f.length; i++) sum += f[i]!;
    count += block.count;
  }
}
let s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`scan: ${count} points in ${s.toFixed(2)} s, ${(count / s / 1e6).toFixed(1)} M points/s (sum ${sum})`);

// One late batch into the first series, then the first read pays the merge.
const late: Point[] = [];
for (let j = 0; j < BATCH; j++) late.push({ measurement: 'cpu', tags: tags[0]!, fields: [['v', -1]], time: 1_600_000_000_000_000_000n + BigInt(j) * 20_000_000_000n + 5n, key: keys[0]! });
await store.writeToShard(1, late);
t0 = process.hrtime.bigint();
let n = 0;
for (const block of reader.scan(keys[0]!, 'v', -(2n ** 62n), 2n ** 62n)) n += block.count;
s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`first read after ${BATCH} out-of-order points into a ${Math.ceil(total / seriesCount)}-point series: ${(s * 1000).toFixed(0)} ms (${n} points)`);
await store.stop();
