import type { MetaStore } from '../contracts/meta-store.js';
import type { Measurement, SelectStatement, Source } from './ast.js';

/**
 * InfluxDB's statement normalization for printing: every measurement of a SELECT (sources, subqueries,
 * INTO target) gets a database (its own, else `db`) and a retention policy (its own, else `rp`, else
 * its database's default). Unknown databases are left without a policy.
 */
export function normalizeSelect(s: SelectStatement, db: string, rp: string, meta: Pick<MetaStore, 'database'>): SelectStatement {
  const qualify = (m: Measurement): Measurement => {
    const database = m.database !== '' ? m.database : db;
    const policy = m.retentionPolicy !== '' ? m.retentionPolicy : rp !== '' ? rp : (meta.database(database)?.defaultRetentionPolicy ?? '');
    return { ...m, database, retentionPolicy: policy };
  };
  const sources: Source[] = s.sources.map((src) => (src.kind === 'Measurement' ? qualify(src) : { ...src, statement: normalizeSelect(src.statement, db, rp, meta) }));
  const target = s.target === null ? null : { measurement: qualify(s.target.measurement) };
  return { ...s, sources, target };
}
