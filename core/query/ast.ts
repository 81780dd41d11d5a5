/**
 * The InfluxQL abstract syntax tree (InfluxDB 1.x shape). Plain, immutable-by-convention data:
 * every node has a `kind` discriminant and every property is always present (absent = `null`, `''`,
 * `0n` or `[]` as documented), so two parses of the same text are deep-equal.
 *
 * Numbers follow the Point model: integers are `bigint` (exact int64), floats are `number`,
 * durations and times are `bigint` nanoseconds.
 *
 * Stability: other areas (the executor) build on these types; changes are additive only.
 */

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

/** Data types a variable reference may be cast to with `::type` ('' = no cast). */
export type DataType = '' | 'float' | 'integer' | 'unsigned' | 'string' | 'boolean' | 'field' | 'tag';

/** Binary operators, in InfluxQL spelling. */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^'
  | 'AND' | 'OR'
  | '=' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';

/** A field, tag or `time` reference, with its optional `::type` cast. */
export interface VarRef {
  readonly kind: 'VarRef';
  readonly name: string;
  readonly dataType: DataType;
}

/** A function call `name(args...)`. */
export interface Call {
  readonly kind: 'Call';
  /** The function name, lower-cased (InfluxQL function names are case-insensitive). */
  readonly name: string;
  readonly args: readonly Expr[];
}

/** `lhs op rhs`. */
export interface BinaryExpr {
  readonly kind: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
}

/** `( expr )`, kept so printing gives back the parentheses. */
export interface ParenExpr {
  readonly kind: 'ParenExpr';
  readonly expr: Expr;
}

/** A float literal (`1.5`, `-2.0`, `1e3` is not InfluxQL). */
export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  readonly value: number;
}

/** An integer literal that fits int64. */
export interface IntegerLiteral {
  readonly kind: 'IntegerLiteral';
  readonly value: bigint;
}

/** An integer literal too large for int64 but within uint64. */
export interface UnsignedLiteral {
  readonly kind: 'UnsignedLiteral';
  readonly value: bigint;
}

/** A single-quoted string literal, unescaped. */
export interface StringLiteral {
  readonly kind: 'StringLiteral';
  readonly value: string;
}

/** `true` / `false`. */
export interface BooleanLiteral {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
}

/** A duration literal (`10s`, `1h30m`, `1577836800000ms`) in nanoseconds. */
export interface DurationLiteral {
  readonly kind: 'DurationLiteral';
  readonly value: bigint;
}

/** A time literal (not produced by the parser; executors may build it when they fold time strings). */
export interface TimeLiteral {
  readonly kind: 'TimeLiteral';
  /** Nanoseconds since the epoch. */
  readonly value: bigint;
}

/**
 * A regular expression `/.../`. `pattern` is the source between the slashes with `\/` unescaped to
 * `/` (Go RE2 syntax; the executor converts it to a JS RegExp).
 */
export interface RegexLiteral {
  readonly kind: 'RegexLiteral';
  readonly pattern: string;
}

/** A list of identifiers/strings `(a, 'b')`, used by `SHOW TAG VALUES WITH KEY IN (...)`. */
export interface ListLiteral {
  readonly kind: 'ListLiteral';
  readonly values: readonly string[];
}

/** A null literal (not produced by the parser; executors may use it). */
export interface NilLiteral {
  readonly kind: 'NilLiteral';
}

/** `*`, `*::field` or `*::tag` in a field list or GROUP BY. */
export interface Wildcard {
  readonly kind: 'Wildcard';
  /** '' = all, 'field' = `*::field`, 'tag' = `*::tag`. */
  readonly type: '' | 'field' | 'tag';
}

/** `DISTINCT name` written without parentheses (`distinct(name)` is a Call). */
export interface Distinct {
  readonly kind: 'Distinct';
  readonly name: string;
}

/** Every expression node. */
export type Expr =
  | VarRef
  | Call
  | BinaryExpr
  | ParenExpr
  | NumberLiteral
  | IntegerLiteral
  | UnsignedLiteral
  | StringLiteral
  | BooleanLiteral
  | DurationLiteral
  | TimeLiteral
  | RegexLiteral
  | ListLiteral
  | NilLiteral
  | Wildcard
  | Distinct;

/** Literal nodes. */
export type Literal =
  | NumberLiteral
  | IntegerLiteral
  | UnsignedLiteral
  | StringLiteral
  | BooleanLiteral
  | DurationLiteral
  | TimeLiteral
  | RegexLiteral
  | ListLiteral
  | NilLiteral;

// ---------------------------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------------------------

/** One projection: `expr [AS alias]` (alias '' when none). */
export interface Field {
  readonly expr: Expr;
  readonly alias: string;
}

/**
 * A measurement source. `name` is '' when `regex` is set; `database`/`retentionPolicy` are '' when not
 * written. For an INTO target, `name` '' means the `:MEASUREMENT` back-reference.
 */
export interface Measurement {
  readonly kind: 'Measurement';
  readonly database: string;
  readonly retentionPolicy: string;
  readonly name: string;
  readonly regex: RegexLiteral | null;
  readonly isTarget: boolean;
}

/** `FROM (SELECT ...)`. */
export interface SubQuery {
  readonly kind: 'SubQuery';
  readonly statement: SelectStatement;
}

/** A FROM source. */
export type Source = Measurement | SubQuery;

/** One GROUP BY dimension: a VarRef (tag), `time(...)` Call, Wildcard or RegexLiteral. */
export interface Dimension {
  readonly expr: Expr;
}

/** One ORDER BY item (only `time` is allowed by InfluxQL 1.x). */
export interface SortField {
  readonly name: string;
  readonly ascending: boolean;
}

/** The fill option of a grouped SELECT. */
export type FillOption = 'null' | 'none' | 'number' | 'previous' | 'linear';

/** `INTO` target. */
export interface Target {
  readonly measurement: Measurement;
}

/** Privileges of GRANT/REVOKE. */
export type Privilege = 'READ' | 'WRITE' | 'ALL';

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

/** `SELECT ...`. */
export interface SelectStatement {
  readonly kind: 'SelectStatement';
  readonly fields: readonly Field[];
  readonly target: Target | null;
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
  readonly dimensions: readonly Dimension[];
  readonly fill: FillOption;
  /** For fill(<number>): the literal's value (bigint if written as an integer); null otherwise. */
  readonly fillValue: number | bigint | null;
  readonly sortFields: readonly SortField[];
  /** 0 = none. */
  readonly limit: number;
  readonly offset: number;
  readonly sLimit: number;
  readonly sOffset: number;
  /** `tz('...')` location name, or null. */
  readonly location: string | null;
  /** True when no field contains a function call (InfluxDB's IsRawQuery). */
  readonly isRawQuery: boolean;
}

/** `SHOW DATABASES`. */
export interface ShowDatabasesStatement {
  readonly kind: 'ShowDatabasesStatement';
}

/** `SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT =~ /re/ | = m] [WHERE] [LIMIT] [OFFSET]`. */
export interface ShowMeasurementsStatement {
  readonly kind: 'ShowMeasurementsStatement';
  readonly database: string;
  /** The WITH MEASUREMENT source: a Measurement with a name (`=`) or a regex (`=~`), or null. */
  readonly source: Measurement | null;
  readonly condition: Expr | null;
  readonly sortFields: readonly SortField[];
  readonly limit: number;
  readonly offset: number;
}

/** `SHOW SERIES [ON db] [FROM] [WHERE] [LIMIT] [OFFSET]`. */
export interface ShowSeriesStatement {
  readonly kind: 'ShowSeriesStatement';
  readonly database: string;
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
  readonly sortFields: readonly SortField[];
  readonly limit: number;
  readonly offset: number;
}

/** `SHOW TAG KEYS [ON db] [FROM] [WHERE] [LIMIT] [OFFSET] [SLIMIT] [SOFFSET]`. */
export interface ShowTagKeysStatement {
  readonly kind: 'ShowTagKeysStatement';
  readonly database: string;
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
  readonly sortFields: readonly SortField[];
  readonly limit: number;
  readonly offset: number;
  readonly sLimit: number;
  readonly sOffset: number;
}

/** Operator of `WITH KEY`. */
export type TagKeyOp = '=' | '!=' | '=~' | '!~' | 'IN';

/** `SHOW TAG VALUES [ON db] [FROM] WITH KEY op expr [WHERE] [LIMIT] [OFFSET]`. */
export interface ShowTagValuesStatement {
  readonly kind: 'ShowTagValuesStatement';
  readonly database: string;
  readonly sources: readonly Source[];
  readonly op: TagKeyOp;
  /** StringLiteral for = / !=, RegexLiteral for =~ / !~, ListLiteral for IN. */
  readonly tagKeyExpr: StringLiteral | RegexLiteral | ListLiteral;
  readonly condition: Expr | null;
  readonly sortFields: readonly SortField[];
  readonly limit: number;
  readonly offset: number;
}

/** `SHOW FIELD KEYS [ON db] [FROM] [LIMIT] [OFFSET]`. */
export interface ShowFieldKeysStatement {
  readonly kind: 'ShowFieldKeysStatement';
  readonly database: string;
  readonly sources: readonly Source[];
  readonly sortFields: readonly SortField[];
  readonly limit: number;
  readonly offset: number;
}

/** Shared shape of the five CARDINALITY statements. */
interface CardinalityBase {
  readonly database: string;
  readonly exact: boolean;
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
  readonly dimensions: readonly Dimension[];
  readonly limit: number;
  readonly offset: number;
}

/** `SHOW MEASUREMENT [EXACT] CARDINALITY ...`. */
export interface ShowMeasurementCardinalityStatement extends CardinalityBase {
  readonly kind: 'ShowMeasurementCardinalityStatement';
}

/** `SHOW SERIES [EXACT] CARDINALITY ...`. */
export interface ShowSeriesCardinalityStatement extends CardinalityBase {
  readonly kind: 'ShowSeriesCardinalityStatement';
}

/** `SHOW TAG KEY [EXACT] CARDINALITY ...`. */
export interface ShowTagKeyCardinalityStatement extends CardinalityBase {
  readonly kind: 'ShowTagKeyCardinalityStatement';
}

/** `SHOW TAG VALUES [EXACT] CARDINALITY ... WITH KEY ...`. */
export interface ShowTagValuesCardinalityStatement extends CardinalityBase {
  readonly kind: 'ShowTagValuesCardinalityStatement';
  readonly op: TagKeyOp;
  readonly tagKeyExpr: StringLiteral | RegexLiteral | ListLiteral;
}

/** `SHOW FIELD KEY [EXACT] CARDINALITY ...`. */
export interface ShowFieldKeyCardinalityStatement extends CardinalityBase {
  readonly kind: 'ShowFieldKeyCardinalityStatement';
}

/** `SHOW RETENTION POLICIES [ON db]`. */
export interface ShowRetentionPoliciesStatement {
  readonly kind: 'ShowRetentionPoliciesStatement';
  readonly database: string;
}

/** `SHOW SHARDS`. */
export interface ShowShardsStatement {
  readonly kind: 'ShowShardsStatement';
}

/** `SHOW SHARD GROUPS`. */
export interface ShowShardGroupsStatement {
  readonly kind: 'ShowShardGroupsStatement';
}

/** `SHOW CONTINUOUS QUERIES`. */
export interface ShowContinuousQueriesStatement {
  readonly kind: 'ShowContinuousQueriesStatement';
}

/** `SHOW USERS`. */
export interface ShowUsersStatement {
  readonly kind: 'ShowUsersStatement';
}

/** `SHOW GRANTS FOR user`. */
export interface ShowGrantsForUserStatement {
  readonly kind: 'ShowGrantsForUserStatement';
  readonly name: string;
}

/** `SHOW DIAGNOSTICS [FOR 'module']`. */
export interface ShowDiagnosticsStatement {
  readonly kind: 'ShowDiagnosticsStatement';
  readonly module: string;
}

/** `SHOW STATS [FOR 'module']`. */
export interface ShowStatsStatement {
  readonly kind: 'ShowStatsStatement';
  readonly module: string;
}

/** `SHOW QUERIES`. */
export interface ShowQueriesStatement {
  readonly kind: 'ShowQueriesStatement';
}

/** `SHOW SUBSCRIPTIONS`. */
export interface ShowSubscriptionsStatement {
  readonly kind: 'ShowSubscriptionsStatement';
}

/** `CREATE DATABASE name [WITH [DURATION d] [REPLICATION n] [SHARD DURATION d] [NAME rp]]`. */
export interface CreateDatabaseStatement {
  readonly kind: 'CreateDatabaseStatement';
  readonly name: string;
  /** True when a WITH clause was given. */
  readonly retentionPolicyCreate: boolean;
  /** ns, or null when not given. */
  readonly retentionPolicyDuration: bigint | null;
  readonly retentionPolicyReplication: number | null;
  /** '' when not given. */
  readonly retentionPolicyName: string;
  /** ns, 0n when not given. */
  readonly retentionPolicyShardGroupDuration: bigint;
}

/** `DROP DATABASE name`. */
export interface DropDatabaseStatement {
  readonly kind: 'DropDatabaseStatement';
  readonly name: string;
}

/** `CREATE RETENTION POLICY name ON db DURATION d REPLICATION n [SHARD DURATION d] [DEFAULT]`. */
export interface CreateRetentionPolicyStatement {
  readonly kind: 'CreateRetentionPolicyStatement';
  readonly name: string;
  readonly database: string;
  /** ns (0n = INF). */
  readonly duration: bigint;
  readonly replication: number;
  /** ns, 0n when not given. */
  readonly shardGroupDuration: bigint;
  readonly default: boolean;
}

/** `ALTER RETENTION POLICY name ON db [DURATION d] [REPLICATION n] [SHARD DURATION d] [DEFAULT]`. */
export interface AlterRetentionPolicyStatement {
  readonly kind: 'AlterRetentionPolicyStatement';
  readonly name: string;
  readonly database: string;
  /** null = unchanged. */
  readonly duration: bigint | null;
  readonly replication: number | null;
  readonly shardGroupDuration: bigint | null;
  readonly default: boolean;
}

/** `DROP RETENTION POLICY name ON db`. */
export interface DropRetentionPolicyStatement {
  readonly kind: 'DropRetentionPolicyStatement';
  readonly name: string;
  readonly database: string;
}

/** `CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY d] [FOR d]] BEGIN select END`. */
export interface CreateContinuousQueryStatement {
  readonly kind: 'CreateContinuousQueryStatement';
  readonly name: string;
  readonly database: string;
  readonly source: SelectStatement;
  /** ns, 0n when not given. */
  readonly resampleEvery: bigint;
  /** ns, 0n when not given. */
  readonly resampleFor: bigint;
}

/** `DROP CONTINUOUS QUERY name ON db`. */
export interface DropContinuousQueryStatement {
  readonly kind: 'DropContinuousQueryStatement';
  readonly name: string;
  readonly database: string;
}

/** `DROP SERIES [FROM ...] [WHERE ...]`. */
export interface DropSeriesStatement {
  readonly kind: 'DropSeriesStatement';
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
}

/** `DELETE [FROM ...] [WHERE ...]`. */
export interface DeleteSeriesStatement {
  readonly kind: 'DeleteSeriesStatement';
  readonly sources: readonly Source[];
  readonly condition: Expr | null;
}

/** `DROP MEASUREMENT name`. */
export interface DropMeasurementStatement {
  readonly kind: 'DropMeasurementStatement';
  readonly name: string;
}

/** `DROP SHARD id`. */
export interface DropShardStatement {
  readonly kind: 'DropShardStatement';
  readonly id: bigint;
}

/** `KILL QUERY id [ON host]`. */
export interface KillQueryStatement {
  readonly kind: 'KillQueryStatement';
  readonly queryId: bigint;
  /** '' when no ON clause. */
  readonly host: string;
}

/** `CREATE USER name WITH PASSWORD 'p' [WITH ALL PRIVILEGES]`. */
export interface CreateUserStatement {
  readonly kind: 'CreateUserStatement';
  readonly name: string;
  readonly password: string;
  readonly admin: boolean;
}

/** `DROP USER name`. */
export interface DropUserStatement {
  readonly kind: 'DropUserStatement';
  readonly name: string;
}

/** `SET PASSWORD FOR name = 'p'`. */
export interface SetPasswordUserStatement {
  readonly kind: 'SetPasswordUserStatement';
  readonly name: string;
  readonly password: string;
}

/** `GRANT READ|WRITE|ALL [PRIVILEGES] ON db TO user`. */
export interface GrantStatement {
  readonly kind: 'GrantStatement';
  readonly privilege: Privilege;
  readonly on: string;
  readonly user: string;
}

/** `GRANT ALL [PRIVILEGES] TO user`. */
export interface GrantAdminStatement {
  readonly kind: 'GrantAdminStatement';
  readonly user: string;
}

/** `REVOKE READ|WRITE|ALL [PRIVILEGES] ON db FROM user`. */
export interface RevokeStatement {
  readonly kind: 'RevokeStatement';
  readonly privilege: Privilege;
  readonly on: string;
  readonly user: string;
}

/** `REVOKE ALL [PRIVILEGES] FROM user`. */
export interface RevokeAdminStatement {
  readonly kind: 'RevokeAdminStatement';
  readonly user: string;
}

/** `EXPLAIN [ANALYZE] select`. */
export interface ExplainStatement {
  readonly kind: 'ExplainStatement';
  readonly statement: SelectStatement;
  readonly analyze: boolean;
}

/** `CREATE SUBSCRIPTION name ON db.rp DESTINATIONS ALL|ANY 'h1', ...`. */
export interface CreateSubscriptionStatement {
  readonly kind: 'CreateSubscriptionStatement';
  readonly name: string;
  readonly database: string;
  readonly retentionPolicy: string;
  readonly destinations: readonly string[];
  readonly mode: 'ALL' | 'ANY';
}

/** `DROP SUBSCRIPTION name ON db.rp`. */
export interface DropSubscriptionStatement {
  readonly kind: 'DropSubscriptionStatement';
  readonly name: string;
  readonly database: string;
  readonly retentionPolicy: string;
}

/** Every statement node. */
export type Statement =
  | SelectStatement
  | ShowDatabasesStatement
  | ShowMeasurementsStatement
  | ShowSeriesStatement
  | ShowTagKeysStatement
  | ShowTagValuesStatement
  | ShowFieldKeysStatement
  | ShowMeasurementCardinalityStatement
  | ShowSeriesCardinalityStatement
  | ShowTagKeyCardinalityStatement
  | ShowTagValuesCardinalityStatement
  | ShowFieldKeyCardinalityStatement
  | ShowRetentionPoliciesStatement
  | ShowShardsStatement
  | ShowShardGroupsStatement
  | ShowContinuousQueriesStatement
  | ShowUsersStatement
  | ShowGrantsForUserStatement
  | ShowDiagnosticsStatement
  | ShowStatsStatement
  | ShowQueriesStatement
  | ShowSubscriptionsStatement
  | CreateDatabaseStatement
  | DropDatabaseStatement
  | CreateRetentionPolicyStatement
  | AlterRetentionPolicyStatement
  | DropRetentionPolicyStatement
  | CreateContinuousQueryStatement
  | DropContinuousQueryStatement
  | DropSeriesStatement
  | DeleteSeriesStatement
  | DropMeasurementStatement
  | DropShardStatement
  | KillQueryStatement
  | CreateUserStatement
  | DropUserStatement
  | SetPasswordUserStatement
  | GrantStatement
  | GrantAdminStatement
  | RevokeStatement
  | RevokeAdminStatement
  | ExplainStatement
  | CreateSubscriptionStatement
  | DropSubscriptionStatement;

/** The `kind` of every statement. */
export type StatementKind = Statement['kind'];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Visit `expr` and every sub-expression depth-first, parent before children. Return `false` from
 * `visit` to skip a node's children. Does not descend into subqueries (they are sources, not exprs).
 */
export function walkExpr(expr: Expr | null, visit: (e: Expr) => boolean | void): void {
  if (expr === null) return;
  if (visit(expr) === false) return;
  switch (expr.kind) {
    case 'BinaryExpr':
      walkExpr(expr.lhs, visit);
      walkExpr(expr.rhs, visit);
      break;
    case 'ParenExpr':
      walkExpr(expr.expr, visit);
      break;
    case 'Call':
      for (const a of expr.args) walkExpr(a, visit);
      break;
    default:
      break;
  }
}

/**
 * Rebuild `expr` bottom-up: children are rewritten first, then `fn` gets the node with its new
 * children and returns its replacement (or the same node). Unchanged subtrees keep their identity.
 */
export function rewriteExpr(expr: Expr, fn: (e: Expr) => Expr): Expr {
  switch (expr.kind) {
    case 'BinaryExpr': {
      const lhs = rewriteExpr(expr.lhs, fn);
      const rhs = rewriteExpr(expr.rhs, fn);
      return fn(lhs === expr.lhs && rhs === expr.rhs ? expr : { ...expr, lhs, rhs });
    }
    case 'ParenExpr': {
      const inner = rewriteExpr(expr.expr, fn);
      return fn(inner === expr.expr ? expr : { ...expr, expr: inner });
    }
    case 'Call': {
      const args = expr.args.map((a) => rewriteExpr(a, fn));
      return fn(args.every((a, i) => a === expr.args[i]) ? expr : { ...expr, args });
    }
    default:
      return fn(expr);
  }
}

/** True when `e` is a reference to `time` (case-insensitive, as InfluxDB treats it). */
export function isTimeRef(e: Expr): e is VarRef {
  return e.kind === 'VarRef' && e.name.toLowerCase() === 'time';
}

/** Strip any number of enclosing parentheses. */
export function unparen(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** True for comparison operators (`= != < <= > >= =~ !~`; `<>` parses as `!=`). */
export function isComparisonOp(op: BinaryOp): boolean {
  return op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' ||
    op === '>=' || op === '=~' || op === '!~';
}

/** True for arithmetic and bitwise operators (`+ - * / % & | ^`). */
export function isMathOp(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '&' || op === '|' ||
    op === '^';
}

/** The VarRef names `expr` references (fields and tags; `time` included when present). */
export function varRefNames(expr: Expr | null): string[] {
  const names: string[] = [];
  walkExpr(expr, (e) => {
    if (e.kind === 'VarRef') names.push(e.name);
  });
  return names;
}

// ---------------------------------------------------------------------------------------------
// Authorization requirements (InfluxDB's RequiredPrivileges)
// ---------------------------------------------------------------------------------------------

/** One privilege a statement needs: admin, or `privilege` on `database` ('' = the request's db). */
export interface RequiredPrivilege {
  readonly admin: boolean;
  readonly database: string;
  readonly privilege: 'NONE' | 'READ' | 'WRITE' | 'ALL';
}

const ADMIN: RequiredPrivilege = { admin: true, database: '', privilege: 'ALL' };
const need = (database: string, privilege: RequiredPrivilege['privilege']): RequiredPrivilege =>
  ({ admin: false, database, privilege });

function sourcesPrivileges(sources: readonly Source[]): RequiredPrivilege[] {
  return sources.flatMap((s) => (s.kind === 'SubQuery' ? requiredPrivileges(s.statement) : [need(s.database, 'READ')]));
}

/**
 * The privileges InfluxDB 1.6 requires to run `s` (its RequiredPrivileges, statement by statement).
 * An authorizer checks each: `admin` ones need an admin user; others need `privilege` on `database`,
 * or on the request's `db` when `database` is ''. An empty list means nothing is checked.
 */
export function requiredPrivileges(s: Statement): RequiredPrivilege[] {
  switch (s.kind) {
    case 'SelectStatement': {
      const ep = sourcesPrivileges(s.sources);
      if (s.target !== null) ep.push(need(s.target.measurement.database, 'WRITE'));
      return ep;
    }
    case 'ExplainStatement':
      return requiredPrivileges(s.statement);
    case 'ShowDatabasesStatement':
      return [need('', 'NONE')];
    case 'ShowContinuousQueriesStatement':
    case 'ShowQueriesStatement':
      return [need('', 'READ')];
    case 'ShowMeasurementsStatement':
    case 'ShowSeriesStatement':
    case 'ShowTagKeysStatement':
    case 'ShowTagValuesStatement':
    case 'ShowFieldKeysStatement':
    case 'ShowRetentionPoliciesStatement':
      return [need(s.database, 'READ')];
    case 'ShowSeriesCardinalityStatement':
    case 'ShowMeasurementCardinalityStatement':
      return s.exact ? sourcesPrivileges(s.sources) : [need(s.database, 'READ')];
    case 'ShowTagKeyCardinalityStatement':
    case 'ShowTagValuesCardinalityStatement':
    case 'ShowFieldKeyCardinalityStatement':
      return sourcesPrivileges(s.sources);
    case 'DropRetentionPolicyStatement':
    case 'DropContinuousQueryStatement':
      return [need(s.database, 'WRITE')];
    case 'DropSeriesStatement':
    case 'DeleteSeriesStatement':
      return [need('', 'WRITE')];
    case 'CreateContinuousQueryStatement': {
      const ep = [need(s.database, 'READ')];
      const target = s.source.target?.measurement.database ?? '';
      if (target !== '') ep.push(need(target, 'WRITE'));
      return ep;
    }
    default:
      // Everything else (database/RP/user/privilege/shard/subscription management, KILL QUERY,
      // DROP MEASUREMENT, SHOW USERS/GRANTS/SHARDS/SHARD GROUPS/STATS/DIAGNOSTICS/SUBSCRIPTIONS).
      return [ADMIN];
  }
}
