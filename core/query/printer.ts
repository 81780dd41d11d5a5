/**
 * InfluxQL printer: the String() form InfluxDB 1.6 gives statements and expressions (used in
 * SHOW CONTINUOUS QUERIES output and in messages). Passwords print as [REDACTED], as InfluxDB does.
 */
import type {
  Dimension,
  Expr,
  Field,
  Measurement,
  Privilege,
  SelectStatement,
  SortField,
  Source,
  Statement,
} from './ast.js';
import { formatDurationLiteral, goDurationString, quoteIdent, quoteString } from './lexer.js';

/** InfluxDB's String() of an expression. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'VarRef':
      return quoteIdent(e.name) + (e.dataType === '' ? '' : `::${e.dataType}`);
    case 'Call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'BinaryExpr':
      return `${printExpr(e.lhs)} ${e.op} ${printExpr(e.rhs)}`;
    case 'ParenExpr':
      return `(${printExpr(e.expr)})`;
    case 'NumberLiteral':
      return formatFixed3(e.value);
    case 'IntegerLiteral':
    case 'UnsignedLiteral':
      return e.value.toString();
    case 'StringLiteral':
      return quoteString(e.value);
    case 'BooleanLiteral':
      return e.value ? 'true' : 'false';
    case 'DurationLiteral':
      return formatDurationLiteral(e.value);
    case 'TimeLiteral':
      return `'${formatRfc3339Nano(e.value)}'`;
    case 'RegexLiteral':
      return printRegex(e.pattern);
    case 'ListLiteral':
      return `(${e.values.map((v) => quoteIdent(v)).join(', ')})`;
    case 'NilLiteral':
      return 'nil';
    case 'Wildcard':
      return e.type === '' ? '*' : `*::${e.type}`;
    case 'Distinct':
      return `DISTINCT ${e.name}`;
  }
}

/** `/pattern/` with `/` escaped. */
function printRegex(pattern: string): string {
  return `/${pattern.replace(/\//g, '\\/')}/`;
}

/** Go's strconv.FormatFloat(v, 'f', 3, 64): exact decimal rounding, ties to even. */
function formatFixed3(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  // v = mant * 2^exp exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let q: bigint;
  if (exp >= 0) {
    q = (mant << BigInt(exp)) * 1000n;
  } else {
    const den = 1n << BigInt(-exp);
    const num = mant * 1000n;
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(4, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** Go's %v of a float64 (shortest repr, exponent when < 1e-4 or >= 1e21). */
function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const abs = Math.abs(v);
  if (abs < 1e-4 || abs >= 1e21) {
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const n = Number(exp);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v);
}

/** RFC3339 with nanoseconds, trailing zeros trimmed (Go's time.RFC3339Nano), UTC. */
export function formatRfc3339Nano(ns: bigint): string {
  const rem = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const secs = (ns - rem) / 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const frac = rem === 0n ? '' : '.' + rem.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac}Z`;
}

function printSources(sources: readonly Source[]): string {
  return sources.map(printSource).join(', ');
}

/** InfluxDB's String() of a FROM source. */
export function printSource(s: Source): string {
  if (s.kind === 'SubQuery') return `(${printSelect(s.statement)})`;
  return printMeasurement(s);
}

function printMeasurement(m: Measurement): string {
  let out = '';
  if (m.database !== '') out += quoteIdent(m.database) + '.';
  if (m.retentionPolicy !== '') out += quoteIdent(m.retentionPolicy);
  if (m.database !== '' || m.retentionPolicy !== '') out += '.';
  if (m.name !== '') out += quoteIdent(m.name);
  else if (m.regex !== null) out += printRegex(m.regex.pattern);
  return out;
}

function printField(f: Field): string {
  const s = printExpr(f.expr);
  return f.alias === '' ? s : `${s} AS ${quoteIdent(f.alias)}`;
}

function printDimensions(d: readonly Dimension[]): string {
  return d.map((x) => printExpr(x.expr)).join(', ');
}

function printSortFields(fields: readonly SortField[]): string {
  return fields.map((f) => (f.name !== '' ? `${f.name} ` : '') + (f.ascending ? 'ASC' : 'DESC')).join(', ');
}

function printPrivilege(p: Privilege): string {
  return p === 'ALL' ? 'ALL PRIVILEGES' : p;
}

/** Shared tail writer: ` WHERE ...`, ` GROUP BY ...`, ` ORDER BY ...`, ` LIMIT n`, ` OFFSET n`. */
function tail(parts: {
  condition?: Expr | null;
  dimensions?: readonly Dimension[];
  sortFields?: readonly SortField[];
  limit?: number;
  offset?: number;
  sLimit?: number;
  sOffset?: number;
}): string {
  let out = '';
  if (parts.condition) out += ` WHERE ${printExpr(parts.condition)}`;
  if (parts.dimensions && parts.dimensions.length > 0) out += ` GROUP BY ${printDimensions(parts.dimensions)}`;
  if (parts.sortFields && parts.sortFields.length > 0) out += ` ORDER BY ${printSortFields(parts.sortFields)}`;
  if (parts.limit) out += ` LIMIT ${parts.limit}`;
  if (parts.offset) out += ` OFFSET ${parts.offset}`;
  if (parts.sLimit) out += ` SLIMIT ${parts.sLimit}`;
  if (parts.sOffset) out += ` SOFFSET ${parts.sOffset}`;
  return out;
}

const on = (db: string): string => (db !== '' ? ` ON ${quoteIdent(db)}` : '');
const from = (sources: readonly Source[]): string => (sources.length > 0 ? ` FROM ${printSources(sources)}` : '');

/** InfluxDB's String() of a SELECT. */
export function printSelect(s: SelectStatement): string {
  let out = `SELECT ${s.fields.map(printField).join(', ')}`;
  if (s.target !== null) {
    out += ` INTO ${printMeasurement(s.target.measurement)}`;
    if (s.target.measurement.name === '') out += ':MEASUREMENT';
  }
  out += from(s.sources);
  if (s.condition !== null) out += ` WHERE ${printExpr(s.condition)}`;
  if (s.dimensions.length > 0) out += ` GROUP BY ${printDimensions(s.dimensions)}`;
  switch (s.fill) {
    case 'none':
      out += ' fill(none)';
      break;
    case 'number':
      out += ` fill(${typeof s.fillValue === 'number' ? formatGoFloat(s.fillValue) : String(s.fillValue)})`;
      break;
    case 'linear':
      out += ' fill(linear)';
      break;
    case 'previous':
      out += ' fill(previous)';
      break;
    default:
      break;
  }
  out += tail({ sortFields: s.sortFields, limit: s.limit, offset: s.offset, sLimit: s.sLimit, sOffset: s.sOffset });
  if (s.location !== null) out += ` TZ('${s.location}')`;
  return out;
}

/** InfluxDB's String() of any statement. */
export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'SelectStatement':
      return printSelect(s);
    case 'ShowDatabasesStatement':
      return 'SHOW DATABASES';
    case 'ShowMeasurementsStatement': {
      let out = 'SHOW MEASUREMENTS';
      if (s.database !== '') out += ` ON ${s.database}`;
      if (s.source !== null) {
        out += ` WITH MEASUREMENT ${s.source.regex !== null ? '=~' : '='} ${printMeasurement(s.source)}`;
      }
      return out + tail(s);
    }
    case 'ShowSeriesStatement':
      return 'SHOW SERIES' + on(s.database) + from(s.sources) + tail(s);
    case 'ShowTagKeysStatement':
      return 'SHOW TAG KEYS' + on(s.database) + from(s.sources) + tail(s);
    case 'ShowTagValuesStatement':
      return 'SHOW TAG VALUES' + on(s.database) + from(s.sources) + withKey(s.op, s.tagKeyExpr) + tail(s);
    case 'ShowFieldKeysStatement':
      return 'SHOW FIELD KEYS' + on(s.database) + from(s.sources) + tail(s);
    case 'ShowMeasurementCardinalityStatement':
      return `SHOW MEASUREMENT${s.exact ? ' EXACT' : ''} CARDINALITY` + on(s.database) + from(s.sources) + tail(s);
    case 'ShowSeriesCardinalityStatement':
      return `SHOW SERIES${s.exact ? ' EXACT' : ''} CARDINALITY` + on(s.database) + from(s.sources) + tail(s);
    case 'ShowTagKeyCardinalityStatement':
      return `SHOW TAG KEY ${s.exact ? 'EXACT ' : ''}CARDINALITY` + on(s.database) + from(s.sources) + tail(s);
    case 'ShowFieldKeyCardinalityStatement':
      return `SHOW FIELD KEY ${s.exact ? 'EXACT ' : ''}CARDINALITY` + on(s.database) + from(s.sources) + tail(s);
    case 'ShowTagValuesCardinalityStatement':
      return `SHOW TAG VALUES ${s.exact ? 'EXACT ' : ''}CARDINALITY` + on(s.database) + from(s.sources) +
        withKey(s.op, s.tagKeyExpr) + tail(s);
    case 'ShowRetentionPoliciesStatement':
      return 'SHOW RETENTION POLICIES' + on(s.database);
    case 'ShowShardsStatement':
      return 'SHOW SHARDS';
    case 'ShowShardGroupsStatement':
      return 'SHOW SHARD GROUPS';
    case 'ShowContinuousQueriesStatement':
      return 'SHOW CONTINUOUS QUERIES';
    case 'ShowUsersStatement':
      return 'SHOW USERS';
    case 'ShowGrantsForUserStatement':
      return `SHOW GRANTS FOR ${quoteIdent(s.name)}`;
    case 'ShowDiagnosticsStatement':
      return 'SHOW DIAGNOSTICS' + (s.module !== '' ? ` FOR ${quoteString(s.module)}` : '');
    case 'ShowStatsStatement':
      return 'SHOW STATS' + (s.module !== '' ? ` FOR ${quoteString(s.module)}` : '');
    case 'ShowQueriesStatement':
      return 'SHOW QUERIES';
    case 'ShowSubscriptionsStatement':
      return 'SHOW SUBSCRIPTIONS';
    case 'CreateDatabaseStatement': {
      let out = `CREATE DATABASE ${quoteIdent(s.name)}`;
      if (s.retentionPolicyCreate) {
        out += ' WITH';
        if (s.retentionPolicyDuration !== null) out += ` DURATION ${goDurationString(s.retentionPolicyDuration)}`;
        if (s.retentionPolicyReplication !== null) out += ` REPLICATION ${s.retentionPolicyReplication}`;
        if (s.retentionPolicyShardGroupDuration > 0n) {
          out += ` SHARD DURATION ${goDurationString(s.retentionPolicyShardGroupDuration)}`;
        }
        if (s.retentionPolicyName !== '') out += ` NAME ${quoteIdent(s.retentionPolicyName)}`;
      }
      return out;
    }
    case 'DropDatabaseStatement':
      return `DROP DATABASE ${quoteIdent(s.name)}`;
    case 'CreateRetentionPolicyStatement': {
      let out = `CREATE RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)} DURATION ` +
        `${formatDurationLiteral(s.duration)} REPLICATION ${s.replication}`;
      if (s.shardGroupDuration > 0n) out += ` SHARD DURATION ${formatDurationLiteral(s.shardGroupDuration)}`;
      if (s.default) out += ' DEFAULT';
      return out;
    }
    case 'AlterRetentionPolicyStatement': {
      let out = `ALTER RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`;
      if (s.duration !== null) out += ` DURATION ${formatDurationLiteral(s.duration)}`;
      if (s.replication !== null) out += ` REPLICATION ${s.replication}`;
      if (s.shardGroupDuration !== null) out += ` SHARD DURATION ${formatDurationLiteral(s.shardGroupDuration)}`;
      if (s.default) out += ' DEFAULT';
      return out;
    }
    case 'DropRetentionPolicyStatement':
      return `DROP RETENTION POLICY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`;
    case 'CreateContinuousQueryStatement': {
      let out = `CREATE CONTINUOUS QUERY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)} `;
      if (s.resampleEvery > 0n || s.resampleFor > 0n) {
        out += 'RESAMPLE ';
        if (s.resampleEvery > 0n) out += `EVERY ${formatDurationLiteral(s.resampleEvery)} `;
        if (s.resampleFor > 0n) out += `FOR ${formatDurationLiteral(s.resampleFor)} `;
      }
      return `${out}BEGIN ${printSelect(s.source)} END`;
    }
    case 'DropContinuousQueryStatement':
      return `DROP CONTINUOUS QUERY ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}`;
    case 'DropSeriesStatement':
      return 'DROP SERIES' + from(s.sources) + tail({ condition: s.condition });
    case 'DeleteSeriesStatement':
      return 'DELETE' + from(s.sources) + tail({ condition: s.condition });
    case 'DropMeasurementStatement':
      return `DROP MEASUREMENT ${quoteIdent(s.name)}`;
    case 'DropShardStatement':
      return `DROP SHARD ${s.id}`;
    case 'KillQueryStatement':
      return `KILL QUERY ${s.queryId}` + (s.host !== '' ? ` ON ${quoteIdent(s.host)}` : '');
    case 'CreateUserStatement':
      return `CREATE USER ${quoteIdent(s.name)} WITH PASSWORD [REDACTED]` + (s.admin ? ' WITH ALL PRIVILEGES' : '');
    case 'DropUserStatement':
      return `DROP USER ${quoteIdent(s.name)}`;
    case 'SetPasswordUserStatement':
      return `SET PASSWORD FOR ${quoteIdent(s.name)} = [REDACTED]`;
    case 'GrantStatement':
      return `GRANT ${printPrivilege(s.privilege)} ON ${quoteIdent(s.on)} TO ${quoteIdent(s.user)}`;
    case 'GrantAdminStatement':
      return `GRANT ALL PRIVILEGES TO ${quoteIdent(s.user)}`;
    case 'RevokeStatement':
      return `REVOKE ${printPrivilege(s.privilege)} ON ${quoteIdent(s.on)} FROM ${quoteIdent(s.user)}`;
    case 'RevokeAdminStatement':
      return `REVOKE ALL PRIVILEGES FROM ${quoteIdent(s.user)}`;
    case 'ExplainStatement':
      return `EXPLAIN ${s.analyze ? 'ANALYZE ' : ''}${printSelect(s.statement)}`;
    case 'CreateSubscriptionStatement':
      return `CREATE SUBSCRIPTION ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}.${quoteIdent(s.retentionPolicy)} ` +
        `DESTINATIONS ${s.mode} ${s.destinations.map(quoteString).join(', ')}`;
    case 'DropSubscriptionStatement':
      return `DROP SUBSCRIPTION ${quoteIdent(s.name)} ON ${quoteIdent(s.database)}.${quoteIdent(s.retentionPolicy)}`;
  }
}

function withKey(op: string, e: Expr): string {
  return ` WITH KEY ${op} ${e.kind === 'StringLiteral' ? quoteIdent(e.value) : printExpr(e)}`;
}

/** Statements joined the way InfluxDB prints a whole query (`;\n`). */
export function printQuery(statements: readonly Statement[]): string {
  return statements.map(printStatement).join(';\n');
}
