import type { Privilege, UserInfo } from '../contracts/meta-store.js';
import type { SelectStatement, Source, Statement } from './ast.js';
import { printStatement } from './printer.js';

/** One privilege a statement needs: admin, or a privilege on a database ('' = the request's `db`). */
interface Required {
  readonly admin: boolean;
  readonly db: string;
  readonly privilege: Privilege;
}

const ADMIN: Required[] = [{ admin: true, db: '', privilege: 'NO PRIVILEGES' }];
const read = (db: string): Required[] => [{ admin: false, db, privilege: 'READ' }];
const write = (db: string): Required[] => [{ admin: false, db, privilege: 'WRITE' }];

function selectPrivileges(s: SelectStatement): Required[] {
  const out: Required[] = [];
  const walk = (sources: readonly Source[]): void => {
    for (const src of sources) {
      if (src.kind === 'SubQuery') {
        out.push(...selectPrivileges(src.statement));
      } else out.push(...read(src.database));
    }
  };
  walk(s.sources);
  if (s.target !== null) out.push(...write(s.target.measurement.database));
  return out;
}

/** InfluxQL's RequiredPrivileges of a statement (InfluxDB 1.6.7). */
export function requiredPrivileges(stmt: Statement): Required[] {
  switch (stmt.kind) {
    case 'SelectStatement':
      return selectPrivileges(stmt);
    case 'ExplainStatement':
      return selectPrivileges(stmt.statement);
    case 'ShowDatabasesStatement':
      return [{ admin: false, db: '', privilege: 'NO PRIVILEGES' }];
    case 'ShowMeasurementsStatement':
    case 'ShowSeriesStatement':
    case 'ShowTagKeysStatement':
    case 'ShowTagValuesStatement':
    case 'ShowFieldKeysStatement':
    case 'ShowMeasurementCardinalityStatement':
    case 'ShowSeriesCardinalityStatement':
    case 'ShowTagKeyCardinalityStatement':
    case 'ShowTagValuesCardinalityStatement':
    case 'ShowFieldKeyCardinalityStatement':
    case 'ShowRetentionPoliciesStatement':
      return read(stmt.database);
    case 'ShowContinuousQueriesStatement':
    case 'ShowQueriesStatement':
    case 'KillQueryStatement':
      return read('');
    case 'CreateContinuousQueryStatement':
    case 'DropContinuousQueryStatement':
      return write(stmt.database);
    case 'DropSeriesStatement':
    case 'DeleteSeriesStatement':
    case 'DropMeasurementStatement':
      return write('');
    default:
      // Databases, policies, users, grants, shards, subscriptions, diagnostics and stats need admin.
      return ADMIN;
  }
}

/** UserInfo.AuthorizeDatabase: admin, no privilege needed, or the exact privilege or ALL on the database. */
export function authorizeDatabase(user: UserInfo, privilege: Privilege, db: string): boolean {
  if (user.admin || privilege === 'NO PRIVILEGES') return true;
  if (!Object.hasOwn(user.privileges, db)) return false;
  const p = user.privileges[db];
  return p === privilege || p === 'ALL';
}

function privilegeText(p: Privilege): string {
  return p === 'ALL' ? 'ALL PRIVILEGES' : p;
}

/**
 * InfluxDB 1.6.7's query authorizer, for a node with authentication on. Returns undefined when allowed,
 * else the reason (the handler answers 403 `error authorizing query: <reason>`). With no users at all,
 * only a query starting with `CREATE USER ... WITH ALL PRIVILEGES` is allowed.
 */
export function authorizeQuery(statements: readonly Statement[], user: UserInfo | undefined, db: string, userCount: number): string | undefined {
  if (userCount === 0) {
    const first = statements[0];
    if (first !== undefined && first.kind === 'CreateUserStatement' && first.admin) return undefined;
    return 'create admin user first or disable authentication';
  }
  if (user === undefined) return 'no user provided';
  if (user.admin) return undefined;
  for (const stmt of statements) {
    for (const p of requiredPrivileges(stmt)) {
      if (p.admin) return `${user.name} not authorized to execute statement '${printStatement(stmt)}', requires admin privilege`;
      const target = p.db !== '' ? p.db : db;
      if (!authorizeDatabase(user, p.privilege, target)) {
        return `${user.name} not authorized to execute statement '${printStatement(stmt)}', requires ${privilegeText(p.privilege)} on ${target}`;
      }
    }
  }
  return undefined;
}
