/**
 * Statement dispatch (a keyword tree, so "expected ..." lists come out in InfluxDB's order) and the
 * administrative statements: databases, retention policies, continuous queries, users, privileges,
 * deletes, drops, KILL, EXPLAIN, subscriptions.
 */
import type { Privilege, SelectStatement, Source, Statement } from './ast.js';
import { formatDurationLiteral, tokstr, type Tok } from './lexer.js';
import { expected, plain, positional } from './parser-base.js';
import { ShowParser } from './parser-show.js';

type Handler = (p: StatementParser) => Statement;
interface Tree {
  keys: Tok[];
  sub: Map<Tok, Tree>;
  handlers: Map<Tok, Handler>;
}

const newTree = (): Tree => ({ keys: [], sub: new Map(), handlers: new Map() });

function group(t: Tree, ...toks: Tok[]): Tree {
  let cur = t;
  for (const tok of toks) {
    let next = cur.sub.get(tok);
    if (next === undefined) {
      next = newTree();
      cur.sub.set(tok, next);
      cur.keys.push(tok);
    }
    cur = next;
  }
  return cur;
}

function handle(t: Tree, tok: Tok, fn: Handler): void {
  t.handlers.set(tok, fn);
  t.keys.push(tok);
}

/** The statement grammar's first keywords, registered in InfluxDB's order. */
const LANGUAGE: Tree = (() => {
  const root = newTree();
  handle(root, 'SELECT', (p) => p.parseSelectStatement('notRequired'));
  handle(root, 'DELETE', (p) => p.parseDeleteOrDropSeries('DeleteSeriesStatement'));
  const show = group(root, 'SHOW');
  handle(group(show, 'CONTINUOUS'), 'QUERIES', () => ({ kind: 'ShowContinuousQueriesStatement' }));
  handle(show, 'DATABASES', () => ({ kind: 'ShowDatabasesStatement' }));
  handle(show, 'DIAGNOSTICS', (p) => ({ kind: 'ShowDiagnosticsStatement', module: p.forModule() }));
  const field = group(show, 'FIELD');
  handle(field, 'KEY', (p) => p.parseShowKeyCardinality('field'));
  handle(field, 'KEYS', (p) => p.parseShowFieldKeys());
  handle(group(show, 'GRANTS'), 'FOR', (p) => ({ kind: 'ShowGrantsForUserStatement', name: p.parseIdent() }));
  handle(group(show, 'MEASUREMENT'), 'EXACT', (p) => p.parseShowMeasurementCardinality(true));
  handle(group(show, 'MEASUREMENT'), 'CARDINALITY', (p) => p.parseShowMeasurementCardinality(false));
  handle(show, 'MEASUREMENTS', (p) => p.parseShowMeasurements());
  handle(show, 'QUERIES', () => ({ kind: 'ShowQueriesStatement' }));
  handle(group(show, 'RETENTION'), 'POLICIES', (p) => p.parseShowRetentionPolicies());
  handle(show, 'SERIES', (p) => p.parseShowSeries());
  handle(group(show, 'SHARD'), 'GROUPS', () => ({ kind: 'ShowShardGroupsStatement' }));
  handle(show, 'SHARDS', () => ({ kind: 'ShowShardsStatement' }));
  handle(show, 'STATS', (p) => ({ kind: 'ShowStatsStatement', module: p.forModule() }));
  handle(show, 'SUBSCRIPTIONS', () => ({ kind: 'ShowSubscriptionsStatement' }));
  const tag = group(show, 'TAG');
  handle(tag, 'KEY', (p) => p.parseShowKeyCardinality('tag'));
  handle(tag, 'KEYS', (p) => p.parseShowTagKeys());
  handle(tag, 'VALUES', (p) => p.parseShowTagValues());
  handle(show, 'USERS', () => ({ kind: 'ShowUsersStatement' }));
  const create = group(root, 'CREATE');
  handle(group(create, 'CONTINUOUS'), 'QUERY', (p) => p.parseCreateContinuousQuery());
  handle(create, 'DATABASE', (p) => p.parseCreateDatabase());
  handle(create, 'USER', (p) => p.parseCreateUser());
  handle(group(create, 'RETENTION'), 'POLICY', (p) => p.parseCreateRetentionPolicy());
  handle(create, 'SUBSCRIPTION', (p) => p.parseCreateSubscription());
  const drop = group(root, 'DROP');
  handle(group(drop, 'CONTINUOUS'), 'QUERY', (p) => p.parseNameOnDb('DropContinuousQueryStatement'));
  handle(drop, 'DATABASE', (p) => ({ kind: 'DropDatabaseStatement', name: p.parseIdent() }));
  handle(drop, 'MEASUREMENT', (p) => ({ kind: 'DropMeasurementStatement', name: p.parseIdent() }));
  handle(group(drop, 'RETENTION'), 'POLICY', (p) => p.parseNameOnDb('DropRetentionPolicyStatement'));
  handle(drop, 'SERIES', (p) => p.parseDeleteOrDropSeries('DropSeriesStatement'));
  handle(drop, 'SHARD', (p) => ({ kind: 'DropShardStatement', id: p.parseUInt64() }));
  handle(drop, 'SUBSCRIPTION', (p) => p.parseDropSubscription());
  handle(drop, 'USER', (p) => ({ kind: 'DropUserStatement', name: p.parseIdent() }));
  handle(root, 'EXPLAIN', (p) => p.parseExplain());
  handle(root, 'GRANT', (p) => p.parseGrantOrRevoke(true));
  handle(root, 'REVOKE', (p) => p.parseGrantOrRevoke(false));
  handle(group(root, 'ALTER', 'RETENTION'), 'POLICY', (p) => p.parseAlterRetentionPolicy());
  handle(group(root, 'SET', 'PASSWORD'), 'FOR', (p) => p.parseSetPassword());
  handle(group(root, 'KILL'), 'QUERY', (p) => p.parseKillQuery());
  return root;
})();

const INT32_MAX = 2147483647;

/** The full statement parser. */
export class StatementParser extends ShowParser {
  /** Parse one statement (no leading/trailing `;` handling). */
  parseStatement(): Statement {
    let tree = LANGUAGE;
    for (;;) {
      const t = this.scanIgnoreWhitespace();
      const sub = tree.sub.get(t.tok);
      if (sub !== undefined) {
        tree = sub;
        continue;
      }
      const h = tree.handlers.get(t.tok);
      if (h !== undefined) return h(this);
      throw expected(tokstr(t.tok, t.lit), tree.keys, t.pos);
    }
  }

  /** `FOR 'module'` if present. */
  forModule(): string {
    return this.parseOptionalForModule();
  }

  /** After DELETE / DROP SERIES: `[FROM ...] [WHERE ...]`, at least one. */
  parseDeleteOrDropSeries(kind: 'DeleteSeriesStatement' | 'DropSeriesStatement'): Statement {
    const t = this.scanIgnoreWhitespace();
    let sources: Source[] = [];
    let hasFrom = false;
    if (t.tok === 'FROM') {
      hasFrom = true;
      sources = this.parseSources(false);
      let err: string | null = null;
      for (const s of sources) {
        if (s.kind !== 'Measurement') continue;
        if (s.database !== '') err = 'database not supported';
        if (s.retentionPolicy !== '') err = 'retention policy not supported';
      }
      if (err !== null) throw positional(err, { line: 0, char: 0 });
    } else {
      this.unscan();
    }
    const condition = this.parseCondition();
    if (condition === null && !hasFrom) throw expected(tokstr(t.tok, t.lit), ['FROM', 'WHERE'], t.pos);
    return { kind, sources, condition };
  }

  /** `name ON db` after DROP CONTINUOUS QUERY / DROP RETENTION POLICY. */
  parseNameOnDb(kind: 'DropContinuousQueryStatement' | 'DropRetentionPolicyStatement'): Statement {
    const name = this.parseIdent();
    this.expectOn();
    return { kind, name, database: this.parseIdent() };
  }

  private expectOn(): void {
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'ON') throw expected(tokstr(t.tok, t.lit), ['ON'], t.pos);
  }

  /** After CREATE DATABASE. */
  parseCreateDatabase(): Statement {
    const name = this.parseIdent();
    let retentionPolicyCreate = false;
    let retentionPolicyDuration: bigint | null = null;
    let retentionPolicyReplication: number | null = null;
    let retentionPolicyShardGroupDuration = 0n;
    let retentionPolicyName = '';
    if (this.scanIgnoreWhitespace().tok === 'WITH') {
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== 'DURATION' && t.tok !== 'NAME' && t.tok !== 'REPLICATION' && t.tok !== 'SHARD') {
        throw expected(tokstr(t.tok, t.lit), ['DURATION', 'NAME', 'REPLICATION', 'SHARD'], t.pos);
      }
      this.unscan();
      retentionPolicyCreate = true;
      if (this.tryToken('DURATION')) retentionPolicyDuration = this.parseDuration();
      if (this.tryToken('REPLICATION')) retentionPolicyReplication = this.parseInt(1, INT32_MAX);
      if (this.tryToken('SHARD')) {
        const d = this.scanIgnoreWhitespace();
        if (d.tok !== 'DURATION') throw expected(tokstr(d.tok, d.lit), ['DURATION'], d.pos);
        retentionPolicyShardGroupDuration = this.parseDuration();
      }
      if (this.tryToken('NAME')) retentionPolicyName = this.parseIdent();
    } else {
      this.unscan();
    }
    return {
      kind: 'CreateDatabaseStatement', name, retentionPolicyCreate, retentionPolicyDuration,
      retentionPolicyReplication, retentionPolicyName, retentionPolicyShardGroupDuration,
    };
  }

  /** `SHARD DURATION d` after SHARD was consumed; INF is rejected. */
  private parseShardDuration(): bigint {
    const d = this.scanIgnoreWhitespace();
    if (d.tok !== 'DURATION') throw expected(tokstr(d.tok, d.lit), ['DURATION'], d.pos);
    const inf = this.scanIgnoreWhitespace();
    if (inf.tok === 'INF') throw positional('invalid duration INF for shard duration', inf.pos);
    this.unscan();
    return this.parseDuration();
  }

  /** After CREATE RETENTION POLICY. */
  parseCreateRetentionPolicy(): Statement {
    const name = this.parseIdent();
    this.expectOn();
    const database = this.parseIdent();
    const d = this.scanIgnoreWhitespace();
    if (d.tok !== 'DURATION') throw expected(tokstr(d.tok, d.lit), ['DURATION'], d.pos);
    const duration = this.parseDuration();
    const r = this.scanIgnoreWhitespace();
    if (r.tok !== 'REPLICATION') throw expected(tokstr(r.tok, r.lit), ['REPLICATION'], r.pos);
    const replication = this.parseInt(1, INT32_MAX);
    let shardGroupDuration = 0n;
    if (this.tryToken('SHARD')) shardGroupDuration = this.parseShardDuration();
    const isDefault = this.tryToken('DEFAULT');
    return {
      kind: 'CreateRetentionPolicyStatement', name, database, duration, replication, shardGroupDuration,
      default: isDefault,
    };
  }

  /** After ALTER RETENTION POLICY. */
  parseAlterRetentionPolicy(): Statement {
    const t = this.scanIgnoreWhitespace();
    let name: string;
    if (t.tok === 'DEFAULT') name = 'default';
    else if (t.tok === 'IDENT') name = t.lit;
    else throw expected(tokstr(t.tok, t.lit), ['identifier'], t.pos);
    this.expectOn();
    const database = this.parseIdent();
    let duration: bigint | null = null;
    let replication: number | null = null;
    let shardGroupDuration: bigint | null = null;
    let isDefault = false;
    const found = new Set<Tok>();
    for (;;) {
      const o = this.scanIgnoreWhitespace();
      if (found.has(o.tok)) throw positional(`found duplicate ${o.tok} option`, o.pos);
      if (o.tok === 'DURATION') duration = this.parseDuration();
      else if (o.tok === 'REPLICATION') replication = this.parseInt(1, INT32_MAX);
      else if (o.tok === 'SHARD') {
        shardGroupDuration = this.parseShardDuration();
      } else if (o.tok === 'DEFAULT') isDefault = true;
      else {
        if (found.size === 0) {
          throw expected(tokstr(o.tok, o.lit), ['DURATION', 'REPLICATION', 'SHARD', 'DEFAULT'], o.pos);
        }
        this.unscan();
        break;
      }
      found.add(o.tok);
    }
    return {
      kind: 'AlterRetentionPolicyStatement', name, database, duration, replication, shardGroupDuration,
      default: isDefault,
    };
  }

  /** After CREATE CONTINUOUS QUERY (validates GROUP BY time() and RESAMPLE FOR as InfluxDB does). */
  parseCreateContinuousQuery(): Statement {
    const name = this.parseIdent();
    this.expectOn();
    const database = this.parseIdent();
    let resampleEvery = 0n;
    let resampleFor = 0n;
    if (this.scanIgnoreWhitespace().tok === 'RESAMPLE') {
      [resampleEvery, resampleFor] = this.parseResample();
    } else {
      this.unscan();
    }
    this.parseTokens(['BEGIN', 'SELECT']);
    const source = this.parseSelectStatement('required');
    let interval = 0n;
    if (!source.isRawQuery) {
      let err: string | null = null;
      try {
        interval = groupByInterval(source);
      } catch (e) {
        err = (e as Error).message;
      }
      if (interval === 0n || err !== null) {
        this.unscan();
        this.unscan();
        const t = this.scanIgnoreWhitespace();
        throw expected(tokstr(t.tok, t.lit), err === null ? ['GROUP BY time(...)'] : ['GROUP BY time(...)', err], t.pos);
      }
    }
    const end = this.scanIgnoreWhitespace();
    if (end.tok !== 'END') throw expected(tokstr(end.tok, end.lit), ['END'], end.pos);
    // Validation as InfluxDB does it after parsing.
    let iv = groupByIntervalOrThrowPlain(source);
    if (resampleFor !== 0n) {
      if (resampleEvery !== 0n && resampleEvery > iv) iv = resampleEvery;
      if (iv > resampleFor) {
        throw plain(`FOR duration must be >= GROUP BY time duration: must be a minimum of ${formatDurationLiteral(iv)}, ` +
          `got ${formatDurationLiteral(resampleFor)}`);
      }
    }
    return { kind: 'CreateContinuousQueryStatement', name, database, source, resampleEvery, resampleFor };
  }

  private parseResample(): [bigint, bigint] {
    const dur = (): bigint => {
      const t = this.scanIgnoreWhitespace();
      if (t.tok !== 'DURATIONVAL') throw expected(tokstr(t.tok, t.lit), ['duration'], t.pos);
      this.unscan();
      return this.parseDuration();
    };
    let every = 0n;
    let forD = 0n;
    if (this.scanIgnoreWhitespace().tok === 'EVERY') every = dur();
    else this.unscan();
    if (this.scanIgnoreWhitespace().tok === 'FOR') forD = dur();
    else this.unscan();
    if (every === 0n && forD === 0n) {
      const t = this.scanIgnoreWhitespace();
      throw expected(tokstr(t.tok, t.lit), ['EVERY', 'FOR'], t.pos);
    }
    return [every, forD];
  }

  /** After CREATE USER. */
  parseCreateUser(): Statement {
    const name = this.parseIdent();
    this.parseTokens(['WITH', 'PASSWORD']);
    const password = this.parseString();
    if (this.scanIgnoreWhitespace().tok !== 'WITH') {
      this.unscan();
      return { kind: 'CreateUserStatement', name, password, admin: false };
    }
    this.parseTokens(['ALL', 'PRIVILEGES']);
    return { kind: 'CreateUserStatement', name, password, admin: true };
  }

  /** After SET PASSWORD FOR. */
  parseSetPassword(): Statement {
    const name = this.parseIdent();
    const eq = this.scanIgnoreWhitespace();
    if (eq.tok !== '=') throw expected(tokstr(eq.tok, eq.lit), ['='], eq.pos);
    return { kind: 'SetPasswordUserStatement', name, password: this.parseString() };
  }

  private parsePrivilege(): Privilege {
    const t = this.scanIgnoreWhitespace();
    if (t.tok === 'READ') return 'READ';
    if (t.tok === 'WRITE') return 'WRITE';
    if (t.tok === 'ALL') {
      if (this.scanIgnoreWhitespace().tok !== 'PRIVILEGES') this.unscan();
      return 'ALL';
    }
    throw expected(tokstr(t.tok, t.lit), ['READ', 'WRITE', 'ALL [PRIVILEGES]'], t.pos);
  }

  /** After GRANT / REVOKE. */
  parseGrantOrRevoke(grant: boolean): Statement {
    const privilege = this.parsePrivilege();
    const to: Tok = grant ? 'TO' : 'FROM';
    const t = this.scanIgnoreWhitespace();
    if (t.tok === 'ON') {
      const on = this.parseIdent();
      const k = this.scanIgnoreWhitespace();
      if (k.tok !== to) throw expected(tokstr(k.tok, k.lit), [to], k.pos);
      const user = this.parseIdent();
      return grant
        ? { kind: 'GrantStatement', privilege, on, user }
        : { kind: 'RevokeStatement', privilege, on, user };
    }
    if (t.tok === to) {
      if (privilege !== 'ALL') throw expected(tokstr(t.tok, t.lit), ['ON'], t.pos);
      const user = this.parseIdent();
      return grant ? { kind: 'GrantAdminStatement', user } : { kind: 'RevokeAdminStatement', user };
    }
    throw expected(tokstr(t.tok, t.lit), privilege === 'ALL' ? ['ON', to] : ['ON'], t.pos);
  }

  /** After KILL QUERY. */
  parseKillQuery(): Statement {
    const queryId = this.parseUInt64();
    let host = '';
    if (this.scanIgnoreWhitespace().tok === 'ON') host = this.parseIdent();
    else this.unscan();
    return { kind: 'KillQueryStatement', queryId, host };
  }

  /** After EXPLAIN. */
  parseExplain(): Statement {
    const analyze = this.tryToken('ANALYZE');
    const t = this.scanIgnoreWhitespace();
    if (t.tok !== 'SELECT') throw expected(tokstr(t.tok, t.lit), ['SELECT'], t.pos);
    return { kind: 'ExplainStatement', statement: this.parseSelectStatement('notRequired'), analyze };
  }

  /** After CREATE SUBSCRIPTION. */
  parseCreateSubscription(): Statement {
    const name = this.parseIdent();
    this.expectOn();
    const database = this.parseIdent();
    const dot = this.scan();
    if (dot.tok !== '.') throw expected(tokstr(dot.tok, dot.lit), ['.'], dot.pos);
    const retentionPolicy = this.parseIdent();
    const d = this.scanIgnoreWhitespace();
    if (d.tok !== 'DESTINATIONS') throw expected(tokstr(d.tok, d.lit), ['DESTINATIONS'], d.pos);
    const m = this.scanIgnoreWhitespace();
    if (m.tok !== 'ALL' && m.tok !== 'ANY') throw expected(tokstr(m.tok, m.lit), ['ALL', 'ANY'], m.pos);
    const destinations = this.parseStringList();
    return { kind: 'CreateSubscriptionStatement', name, database, retentionPolicy, destinations, mode: m.tok };
  }

  /** After DROP SUBSCRIPTION. */
  parseDropSubscription(): Statement {
    const name = this.parseIdent();
    this.expectOn();
    const database = this.parseIdent();
    const dot = this.scan();
    if (dot.tok !== '.') throw expected(tokstr(dot.tok, dot.lit), ['.'], dot.pos);
    return { kind: 'DropSubscriptionStatement', name, database, retentionPolicy: this.parseIdent() };
  }
}

/**
 * The GROUP BY time() interval of a SELECT in ns (0n when none). Throws Error with InfluxDB's text
 * when the time() dimension is malformed.
 */
export function groupByInterval(s: SelectStatement): bigint {
  for (const d of s.dimensions) {
    const e = d.expr;
    if (e.kind === 'Call' && e.name === 'time') {
      if (e.args.length < 1 || e.args.length > 2) throw new Error('time dimension expected 1 or 2 arguments');
      const a = e.args[0]!;
      if (a.kind !== 'DurationLiteral') throw new Error('time dimension must have duration argument');
      return a.value;
    }
  }
  return 0n;
}

function groupByIntervalOrThrowPlain(s: SelectStatement): bigint {
  try {
    return groupByInterval(s);
  } catch (e) {
    throw plain((e as Error).message);
  }
}
