// Memory of an aggregate query over many points: `SELECT mean(v) FROM m WHERE time > X GROUP BY time(1m)`
// over N points (default 10M) in tsdb-memory must add memory in proportion to the output buckets, not
// to the points scanned. Prints RSS before the query and the peak sampled while it runs.
//   npx tsc -p . && node --expose-gc dist/bench/query-memory.bench.js [points]
import { ShardMapper } from '../core/cluster/shard-mapper.js';
import { silentLogger } from '../core/logger.js';
import type { ShardReader } from '../core/contracts/tsdb-store.js';
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
for (const interval of ['1m', '1s']) {
  gc();
  const before = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = before;
  let heapPeak = heapBefore;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peak) peak = m.rss;
    if (m.heapUsed > heapPeak) heapPeak = m.heapUsed;
  };
  const timer = setInterval(sample, 5);
  // The mapper works synchronously between chunks, so timers rarely fire: also sample from inside
  // the scan, every 64 blocks read, through a reader that wraps the store's own.
  let blocks = 0;
  const sampledStore = {
    shardInfo: (id: number) => tsdb.shardInfo(id),
    reader: (id: number): ShardReader => {
      const r = tsdb.reader(id);
      return {
        measurements: () => r.measurements(),
        series: (m) => r.series(m),
        fields: (m) => r.fields(m),
        *scan(key, field, tmin, tmax) {
          for (const b of r.scan(key, field, tmin, tmax)) {
            if ((++blocks & 63) === 0) sample();
            yield b;
          }
        },
      };
    },
  };
  const [stmt] = parseQuery(`SELECT mean(v) FROM m WHERE time > ${START - 1n} GROUP BY time(${interval})`);
  const q0 = Date.now();
  let rows = 0;
  for await (const s of executeSelect(stmt as SelectStatement, {
    db: 'bench',
    rp: '',
    meta,
    shardMapper: new ShardMapper(sampledStore, meta),
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
      query: `mean(v) GROUP BY time(${interval})`,
      points: perSeries * SERIES,
      series: SERIES,
      fillMs,
      queryMs,
      outputRows: rows,
      blocksScanned: blocks,
      rssBeforeQuery: mb(before),
      rssPeakDuringQuery: mb(peak),
      rssAdded: mb(peak - before),
      heapUsedBeforeQuery: mb(heapBefore),
      heapUsedPeakDuringQuery: mb(heapPeak),
    }),
  );
}
await tsdb.stop();
await meta.stop();
