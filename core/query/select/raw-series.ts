import type { Mapper } from '../../contracts/mapper.js';
import { unparen, type SelectStatement } from '../ast.js';
import type { Series, Value } from '../result.js';
import type { SelectContext } from './context.js';
import { evalExpr } from './eval.js';
import { newTransformState, transformStep, type TransformState } from './functions.js';
import type { RawRow } from './map-request.js';
import type { RawPlan } from './plan.js';
import { reduceMappers } from './reducer.js';
import { castValue, pieces, tagsRecord, type ReadTarget, type SeriesOut } from './series-out.js';

/** Streams the series of a raw query over one measurement: merged rows, projected, limited, in pieces. */
export async function* rawSeries(
  target: ReadTarget,
  dimKeys: readonly string[],
  plan: RawPlan,
  mappers: Mapper[],
  stmt: SelectStatement,
  ctx: SelectContext,
  ascending: boolean,
  allowed: ReadonlySet<string> | null,
): AsyncGenerator<SeriesOut> {
  const columns = ['time', ...plan.columns.map((c) => c.name)];
  const tagColumns = new Set<string>();
  plan.columns.forEach((c) => {
    const u = unparen(c.expr);
    if (u.kind === 'VarRef' && c.transform === null) {
      const ref = plan.refs[Number(u.name.slice(1))];
      if (ref?.kind === 'tag') tagColumns.add(c.name);
    }
  });
  let key: string | null = null;
  let emit = false;
  let base: Omit<Series, 'values'> = { name: target.name, columns };
  let buf: Value[][] = [];
  let seen = 0;
  let states: TransformState[] = [];
  let started = false;
  const chunk = Math.max(1, ctx.chunkSize);
  // Plain column references (no cast, no math) are copied straight from the row.
  const directIdx = plan.columns.map((c) => {
    const u = unparen(c.expr);
    return u.kind === 'VarRef' && (u.dataType === '' || u.dataType === 'field' || u.dataType === 'tag') ? 1 + Number(u.name.slice(1)) : -1;
  });
  let row: RawRow = [0n];
  const get = (name: string, dataType: string): Value => castValue(row[1 + Number(name.slice(1))] as Value, dataType);
  // Equal times across shards: string aux values in name order decide, as in InfluxDB's merge.
  const auxOrder = plan.refs
    .map((r, i) => ({ name: r.name, i }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .map((x) => 1 + x.i);
  const tieLess = (a: RawRow, b: RawRow): boolean => {
    for (const i of auxOrder) {
      const v1 = a[i];
      const v2 = b[i];
      if (typeof v1 !== 'string' || typeof v2 !== 'string') return false;
      if (v1 === v2) continue;
      return ascending ? v1 < v2 : v1 > v2;
    }
    return false;
  };
  for await (const batch of reduceMappers(mappers, null, ascending, 1024, ascending, tieLess)) {
    if (batch.key !== key) {
      if (key !== null && emit && buf.length + (started ? 1 : 0) > 0) {
        for (const s of pieces(base, buf, chunk, true)) yield { series: s, tagColumns };
      }
      key = batch.key;
      emit = allowed === null || allowed.has(batch.key);
      const tags = tagsRecord(dimKeys, batch.tags);
      base = tags === undefined ? { name: target.name, columns } : { name: target.name, tags, columns };
      buf = [];
      seen = 0;
      started = false;
      states = plan.columns.map(() => newTransformState());
    }
    if (!emit) continue;
    for (const r of batch.rows as RawRow[]) {
      row = r;
      const out: Value[] = [row[0]];
      let keep = true;
      for (let c = 0; c < plan.columns.length; c++) {
        const col = plan.columns[c] as RawPlan['columns'][number];
        const direct = directIdx[c] as number;
        let v = direct >= 0 ? ((row[direct] as Value) ?? null) : (evalExpr(col.expr, get) ?? null);
        if (col.transform !== null) {
          const t = transformStep(col.transform.fn, states[c] as TransformState, row[0], v, col.transform.unit, col.transform.n);
          if (t === undefined) keep = false;
          v = t ?? null;
        }
        out.push(v);
      }
      if (!keep) continue;
      seen++;
      if (seen <= stmt.offset) continue;
      if (stmt.limit > 0 && seen > stmt.offset + stmt.limit) continue;
      buf.push(out);
      if (buf.length >= chunk) {
        for (const s of pieces(base, buf, chunk, false)) yield { series: s, tagColumns };
        buf = [];
        started = true;
      }
    }
  }
  if (key !== null && emit && (buf.length > 0 || started)) {
    if (buf.length > 0) for (const s of pieces(base, buf, chunk, true)) yield { series: s, tagColumns };
    else yield { series: { ...base, values: [] }, tagColumns };
  }
}

