import { TesseraError } from '../../errors.js';
import type { Point, Tag } from '../../model/point.js';
import { seriesKey } from '../../model/series-key.js';
import type { SelectStatement } from '../ast.js';
import type { Series } from '../result.js';
import type { SelectContext } from './context.js';
import { runSelect } from './execute.js';

export type { SelectContext, ShardMapperLike } from './context.js';
export { createLocalMapper } from './local-mapper.js';
export { SELECT_MAP_VERSION, encodeWire, decodeWire } from './map-request.js';
export type { SelectMapRequest, SelectMapChunk, AggSpec, PartialOp, AuxRef } from './map-request.js';
export { MemoryShardReader } from './memory-reader.js';

/**
 * Executes a SELECT: plans it, opens one mapper per shard (through ctx.shardMapper), merges their
 * chunks and yields the result series in InfluxDB 1.x order. A long series comes in consecutive
 * pieces of at most ctx.chunkSize rows, `partial: true` on all but its last piece; a caller that does
 * not stream concatenates pieces with the same name and tags. Time values are bigint ns.
 * Errors are TesseraError('ERR_QUERY_EXECUTION') with InfluxDB's message.
 * `SELECT ... INTO` writes through ctx.writePoints and yields the `result` series (`written`).
 */
export async function* executeSelect(stmt: SelectStatement, ctx: SelectContext): AsyncIterable<Series> {
  if (stmt.target !== null) {
    yield await selectInto(stmt, ctx);
    return;
  }
  for await (const s of runSelect(stmt, ctx)) yield s.series;
}

async function selectInto(stmt: SelectStatement, ctx: SelectContext): Promise<Series> {
  const target = stmt.target;
  if (target === null) throw new TypeError('not an INTO statement');
  if (ctx.writePoints === undefined) throw new TesseraError('ERR_QUERY_EXECUTION', 'SELECT INTO is not supported here');
  const db = target.measurement.database !== '' ? target.measurement.database : ctx.db;
  const rp = target.measurement.retentionPolicy !== '' ? target.measurement.retentionPolicy : ctx.rp;
  let written = 0;
  let batch: Point[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await ctx.writePoints?.(db, rp, batch);
    written += batch.length;
    batch = [];
  };
  for await (const { series } of runSelect({ ...stmt, target: null }, ctx)) {
    const measurement = target.measurement.name !== '' ? target.measurement.name : series.name;
    const baseTags: Tag[] = Object.entries(series.tags ?? {}).filter(([, v]) => v !== '');
    for (const row of series.values) {
      const tags: Tag[] = [...baseTags];
      const fields: Array<readonly [string, number | bigint | string | boolean]> = [];
      for (let i = 1; i < series.columns.length; i++) {
        const name = series.columns[i] as string;
        const v = row[i];
        if (v === null || v === undefined) continue;
        // As in InfluxDB, selected tags become fields of the target unless grouped by.
        fields.push([name, v]);
      }
      if (fields.length === 0) continue;
      tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      batch.push({ measurement, tags, fields, time: row[0] as bigint, key: seriesKey(measurement, tags) });
      if (batch.length >= 5000) await flush();
    }
  }
  await flush();
  return { name: 'result', columns: ['time', 'written'], values: [[0n, BigInt(written)]] };
}
