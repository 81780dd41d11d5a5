// Memory of an aggregate query over many points: `SELECT mean(v) FROM m WHERE time > X GROUP BY time(1m)`
// over N points (default 10M) in tsdb-memory must add memory in proportion to the output buckets, not
// to the points scanned. Prints RSS before the query and the peak sampled while it runs.
//   npx tsc -p . && node --expose-gc dist/bench/query-memory.bench.js [points]
import { ShardMapper } from '../core/cluster/shard-mapper.js';
import { silentLogger } from '../core/logger.js';
import type { Point } from '../core/model/point.js';
import type { SelectStatement } from '../core/query/ast.js';
import { parseQuery } from '../core/query/parser.js';
import { executeSelect } from '../core/query/select/index.js';
import { MemoryMetaStore } from '../core/testing/memory-meta-store.js';
import { makePoint } from '../core/testing/points.js';
import { MemoryTSDBStore } from '../plugins/tsdb-memory/index.js';

const N = Number(process.argv[2] ?? 10_000_000);
const SERIES = 100;
const START = 1_577_836_800n * 1_000_000_000n;
const STEP = 1_000_000_000n; // 1 s between points of a series

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

const meta = new MemoryMetaStore({ address: '127.0.0.1:1' });
await meta.start();
await meta.createDatabase('bench');
const tsdb = new MemoryTSDBStore();
await tsdb.start();
const perSeries = Math.ceil(N / SERIES);
const t0 = Date.now();
const created = new Set<number>();
for (let from = 0; from < perSeries; from += 1000) {
  const byShard = new Map<number, Point[]>();
  for (let k = from; k < Math.min(perSeries, from + 1000); k++) {
    const time = START + BigInt(k) * STEP;
    for (let s = 0; s < SERIES; s++) {
      const g = await meta.createShardGroupIfNotExists('bench', '', time);
      const id = (g.shards[0] as { id: number }).id;
      if (!created.has(id)) {
        await tsdb.createShard('bench', 'autogen', id);
        created.add(id);
      }
      let list = byShard.get(id);
      if (list === undefined) byShard.set(id, (list = []));
      list.push(makePoint('m', { host: `h${s}` }, { v: (k % 100) + s / 10 }, time));
    }
  }
  for (const [id, ps] of byShard) await tsdb.writeToShard(id, ps);
}
const fillMs = Date.now() - t0;
gc();
const before = process.memoryUsage().rss;
let peak = before;
const sample = (): void => {
  const r = process.memoryUsage().rss;
  if (r > peak) peak = r;
};
const timer = setInterval(sample, 5);
const [stmt] = parseQuery(`SELECT mean(v) FROM m WHERE time > ${START - 1n} GROUP BY time(1m)`);
const q0 = Date.now();
let rows = 0;
for await (const s of executeSelect(stmt as SelectStatement, {
  db: 'bench',
  rp: '',
  meta,
  shardMapper: new ShardMapper(tsdb, meta),
  nowNs: START + BigInt(perSeries) * STEP,
  chunkSize: 1000,
  logger: silentLogger(),
})) {
  rows += s.values.length;
  sample();
}
sample();
clearInterval(timer);
const queryMs = Date.now() - q0;
console.log(
  JSON.stringify({
    points: perSeries * SERIES,
    series: SERIES,
    shards: created.size,
    fillMs,
    queryMs,
    outputRows: rows,
    rssBeforeQuery: mb(before),
    rssPeakDuringQuery: mb(peak),
    rssAdded: mb(peak - before),
  }),
);
await tsdb.stop();
await meta.stop();
