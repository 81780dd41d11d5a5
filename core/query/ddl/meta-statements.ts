import type { MetaStore, Privilege as MetaPrivilege, RetentionPolicyUpdate } from '../../contracts/meta-store.js';
import type {
  AlterRetentionPolicyStatement,
  CreateContinuousQueryStatement,
  CreateDatabaseStatement,
  CreateRetentionPolicyStatement,
  CreateUserStatement,
  Statement,
} from '../ast.js';
import { authorizeDatabase } from '../authorize.js';
import { databaseName, requireDatabase, statementError, type StatementContext } from '../context.js';
import { single, type Piece } from '../emit.js';
import { goDuration, rfc3339Nano } from '../go-format.js';
import { normalizeSelect } from '../normalize.js';
import { printStatement } from '../printer.js';
import type { Value } from '../result.js';
import { hashPassword, verifyPassword } from './password.js';

const NONE: Piece[] = [{}];

async function deleteLocalShards(ctx: StatementContext, ids: readonly number[]): Promise<void> {
  const held = new Set(ctx.tsdb.shardIds());
  for (const id of ids) if (held.has(id)) await ctx.tsdb.deleteShard(id);
}

function shardIdsOf(meta: MetaStore, db: string, rp?: string): number[] {
  const info = meta.database(db);
  if (info === undefined) return [];
  const ids: number[] = [];
  for (const p of info.retentionPolicies) {
    if (rp !== undefined && p.name !== rp) continue;
    for (const g of p.shardGroups) for (const s of g.shards) ids.push(s.id);
  }
  return ids;
}

/** CREATE DATABASE [WITH ...]: idempotent with the same options (meta's rule). */
export async function createDatabase(stmt: CreateDatabaseStatement, ctx: StatementContext): Promise<Piece[]> {
  if (!stmt.retentionPolicyCreate) {
    await ctx.meta.createDatabase(stmt.name);
    return NONE;
  }
  await ctx.meta.createDatabase(stmt.name, {
    name: stmt.retentionPolicyName !== '' ? stmt.retentionPolicyName : 'autogen',
    durationNs: stmt.retentionPolicyDuration ?? 0n,
    replicaN: stmt.retentionPolicyReplication ?? 1,
    shardGroupDurationNs: stmt.retentionPolicyShardGroupDuration,
    makeDefault: true,
  });
  return NONE;
}

/** DROP DATABASE: meta first, then this node's shards of it. A missing database is not an error. */
export async function dropDatabase(name: string, ctx: StatementContext): Promise<Piece[]> {
  const ids = shardIdsOf(ctx.meta, name);
  await ctx.meta.dropDatabase(name);
  await deleteLocalShards(ctx, ids);
  return NONE;
}

/** CREATE RETENTION POLICY. */
export async function createRetentionPolicy(stmt: CreateRetentionPolicyStatement, ctx: StatementContext): Promise<Piece[]> {
  requireDatabase(ctx, stmt.database);
  await ctx.meta.createRetentionPolicy(
    stmt.database,
    { name: stmt.name, durationNs: stmt.duration, replicaN: stmt.replication, shardGroupDurationNs: stmt.shardGroupDuration },
    stmt.default,
  );
  return NONE;
}

/** ALTER RETENTION POLICY. */
export async function alterRetentionPolicy(stmt: AlterRetentionPolicyStatement, ctx: StatementContext): Promise<Piece[]> {
  requireDatabase(ctx, stmt.database);
  if (ctx.meta.retentionPolicy(stmt.database, stmt.name) === undefined) throw statementError(`retention policy not found: ${stmt.name}`);
  const update: { -readonly [K in keyof RetentionPolicyUpdate]: RetentionPolicyUpdate[K] } = {};
  if (stmt.duration !== null) update.durationNs = stmt.duration;
  if (stmt.replication !== null) update.replicaN = stmt.replication;
  if (stmt.shardGroupDuration !== null) update.shardGroupDurationNs = stmt.shardGroupDuration;
  await ctx.meta.alterRetentionPolicy(stmt.database, stmt.name, update, stmt.default);
  return NONE;
}

/** DROP RETENTION POLICY: a missing policy is not an error; its shards here are deleted. */
export async function dropRetentionPolicy(db: string, name: string, ctx: StatementContext): Promise<Piece[]> {
  requireDatabase(ctx, db);
  if (ctx.meta.retentionPolicy(db, name) === undefined) return NONE;
  const ids = shardIdsOf(ctx.meta, db, name);
  await ctx.meta.dropRetentionPolicy(db, name);
  await deleteLocalShards(ctx, ids);
  return NONE;
}

/**
 * CREATE CONTINUOUS QUERY: stored as InfluxDB prints it, with every measurement of the SELECT
 * qualified by database and retention policy (the request's db and rp, else the CQ's database and its
 * default policy), which is what SHOW CONTINUOUS QUERIES returns.
 */
export async function createContinuousQuery(stmt: CreateContinuousQueryStatement, ctx: StatementContext): Promise<Piece[]> {
  const dbName = ctx.db !== '' ? ctx.db : stmt.database;
  const info = requireDatabase(ctx, dbName);
  requireDatabase(ctx, stmt.database);
  const rp = ctx.rp !== '' ? ctx.rp : info.defaultRetentionPolicy;
  if (rp === '') throw statementError(`default retention policy not set for: ${info.name}`);
  // The default may name a dropped policy (1.6.7 keeps it dangling): the same error as InfluxDB then.
  if (!info.retentionPolicies.some((p) => p.name === rp)) throw statementError(`retention policy not found: ${dbName}.${rp}`);
  const normalized: CreateContinuousQueryStatement = { ...stmt, source: normalizeSelect(stmt.source, dbName, rp, ctx.meta) };
  // Every policy the CQ writes to or reads from must exist (InfluxDB checks them when it stores the CQ).
  const measurements = [
    ...(normalized.source.target === null ? [] : [normalized.source.target.measurement]),
    ...normalized.source.sources.filter((src) => src.kind === 'Measurement'),
  ];
  for (const m of measurements) {
    const target = ctx.meta.database(m.database);
    if (target === undefined) throw statementError(`database not found: ${m.database}`);
    if (!target.retentionPolicies.some((p) => p.name === m.retentionPolicy)) throw statementError(`retention policy not found: ${m.database}.${m.retentionPolicy}`);
  }
  await ctx.meta.createContinuousQuery(stmt.database, stmt.name, printStatement(normalized));
  return NONE;
}

/** DROP CONTINUOUS QUERY: missing query or database is not an error (1.6.7). */
export async function dropContinuousQuery(db: string, name: string, ctx: StatementContext): Promise<Piece[]> {
  const info = ctx.meta.database(db);
  if (info === undefined || !info.continuousQueries.some((c) => c.name === name)) return NONE;
  await ctx.meta.dropContinuousQuery(db, name);
  return NONE;
}

/** CREATE USER: repeating it with the same password (and admin flag) is not an error. */
export async function createUser(stmt: CreateUserStatement, ctx: StatementContext): Promise<Piece[]> {
  const existing = ctx.meta.data().users.find((u) => u.name === stmt.name);
  if (existing !== undefined) {
    if (existing.admin === stmt.admin && verifyPassword(stmt.password, existing.hash)) return NONE;
    throw statementError('user already exists');
  }
  await ctx.meta.createUser(stmt.name, hashPassword(stmt.password), stmt.admin);
  return NONE;
}

function requireUser(ctx: StatementContext, name: string) {
  const u = ctx.meta.data().users.find((x) => x.name === name);
  if (u === undefined) throw statementError('user not found');
  return u;
}

/** GRANT / REVOKE on a database (REVOKE keeps what remains: revoking READ from ALL leaves WRITE). */
export async function setPrivilege(grant: boolean, privilege: 'READ' | 'WRITE' | 'ALL', db: string, user: string, ctx: StatementContext): Promise<Piece[]> {
  requireDatabase(ctx, db);
  const u = requireUser(ctx, user);
  let next: MetaPrivilege = privilege;
  if (!grant) {
    const cur = Object.hasOwn(u.privileges, db) ? u.privileges[db]! : 'NO PRIVILEGES';
    if (privilege === 'ALL') next = 'NO PRIVILEGES';
    else if (cur === 'ALL') next = privilege === 'READ' ? 'WRITE' : 'READ';
    else next = cur === privilege ? 'NO PRIVILEGES' : cur;
  }
  await ctx.meta.setPrivilege(user, db, next);
  return NONE;
}

/** SHOW DATABASES, in meta order; with authentication on, only those the user may read or write. */
export function showDatabases(ctx: StatementContext): Piece[] {
  const user = ctx.user;
  const visible = ctx.meta
    .data()
    .databases.filter((d) => user === undefined || authorizeDatabase(user, 'READ', d.name) || authorizeDatabase(user, 'WRITE', d.name));
  return [{ series: [{ name: 'databases', columns: ['name'], values: visible.map((d): Value[] => [d.name]) }] }];
}

/** SHOW RETENTION POLICIES [ON db]. */
export function showRetentionPolicies(stmtDb: string, ctx: StatementContext): Piece[] {
  const db = requireDatabase(ctx, databaseName(stmtDb, ctx));
  const values = db.retentionPolicies.map((rp): Value[] => [
    rp.name,
    goDuration(rp.durationNs),
    goDuration(rp.shardGroupDurationNs),
    BigInt(rp.replicaN),
    rp.name === db.defaultRetentionPolicy,
  ]);
  return [{ series: [{ name: '', columns: ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'], values }] }];
}

function rfc3339Seconds(ns: bigint): string {
  return rfc3339Nano(ns - (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n));
}

/** SHOW SHARDS: a series per database (owners as node IDs joined by commas). */
export function showShards(ctx: StatementContext): Piece[] {
  const columns = ['id', 'database', 'retention_policy', 'shard_group', 'start_time', 'end_time', 'expiry_time', 'owners'];
  const series = ctx.meta.data().databases.map((db) => {
    const values: Value[][] = [];
    for (const rp of db.retentionPolicies) {
      for (const g of rp.shardGroups) {
        if (g.deletedAt !== undefined) continue;
        for (const s of g.shards) {
          values.push([
            BigInt(s.id),
            db.name,
            rp.name,
            BigInt(g.id),
            rfc3339Seconds(g.startTime),
            rfc3339Seconds(g.endTime),
            rfc3339Seconds(g.endTime + rp.durationNs),
            s.owners.join(','),
          ]);
        }
      }
    }
    return { name: db.name, columns, values };
  });
  return [{ series }];
}

/** SHOW SHARD GROUPS: one `shard groups` series. */
export function showShardGroups(ctx: StatementContext): Piece[] {
  const values: Value[][] = [];
  for (const db of ctx.meta.data().databases) {
    for (const rp of db.retentionPolicies) {
      for (const g of rp.shardGroups) {
        if (g.deletedAt !== undefined) continue;
        values.push([BigInt(g.id), db.name, rp.name, rfc3339Seconds(g.startTime), rfc3339Seconds(g.endTime), rfc3339Seconds(g.endTime + rp.durationNs)]);
      }
    }
  }
  return [{ series: [{ name: 'shard groups', columns: ['id', 'database', 'retention_policy', 'start_time', 'end_time', 'expiry_time'], values }] }];
}

/** SHOW CONTINUOUS QUERIES: a series per database. */
export function showContinuousQueries(ctx: StatementContext): Piece[] {
  const series = ctx.meta.data().databases.map((db) => ({
    name: db.name,
    columns: ['name', 'query'],
    values: db.continuousQueries.map((c): Value[] => [c.name, c.query]),
  }));
  return single(series);
}

/** SHOW USERS. */
export function showUsers(ctx: StatementContext): Piece[] {
  return [{ series: [{ name: '', columns: ['user', 'admin'], values: ctx.meta.data().users.map((u): Value[] => [u.name, u.admin]) }] }];
}

/** SHOW GRANTS FOR user. */
export function showGrants(user: string, ctx: StatementContext): Piece[] {
  const u = requireUser(ctx, user);
  // InfluxDB prints ALL as `ALL PRIVILEGES` (influxql.Privilege's String()).
  const values = Object.entries(u.privileges).map(([db, p]): Value[] => [db, p === 'ALL' ? 'ALL PRIVILEGES' : p]);
  return [{ series: [{ name: '', columns: ['database', 'privilege'], values }] }];
}

/** Runs a meta statement; undefined when `stmt` is not one. */
export async function executeMetaStatement(stmt: Statement, ctx: StatementContext): Promise<Piece[] | undefined> {
  switch (stmt.kind) {
    case 'CreateDatabaseStatement':
      return createDatabase(stmt, ctx);
    case 'DropDatabaseStatement':
      return dropDatabase(stmt.name, ctx);
    case 'CreateRetentionPolicyStatement':
      return createRetentionPolicy(stmt, ctx);
    case 'AlterRetentionPolicyStatement':
      return alterRetentionPolicy(stmt, ctx);
    case 'DropRetentionPolicyStatement':
      return dropRetentionPolicy(stmt.database, stmt.name, ctx);
    case 'CreateContinuousQueryStatement':
      return createContinuousQuery(stmt, ctx);
    case 'DropContinuousQueryStatement':
      return dropContinuousQuery(stmt.database, stmt.name, ctx);
    case 'CreateUserStatement':
      return createUser(stmt, ctx);
    case 'DropUserStatement':
      requireUser(ctx, stmt.name);
      await ctx.meta.dropUser(stmt.name);
      return NONE;
    case 'SetPasswordUserStatement':
      requireUser(ctx, stmt.name);
      await ctx.meta.setUserPassword(stmt.name, hashPassword(stmt.password));
      return NONE;
    case 'GrantStatement':
      return setPrivilege(true, stmt.privilege, stmt.on, stmt.user, ctx);
    case 'RevokeStatement':
      return setPrivilege(false, stmt.privilege, stmt.on, stmt.user, ctx);
    case 'GrantAdminStatement':
    case 'RevokeAdminStatement':
      requireUser(ctx, stmt.user);
      await ctx.meta.setAdminPrivilege(stmt.user, stmt.kind === 'GrantAdminStatement');
      return NONE;
    case 'ShowDatabasesStatement':
      return showDatabases(ctx);
    case 'ShowRetentionPoliciesStatement':
      return showRetentionPolicies(stmt.database, ctx);
    case 'ShowShardsStatement':
      return showShards(ctx);
    case 'ShowShardGroupsStatement':
      return showShardGroups(ctx);
    case 'ShowContinuousQueriesStatement':
      return showContinuousQueries(ctx);
    case 'ShowUsersStatement':
      return showUsers(ctx);
    case 'ShowGrantsForUserStatement':
      return showGrants(stmt.name, ctx);
    default:
      return undefined;
  }
}

