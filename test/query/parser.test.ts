import test from 'ava';
import type { Expr, SelectStatement, Statement } from '../../core/query/ast.js';
import { isTimeRef, requiredPrivileges, rewriteExpr, unparen, varRefNames, walkExpr } from '../../core/query/ast.js';
import { groupByInterval, parseExpr, parseQuery, parseQueryParams, parseStatement } from '../../core/query/parser.js';
import { hasCode } from '../../core/errors.js';

const v = (name: string, dataType: '' | 'field' | 'tag' | 'integer' | 'float' = ''): Expr =>
  ({ kind: 'VarRef', name, dataType });
const int = (n: bigint): Expr => ({ kind: 'IntegerLiteral', value: n });
const bin = (op: string, lhs: Expr, rhs: Expr): Expr => ({ kind: 'BinaryExpr', op, lhs, rhs }) as Expr;

function select(q: string): SelectStatement {
  const s = parseStatement(q);
  if (s.kind !== 'SelectStatement') throw new Error(`not a select: ${s.kind}`);
  return s;
}

test('a full SELECT parses into every clause', (t) => {
  const s = select(
    "SELECT mean(\"v\") AS m, host INTO db.rp.:MEASUREMENT FROM \"db\".\"rp\".cpu, /^mem/ WHERE time > now() - 1h " +
      "AND host =~ /a\\/b/ GROUP BY time(1m, 10s), host fill(previous) ORDER BY time DESC LIMIT 5 OFFSET 2 " +
      "SLIMIT 3 SOFFSET 1 tz('Europe/Paris')",
  );
  t.deepEqual(s.fields, [
    { expr: { kind: 'Call', name: 'mean', args: [v('v')] }, alias: 'm' },
    { expr: v('host'), alias: '' },
  ]);
  t.deepEqual(s.target, {
    measurement: { kind: 'Measurement', database: 'db', retentionPolicy: 'rp', name: '', regex: null, isTarget: true },
  });
  t.deepEqual(s.sources, [
    { kind: 'Measurement', database: 'db', retentionPolicy: 'rp', name: 'cpu', regex: null, isTarget: false },
    { kind: 'Measurement', database: '', retentionPolicy: '', name: '', regex: { kind: 'RegexLiteral', pattern: '^mem' }, isTarget: false },
  ]);
  t.deepEqual(s.condition, bin('AND',
    bin('>', v('time'), bin('-', { kind: 'Call', name: 'now', args: [] }, { kind: 'DurationLiteral', value: 3_600_000_000_000n })),
    bin('=~', v('host'), { kind: 'RegexLiteral', pattern: 'a/b' })));
  t.deepEqual(s.dimensions, [
    { expr: { kind: 'Call', name: 'time', args: [{ kind: 'DurationLiteral', value: 60_000_000_000n }, { kind: 'DurationLiteral', value: 10_000_000_000n }] } },
    { expr: v('host') },
  ]);
  t.is(s.fill, 'previous');
  t.deepEqual(s.sortFields, [{ name: 'time', ascending: false }]);
  t.deepEqual([s.limit, s.offset, s.sLimit, s.sOffset], [5, 2, 3, 1]);
  t.is(s.location, 'Europe/Paris');
  t.false(s.isRawQuery);
  t.is(groupByInterval(s), 60_000_000_000n);
});

test('operators bind by InfluxQL precedence: * / % & over + - | ^ over comparisons over AND over OR', (t) => {
  t.deepEqual(parseExpr('a + b * c - d'), bin('-', bin('+', v('a'), bin('*', v('b'), v('c'))), v('d')));
  t.deepEqual(parseExpr('a | b & c'), bin('|', v('a'), bin('&', v('b'), v('c'))));
  t.deepEqual(parseExpr('a = 1 OR b = 2 AND c = 3'),
    bin('OR', bin('=', v('a'), int(1n)), bin('AND', bin('=', v('b'), int(2n)), bin('=', v('c'), int(3n)))));
  t.deepEqual(parseExpr('(a + b) * c'), bin('*', { kind: 'ParenExpr', expr: bin('+', v('a'), v('b')) }, v('c')));
  t.deepEqual(parseExpr('a <> b'), bin('!=', v('a'), v('b')));
});

test('unary minus folds into literals and multiplies references by -1', (t) => {
  t.deepEqual(parseExpr('-5'), int(-5n));
  t.deepEqual(parseExpr('-1.5'), { kind: 'NumberLiteral', value: -1.5 });
  t.deepEqual(parseExpr('-10s'), { kind: 'DurationLiteral', value: -10_000_000_000n });
  t.deepEqual(parseExpr('-x'), bin('*', int(-1n), v('x')));
  t.deepEqual(parseExpr('-9223372036854775808'), int(-9223372036854775808n));
  t.deepEqual(parseExpr('9223372036854775808'), { kind: 'UnsignedLiteral', value: 9223372036854775808n });
});

test('numbers: digits are integers (bigint), a decimal point makes a float', (t) => {
  t.deepEqual(parseExpr('42'), int(42n));
  t.deepEqual(parseExpr('42.0'), { kind: 'NumberLiteral', value: 42 });
  t.deepEqual(parseExpr('.5'), { kind: 'NumberLiteral', value: 0.5 });
});

test('durations accept every unit and combinations', (t) => {
  const d = (s: string) => (parseExpr(s) as { value: bigint }).value;
  t.is(d('1ns'), 1n);
  t.is(d('1u'), 1_000n);
  t.is(d('1µ'), 1_000n);
  t.is(d('1ms'), 1_000_000n);
  t.is(d('1s'), 1_000_000_000n);
  t.is(d('1m'), 60_000_000_000n);
  t.is(d('1h30m'), 5_400_000_000_000n);
  t.is(d('1d'), 86_400_000_000_000n);
  t.is(d('2w'), 1_209_600_000_000_000n);
  t.is(d('1577836800000ms'), 1_577_836_800_000_000_000n);
  t.throws(() => parseExpr('10x'), { message: 'error parsing query: invalid duration' });
  t.throws(() => parseExpr('15251w'), {
    message: 'error parsing query: overflowed duration 15251w: choose a smaller duration or INF',
  });
});

test('casts, wildcards, regex fields and DISTINCT', (t) => {
  const s = select('SELECT a::integer, b::tag, c::field, *::field, /^u/, DISTINCT d, distinct(e) FROM m');
  t.deepEqual(s.fields.map((f) => f.expr), [
    v('a', 'integer'), v('b', 'tag'), v('c', 'field'), { kind: 'Wildcard', type: 'field' },
    { kind: 'RegexLiteral', pattern: '^u' }, { kind: 'Distinct', name: 'd' },
    { kind: 'Call', name: 'distinct', args: [v('e')] },
  ]);
  t.true(select('SELECT a, b FROM m').isRawQuery);
});

test('identifiers: quoted keywords, escapes, and dotted names', (t) => {
  const s = select('SELECT "select", "a\\"b", "x.y", a.b FROM "from"');
  t.deepEqual(s.fields.map((f) => f.expr), [v('select'), v('a"b'), v('x.y'), v('a.b')]);
  t.is((s.sources[0] as { name: string }).name, 'from');
  t.deepEqual(select("SELECT a FROM m WHERE s = 'it\\'s\\n'").condition, bin('=', v('s'), { kind: 'StringLiteral', value: "it's\n" }));
});

test('FROM forms: db.rp.m, db..m, rp.m, regex with prefixes, subqueries', (t) => {
  const src = select('SELECT a FROM d.r.m, d..m, r.m, d.r./x/, (SELECT b FROM n)').sources;
  t.deepEqual(src.map((s) => (s.kind === 'Measurement' ? [s.database, s.retentionPolicy, s.name, s.regex?.pattern ?? null] : 'sub')), [
    ['d', 'r', 'm', null], ['d', '', 'm', null], ['', 'r', 'm', null], ['d', 'r', '', 'x'], 'sub',
  ]);
});

test('bound parameters take the type of their value', (t) => {
  const rhs = (p: unknown) => ((parseStatement('SELECT a FROM m WHERE x = $p', { p }) as SelectStatement).condition as { rhs: Expr }).rhs;
  t.deepEqual(rhs('b'), { kind: 'StringLiteral', value: 'b' });
  t.deepEqual(rhs(2), int(2n));
  t.deepEqual(rhs(2.5), { kind: 'NumberLiteral', value: 2.5 });
  t.deepEqual(rhs(true), { kind: 'BooleanLiteral', value: true });
  t.deepEqual(rhs({ float: 2 }), { kind: 'NumberLiteral', value: 2 });
  t.deepEqual(rhs({ duration: '1h' }), { kind: 'DurationLiteral', value: 3_600_000_000_000n });
  t.deepEqual(rhs({ ident: 'host' }), v('host'));
  t.deepEqual(rhs({ regex: '^a' }), { kind: 'RegexLiteral', pattern: '^a' });
  t.throws(() => parseQuery('SELECT a FROM m WHERE x = $q', { p: 1 }), { message: 'error parsing query: missing parameter: q' });
  // InfluxDB reports unbindable values through its "missing parameter" path, text included.
  t.throws(() => rhs(null), { message: 'error parsing query: missing parameter: unable to bind parameter with type <nil>' });
  t.throws(() => rhs([1]), { message: 'error parsing query: missing parameter: unable to bind parameter with type []interface {}' });
  t.deepEqual(parseStatement('SELECT a FROM $m', { m: { ident: 'cpu' } }), parseStatement('SELECT a FROM cpu'));
});

test('parseQueryParams types numbers as InfluxDB does: a dot makes a float, else int64', (t) => {
  const p = parseQueryParams('{"a": 1.0, "b": 2, "c": "s", "d": false, "e": -7}');
  t.deepEqual(p, {
    a: { kind: 'NumberLiteral', value: 1 }, b: { kind: 'IntegerLiteral', value: 2n }, c: 's', d: false,
    e: { kind: 'IntegerLiteral', value: -7n },
  });
  const rhs = (parseStatement('SELECT x FROM m WHERE v > $a', p) as SelectStatement).condition as { rhs: Expr };
  t.deepEqual(rhs.rhs, { kind: 'NumberLiteral', value: 1 });
  t.throws(() => parseQueryParams('{"a": 1e5}'), {
    message: 'error parsing json value: strconv.ParseInt: parsing "1e5": invalid syntax',
  });
  t.throws(() => parseQueryParams('{"a": 9223372036854775808}'), {
    message: 'error parsing json value: strconv.ParseInt: parsing "9223372036854775808": value out of range',
  });
  t.throws(() => parseQueryParams('{'), { code: 'ERR_QUERY_PARSE' });
});

test('several statements, empty statements and comments', (t) => {
  const stmts = parseQuery('SELECT a FROM m; ;SHOW DATABASES; -- trailing\n /* block */ SHOW USERS;');
  t.deepEqual(stmts.map((s) => s.kind), ['SelectStatement', 'ShowDatabasesStatement', 'ShowUsersStatement']);
  t.deepEqual(parseQuery(''), []);
  t.deepEqual(parseQuery('-- only a comment'), []);
  // InfluxDB 1.6.7 quirk: a block comment right after a measurement name is read as a regex.
  t.throws(() => parseQuery("SELECT v FROM q /* inline */ WHERE host = 'a'"), {
    message: 'error parsing query: found  , expected regex at line 1, char 16',
  });
});

test('errors carry ERR_QUERY_PARSE and line/char positions across lines', (t) => {
  const err = t.throws(() => parseQuery('SELECT a\nFROM cpu\nWHERE'));
  t.true(hasCode(err, 'ERR_QUERY_PARSE'));
  t.is(err?.message, 'error parsing query: found EOF, expected identifier, string, number, bool at line 3, char 7');
  t.throws(() => parseQuery('SELECT a FROM m SELECT b FROM m'), {
    message: 'error parsing query: found SELECT, expected ; at line 1, char 17',
  });
});

const kinds: Array<[string, Statement['kind']]> = [
  ['SHOW DATABASES', 'ShowDatabasesStatement'],
  ["SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /c.*/ WHERE a = 'b' LIMIT 1 OFFSET 1", 'ShowMeasurementsStatement'],
  ['SHOW SERIES ON db FROM cpu WHERE a = 1 LIMIT 2', 'ShowSeriesStatement'],
  ['SHOW TAG KEYS ON db FROM cpu LIMIT 1 SLIMIT 2', 'ShowTagKeysStatement'],
  ['SHOW TAG VALUES ON db FROM cpu WITH KEY IN (a, "b") WHERE x = 1', 'ShowTagValuesStatement'],
  ['SHOW FIELD KEYS ON db FROM cpu', 'ShowFieldKeysStatement'],
  ['SHOW MEASUREMENT EXACT CARDINALITY ON db', 'ShowMeasurementCardinalityStatement'],
  ['SHOW SERIES CARDINALITY FROM cpu WHERE a = 1 GROUP BY b', 'ShowSeriesCardinalityStatement'],
  ['SHOW TAG KEY CARDINALITY', 'ShowTagKeyCardinalityStatement'],
  ['SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host', 'ShowTagValuesCardinalityStatement'],
  ['SHOW FIELD KEY EXACT CARDINALITY ON db', 'ShowFieldKeyCardinalityStatement'],
  ['SHOW RETENTION POLICIES ON db', 'ShowRetentionPoliciesStatement'],
  ['SHOW SHARDS', 'ShowShardsStatement'],
  ['SHOW SHARD GROUPS', 'ShowShardGroupsStatement'],
  ['SHOW CONTINUOUS QUERIES', 'ShowContinuousQueriesStatement'],
  ['SHOW USERS', 'ShowUsersStatement'],
  ['SHOW GRANTS FOR bob', 'ShowGrantsForUserStatement'],
  ["SHOW DIAGNOSTICS FOR 'build'", 'ShowDiagnosticsStatement'],
  ['SHOW STATS', 'ShowStatsStatement'],
  ['SHOW QUERIES', 'ShowQueriesStatement'],
  ['SHOW SUBSCRIPTIONS', 'ShowSubscriptionsStatement'],
  ['CREATE DATABASE d WITH DURATION 1d REPLICATION 1 SHARD DURATION 1h NAME r', 'CreateDatabaseStatement'],
  ['DROP DATABASE d', 'DropDatabaseStatement'],
  ['CREATE RETENTION POLICY r ON d DURATION INF REPLICATION 1 SHARD DURATION 1w DEFAULT', 'CreateRetentionPolicyStatement'],
  ['ALTER RETENTION POLICY r ON d DURATION 2d DEFAULT', 'AlterRetentionPolicyStatement'],
  ['DROP RETENTION POLICY r ON d', 'DropRetentionPolicyStatement'],
  ['CREATE CONTINUOUS QUERY c ON d RESAMPLE EVERY 1m FOR 1h BEGIN SELECT mean(v) INTO x FROM m GROUP BY time(10m) END', 'CreateContinuousQueryStatement'],
  ['DROP CONTINUOUS QUERY c ON d', 'DropContinuousQueryStatement'],
  ["DROP SERIES FROM m WHERE host = 'a'", 'DropSeriesStatement'],
  ['DELETE FROM m WHERE time < now()', 'DeleteSeriesStatement'],
  ['DROP MEASUREMENT m', 'DropMeasurementStatement'],
  ['DROP SHARD 7', 'DropShardStatement'],
  ['KILL QUERY 3 ON "h:8086"', 'KillQueryStatement'],
  ["CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", 'CreateUserStatement'],
  ['DROP USER u', 'DropUserStatement'],
  ["SET PASSWORD FOR u = 'p'", 'SetPasswordUserStatement'],
  ['GRANT READ ON d TO u', 'GrantStatement'],
  ['GRANT ALL PRIVILEGES TO u', 'GrantAdminStatement'],
  ['REVOKE WRITE ON d FROM u', 'RevokeStatement'],
  ['REVOKE ALL FROM u', 'RevokeAdminStatement'],
  ['EXPLAIN ANALYZE SELECT a FROM m', 'ExplainStatement'],
  ["CREATE SUBSCRIPTION s ON d.r DESTINATIONS ANY 'udp://h:1'", 'CreateSubscriptionStatement'],
  ['DROP SUBSCRIPTION s ON d.r', 'DropSubscriptionStatement'],
];

test('every statement kind parses', (t) => {
  for (const [q, kind] of kinds) t.is(parseStatement(q).kind, kind, q);
});

test('statement fields carry the values written', (t) => {
  t.deepEqual(parseStatement('CREATE DATABASE d WITH DURATION 1d REPLICATION 2 SHARD DURATION 1h NAME r'), {
    kind: 'CreateDatabaseStatement', name: 'd', retentionPolicyCreate: true, retentionPolicyDuration: 86_400_000_000_000n,
    retentionPolicyReplication: 2, retentionPolicyName: 'r', retentionPolicyShardGroupDuration: 3_600_000_000_000n,
  });
  t.deepEqual(parseStatement('ALTER RETENTION POLICY "default" ON d REPLICATION 3'), {
    kind: 'AlterRetentionPolicyStatement', name: 'default', database: 'd', duration: null, replication: 3,
    shardGroupDuration: null, default: false,
  });
  t.deepEqual(parseStatement('SHOW TAG VALUES WITH KEY =~ /h.*/'), {
    kind: 'ShowTagValuesStatement', database: '', sources: [], op: '=~', tagKeyExpr: { kind: 'RegexLiteral', pattern: 'h.*' },
    condition: null, sortFields: [], limit: 0, offset: 0,
  });
  t.deepEqual(parseStatement('KILL QUERY 18446744073709551615'), { kind: 'KillQueryStatement', queryId: 18446744073709551615n, host: '' });
  t.deepEqual(parseStatement('GRANT ALL ON d TO u'), { kind: 'GrantStatement', privilege: 'ALL', on: 'd', user: 'u' });
});

test('walkExpr, rewriteExpr, isTimeRef and helpers', (t) => {
  const e = parseExpr("time > now() - 1h AND (host = 'a' OR \"Time\" < 5)");
  const kinds: string[] = [];
  walkExpr(e, (n) => {
    kinds.push(n.kind);
  });
  t.deepEqual(kinds, ['BinaryExpr', 'BinaryExpr', 'VarRef', 'BinaryExpr', 'Call', 'DurationLiteral', 'ParenExpr',
    'BinaryExpr', 'BinaryExpr', 'VarRef', 'StringLiteral', 'BinaryExpr', 'VarRef', 'IntegerLiteral']);
  t.deepEqual(varRefNames(e), ['time', 'host', 'Time']);
  let times = 0;
  walkExpr(e, (n) => {
    if (isTimeRef(n)) times++;
  });
  t.is(times, 2);
  const renamed = rewriteExpr(e, (n) => (n.kind === 'VarRef' && n.name === 'host' ? { ...n, name: 'h' } : n));
  t.deepEqual(varRefNames(renamed), ['time', 'h', 'Time']);
  t.deepEqual(unparen(parseExpr('((a))')), v('a'));
  const same = rewriteExpr(e, (n) => n);
  t.is(same, e);
});

test('requiredPrivileges follows InfluxDB: reads per source, writes for INTO, admin for management', (t) => {
  const req = (q: string) => requiredPrivileges(parseStatement(q));
  t.deepEqual(req('SELECT * FROM m'), [{ admin: false, database: '', privilege: 'READ' }]);
  t.deepEqual(req('SELECT * INTO d2..x FROM d1..m, (SELECT a FROM d3..n)'), [
    { admin: false, database: 'd1', privilege: 'READ' },
    { admin: false, database: 'd3', privilege: 'READ' },
    { admin: false, database: 'd2', privilege: 'WRITE' },
  ]);
  t.deepEqual(req('SHOW DATABASES'), [{ admin: false, database: '', privilege: 'NONE' }]);
  t.deepEqual(req('SHOW MEASUREMENTS ON d'), [{ admin: false, database: 'd', privilege: 'READ' }]);
  t.deepEqual(req('SHOW SERIES EXACT CARDINALITY'), []);
  t.deepEqual(req('DELETE FROM m'), [{ admin: false, database: '', privilege: 'WRITE' }]);
  t.deepEqual(req('DROP RETENTION POLICY r ON d'), [{ admin: false, database: 'd', privilege: 'WRITE' }]);
  for (const q of ['CREATE DATABASE x', 'SHOW USERS', "SET PASSWORD FOR u = 'p'", 'DROP MEASUREMENT m', 'KILL QUERY 1']) {
    t.deepEqual(req(q), [{ admin: true, database: '', privilege: 'ALL' }], q);
  }
});
