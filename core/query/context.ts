import type { MetaStore } from '../contracts/meta-store.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { DatabaseInfo, UserInfo } from '../contracts/meta-store.js';

/** What statement handlers get: the stores and the request's options. */
export interface StatementContext {
  readonly meta: MetaStore;
  readonly tsdb: TSDBStore;
  readonly logger: Logger;
  /** The request's `db` ('' = none). */
  readonly db: string;
  /** The request's `rp` ('' = the database's default). */
  readonly rp: string;
  readonly nowNs: bigint;
  readonly chunkSize: number;
  readonly readOnly: boolean;
  /** The authenticated user when authentication is on. */
  readonly user?: UserInfo;
}

/** A statement failure reported in `results[i].error` with InfluxDB's text. */
export function statementError(message: string): TesseraError {
  return new TesseraError('ERR_QUERY_EXECUTION', message);
}

/** The database a statement works on: its own `ON db`, else the request's; '' is `database name required`. */
export function databaseName(stmtDb: string, ctx: StatementContext): string {
  const name = stmtDb !== '' ? stmtDb : ctx.db;
  if (name === '') throw statementError('database name required');
  return name;
}

/** The database's meta info, or `database not found: <name>`. */
export function requireDatabase(ctx: StatementContext, name: string): DatabaseInfo {
  const db = ctx.meta.database(name);
  if (db === undefined) throw statementError(`database not found: ${name}`);
  return db;
}

/**
 * The retention policy a per-policy statement reads (SHOW FIELD KEYS, exact cardinalities): the
 * request's `rp`, else the database's default. An unknown `rp` is `retention policy not found: <rp>`.
 */
export function requestPolicy(ctx: StatementContext, db: DatabaseInfo): string {
  if (ctx.rp === '') return db.defaultRetentionPolicy;
  if (!db.retentionPolicies.some((p) => p.name === ctx.rp)) throw statementError(`retention policy not found: ${ctx.rp}`);
  return ctx.rp;
}
