import type { DatabaseInfo, MetaData, RetentionPolicyInfo } from '../contracts/meta-store.js';
import type { RetentionPolicySpecJson, RetentionPolicyUpdateJson } from './commands.js';
import { MIN_RETENTION_POLICY_DURATION_NS, normaliseShardGroupDuration } from './durations.js';
import { findDatabase, policyOf } from './meta-data.js';
import {
  databaseNotFound,
  isValidName,
  metaError,
  ns,
  policyNotFound,
  putDatabase,
  putPolicy,
  type HandlerOutcome,
} from './update-helpers.js';

/** The name CREATE DATABASE gives its policy unless `WITH ... NAME` says otherwise. */
export const DEFAULT_POLICY_NAME = 'autogen';

function checkDurationFloor(durationNs: bigint | undefined): void {
  if (durationNs !== undefined && durationNs !== 0n && durationNs < MIN_RETENTION_POLICY_DURATION_NS) {
    throw metaError('ERR_META_RP_DURATION_TOO_LOW');
  }
}

/** The policy a spec describes on top of InfluxDB's defaults (autogen, replication 1, infinite). */
function policyFromSpec(spec: RetentionPolicySpecJson): RetentionPolicyInfo {
  const durationNs = ns(spec.durationNs) ?? 0n;
  return {
    name: spec.name === '' ? DEFAULT_POLICY_NAME : spec.name,
    replicaN: spec.replicaN ?? 1,
    durationNs,
    shardGroupDurationNs: normaliseShardGroupDuration(ns(spec.shardGroupDurationNs) ?? 0n, durationNs),
    shardGroups: [],
  };
}

/** True when an existing policy is what the spec asks for (InfluxDB's RetentionPolicySpec.Matches). */
function specMatches(spec: RetentionPolicySpecJson, rp: RetentionPolicyInfo | undefined): boolean {
  if (rp === undefined) return false;
  if (spec.name !== '' && spec.name !== rp.name) return false;
  if (spec.durationNs !== undefined && BigInt(spec.durationNs) !== rp.durationNs) return false;
  if (spec.replicaN !== undefined && spec.replicaN !== rp.replicaN) return false;
  return normaliseShardGroupDuration(ns(spec.shardGroupDurationNs) ?? 0n, rp.durationNs) === rp.shardGroupDurationNs;
}

/** Adds a policy to a database (InfluxDB's Data.CreateRetentionPolicy, including its check order). */
function addPolicy(data: MetaData, dbName: string, rp: RetentionPolicyInfo, makeDefault: boolean): HandlerOutcome {
  if (rp.name === '') throw metaError('ERR_META_RP_NAME_REQUIRED');
  if (rp.replicaN < 1) throw metaError('ERR_META_REPLICATION_FACTOR');
  if (rp.durationNs > 0n && rp.durationNs < rp.shardGroupDurationNs) throw metaError('ERR_META_RP_DURATION_SHARD');
  const db = findDatabase(data, dbName);
  if (db === undefined) throw databaseNotFound(dbName);
  const existing = policyOf(db, rp.name);
  if (existing !== undefined) {
    if (
      existing.replicaN !== rp.replicaN ||
      existing.durationNs !== rp.durationNs ||
      existing.shardGroupDurationNs !== rp.shardGroupDurationNs
    ) {
      throw metaError('ERR_META_RP_EXISTS');
    }
    if (makeDefault && db.defaultRetentionPolicy !== rp.name) throw metaError('ERR_META_RP_CONFLICT');
    return { data, result: existing };
  }
  const next: DatabaseInfo = {
    ...putPolicy(db, rp.name, rp),
    defaultRetentionPolicy: makeDefault ? rp.name : db.defaultRetentionPolicy,
  };
  return { data: putDatabase(data, next), result: rp };
}

/**
 * CREATE DATABASE. Without a spec: a no-op when the database exists, else it is created with `autogen`
 * (infinite, replication 1, 7d groups) as its default. With a spec (`WITH ...`): InfluxDB 1.x's
 * CreateDatabaseWithRetentionPolicy: idempotent only when the same policy exists and is the default,
 * otherwise "retention policy conflicts with an existing policy".
 */
export function createDatabase(data: MetaData, name: string, spec: RetentionPolicySpecJson | undefined): HandlerOutcome {
  if (!isValidName(name)) throw metaError('ERR_META_INVALID_NAME');
  let db = findDatabase(data, name);
  if (spec === undefined) {
    if (db !== undefined) return { data, result: db };
    const created = putDatabase(data, { name, defaultRetentionPolicy: '', retentionPolicies: [], continuousQueries: [] });
    const out = addPolicy(created, name, policyFromSpec({ name: DEFAULT_POLICY_NAME }), true);
    return { data: out.data, result: findDatabase(out.data, name) };
  }
  if (spec.name !== '' && !isValidName(spec.name)) throw metaError('ERR_META_INVALID_NAME');
  checkDurationFloor(ns(spec.durationNs));
  let next = data;
  if (db === undefined) {
    db = { name, defaultRetentionPolicy: '', retentionPolicies: [], continuousQueries: [] };
    next = putDatabase(data, db);
  }
  const rp = policyFromSpec(spec);
  if (db.retentionPolicies.length === 0) {
    next = addPolicy(next, name, rp, true).data;
    db = findDatabase(next, name)!;
  } else if (!specMatches(spec, policyOf(db, rp.name))) {
    throw metaError('ERR_META_RP_CONFLICT');
  }
  if (db.defaultRetentionPolicy !== rp.name) throw metaError('ERR_META_RP_CONFLICT');
  return { data: next, result: db };
}

/** DROP DATABASE: removes it and every user privilege on it; a missing database is not an error. */
export function dropDatabase(data: MetaData, name: string): HandlerOutcome {
  if (findDatabase(data, name) === undefined) return { data };
  const users = data.users.map((u) =>
    Object.hasOwn(u.privileges, name)
      ? { ...u, privileges: Object.fromEntries(Object.entries(u.privileges).filter(([db]) => db !== name)) }
      : u,
  );
  return { data: { ...data, databases: data.databases.filter((d) => d.name !== name), users } };
}

/** CREATE RETENTION POLICY (InfluxDB 1.x: identical re-creation is a no-op; other options are an error). */
export function createRetentionPolicy(data: MetaData, dbName: string, spec: RetentionPolicySpecJson, makeDefault: boolean): HandlerOutcome {
  if (!isValidName(spec.name)) throw metaError('ERR_META_INVALID_NAME');
  checkDurationFloor(ns(spec.durationNs));
  return addPolicy(data, dbName, policyFromSpec(spec), makeDefault);
}

/** ALTER RETENTION POLICY (InfluxDB 1.x's UpdateRetentionPolicy checks, in its order). */
export function alterRetentionPolicy(
  data: MetaData,
  dbName: string,
  name: string,
  update: RetentionPolicyUpdateJson,
  makeDefault: boolean,
): HandlerOutcome {
  const db = findDatabase(data, dbName);
  if (db === undefined) throw databaseNotFound(dbName);
  const rp = policyOf(db, name);
  if (rp === undefined || name === '') throw policyNotFound(name);
  if (update.name !== undefined && update.name !== name) {
    if (policyOf(db, update.name) !== undefined) throw metaError('ERR_META_RP_NAME_EXISTS');
    if (!isValidName(update.name)) throw metaError('ERR_META_INVALID_NAME');
  }
  const duration = ns(update.durationNs);
  const sgd = ns(update.shardGroupDurationNs);
  checkDurationFloor(duration);
  if (update.replicaN !== undefined && update.replicaN < 1) throw metaError('ERR_META_REPLICATION_FACTOR');
  if (
    (duration !== undefined && duration > 0n && duration < (sgd ?? rp.shardGroupDurationNs)) ||
    (duration === undefined && rp.durationNs > 0n && sgd !== undefined && rp.durationNs < sgd)
  ) {
    throw metaError('ERR_META_RP_DURATION_SHARD');
  }
  const durationNs = duration ?? rp.durationNs;
  const updated: RetentionPolicyInfo = {
    ...rp,
    name: update.name ?? rp.name,
    durationNs,
    replicaN: update.replicaN ?? rp.replicaN,
    shardGroupDurationNs: sgd === undefined ? rp.shardGroupDurationNs : normaliseShardGroupDuration(sgd, durationNs),
  };
  // Renaming the default policy keeps it the default (InfluxQL cannot rename; this is for API callers).
  let defaultName = db.defaultRetentionPolicy === rp.name ? updated.name : db.defaultRetentionPolicy;
  if (makeDefault) defaultName = updated.name;
  const next: DatabaseInfo = { ...putPolicy(db, rp.name, updated), defaultRetentionPolicy: defaultName };
  return { data: putDatabase(data, next), result: updated };
}

/**
 * DROP RETENTION POLICY: a missing database or policy is not an error (InfluxDB 1.x). Dropping the default
 * leaves the database's default naming the dropped policy, as InfluxDB does: re-creating a policy of
 * that name makes it the default again.
 */
export function dropRetentionPolicy(data: MetaData, dbName: string, name: string): HandlerOutcome {
  const db = findDatabase(data, dbName);
  if (db === undefined || !db.retentionPolicies.some((p) => p.name === name)) return { data };
  const next: DatabaseInfo = { ...db, retentionPolicies: db.retentionPolicies.filter((p) => p.name !== name) };
  return { data: putDatabase(data, next) };
}

/** Makes an existing policy the database's default. */
export function setDefaultRetentionPolicy(data: MetaData, dbName: string, name: string): HandlerOutcome {
  const db = findDatabase(data, dbName);
  if (db === undefined) throw databaseNotFound(dbName);
  if (name === '' || policyOf(db, name) === undefined) throw policyNotFound(name);
  if (db.defaultRetentionPolicy === name) return { data };
  return { data: putDatabase(data, { ...db, defaultRetentionPolicy: name }) };
}

/** CREATE CONTINUOUS QUERY: the same name with the same text (case-insensitive) is a no-op. */
export function createContinuousQuery(data: MetaData, dbName: string, name: string, query: string): HandlerOutcome {
  const db = findDatabase(data, dbName);
  if (db === undefined) throw databaseNotFound(dbName);
  const existing = db.continuousQueries.find((c) => c.name === name);
  if (existing !== undefined) {
    if (existing.query.toLowerCase() === query.toLowerCase()) return { data };
    throw metaError('ERR_META_CQ_EXISTS');
  }
  return { data: putDatabase(data, { ...db, continuousQueries: [...db.continuousQueries, { name, query }] }) };
}

/** DROP CONTINUOUS QUERY: a missing database or query is not an error (what InfluxDB 1.6.7 answers). */
export function dropContinuousQuery(data: MetaData, dbName: string, name: string): HandlerOutcome {
  const db = findDatabase(data, dbName);
  if (db === undefined || !db.continuousQueries.some((c) => c.name === name)) return { data };
  return { data: putDatabase(data, { ...db, continuousQueries: db.continuousQueries.filter((c) => c.name !== name) }) };
}
