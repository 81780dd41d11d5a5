import type { DatabaseInfo, MetaData, RetentionPolicyInfo } from '../contracts/meta-store.js';
import { TesseraError, type ErrorCode } from '../errors.js';

/** What a command handler returns: the new state (before index/term are stamped) and an optional result. */
export interface HandlerOutcome {
  readonly data: MetaData;
  readonly result?: unknown;
}

/** A TesseraError with an InfluxDB-worded message (default: the catalog text). */
export function metaError(code: ErrorCode, message?: string): TesseraError {
  return new TesseraError(code, message);
}

/** "database not found: <name>", as InfluxDB words it. */
export function databaseNotFound(name: string): TesseraError {
  return metaError('ERR_META_DATABASE_NOT_FOUND', `database not found: ${name}`);
}

/** "retention policy not found: <name>", as InfluxDB words it. */
export function policyNotFound(name: string): TesseraError {
  return metaError('ERR_META_RP_NOT_FOUND', `retention policy not found: ${name}`);
}

/** Returns `data` with the database of the same name replaced by `db` (appended when new). */
export function putDatabase(data: MetaData, db: DatabaseInfo): MetaData {
  const i = data.databases.findIndex((d) => d.name === db.name);
  const databases = i < 0 ? [...data.databases, db] : data.databases.map((d, j) => (j === i ? db : d));
  return { ...data, databases };
}

/** Returns `db` with the policy named `oldName` replaced by `rp` (appended when absent). */
export function putPolicy(db: DatabaseInfo, oldName: string, rp: RetentionPolicyInfo): DatabaseInfo {
  const i = db.retentionPolicies.findIndex((p) => p.name === oldName);
  const retentionPolicies = i < 0 ? [...db.retentionPolicies, rp] : db.retentionPolicies.map((p, j) => (j === i ? rp : p));
  return { ...db, retentionPolicies };
}

/**
 * InfluxDB's ValidName for databases and policies: printable characters only, not empty, not "." or "..",
 * no slash or backslash.
 */
export function isValidName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name) && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(name);
}

/** Parses a decimal ns string from a command (validated by decodeCommand). */
export function ns(text: string | undefined): bigint | undefined {
  return text === undefined ? undefined : BigInt(text);
}
