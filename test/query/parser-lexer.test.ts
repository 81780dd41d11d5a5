import test from 'ava';
import {
  BufScanner,
  formatDurationLiteral,
  goDurationString,
  identNeedsQuotes,
  parseDurationLiteral,
  quoteIdent,
  quoteString,
  type Tok,
} from '../../core/query/lexer.js';
import { formatFloatPlain } from '../../core/query/parser-params.js';
import { compileRegex } from '../../core/query/parser-regex.js';

function tokens(text: string): Array<[Tok, string]> {
  const s = new BufScanner(text);
  const out: Array<[Tok, string]> = [];
  for (;;) {
    const t = s.scan();
    if (t.tok === 'EOF') return out;
    if (t.tok !== 'WS') out.push([t.tok, t.lit]);
  }
}

test('the scanner classifies numbers, durations, strings, identifiers and operators', (t) => {
  t.deepEqual(tokens("select \"A b\" 10 1.5 .5 10m 1h30m 'x' $p <> <= =~ !~ :: -- c"), [
    ['SELECT', ''], ['IDENT', 'A b'], ['INTEGER', '10'], ['NUMBER', '1.5'], ['NUMBER', '.5'], ['DURATIONVAL', '10m'],
    ['DURATIONVAL', '1h30m'], ['STRING', 'x'], ['BOUNDPARAM', '$p'], ['!=', ''], ['<=', ''], ['=~', ''], ['!~', ''],
    ['::', ''], ['COMMENT', ''],
  ]);
  t.deepEqual(tokens('a /* b */ c'), [['IDENT', 'a'], ['COMMENT', ''], ['IDENT', 'c']]);
  t.deepEqual(tokens('/* open'), [['ILLEGAL', '']]);
  t.deepEqual(tokens('@'), [['ILLEGAL', '@']]);
});

test('durations parse and format in both InfluxQL and Go forms', (t) => {
  t.is(parseDurationLiteral('1w2d3h4m5s6ms7u8ns'), 788_645_006_007_008n);
  t.is(parseDurationLiteral('-5m'), -300_000_000_000n);
  t.throws(() => parseDurationLiteral('5'), { message: 'invalid duration' });
  t.throws(() => parseDurationLiteral('1ns5'), { message: 'invalid duration' });
  t.is(formatDurationLiteral(0n), '0s');
  t.is(formatDurationLiteral(1_209_600_000_000_000n), '2w');
  t.is(formatDurationLiteral(5_400_000_000_000n), '90m');
  t.is(formatDurationLiteral(1_500_000n), '1500u');
  t.is(formatDurationLiteral(1_500n), '1500ns');
  t.is(goDurationString(86_400_000_000_000n), '24h0m0s');
  t.is(goDurationString(90_000_000_000n), '1m30s');
  t.is(goDurationString(1_500_000_000n), '1.5s');
  t.is(goDurationString(1_500_000n), '1.5ms');
  t.is(goDurationString(1_500n), '1.5µs');
  t.is(goDurationString(15n), '15ns');
  t.is(goDurationString(0n), '0s');
});

test('identifiers are quoted only when needed, with InfluxQL escapes', (t) => {
  t.false(identNeedsQuotes('cpu_1'));
  t.true(identNeedsQuotes('select'));
  t.true(identNeedsQuotes('1cpu'));
  t.true(identNeedsQuotes('my-db'));
  t.false(identNeedsQuotes('')); // as in InfluxDB; quoteIdent quotes empty segments itself
  t.is(quoteIdent('db', '', 'm'), '"db"..m'); // Go's QuoteIdent quotes every non-last segment
  t.is(quoteIdent('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  t.is(quoteIdent(''), '""');
  t.is(quoteString("it's\n\\"), "'it\\'s\\n\\\\'");
});

test('floats bound from parameters are written without exponents, as Go does', (t) => {
  t.is(formatFloatPlain(1), '1');
  t.is(formatFloatPlain(0.000001), '0.000001');
  t.is(formatFloatPlain(1.5e-7), '0.00000015');
  t.is(formatFloatPlain(1e21), '1000000000000000000000');
  t.is(formatFloatPlain(-2.5e22), '-25000000000000000000000');
});

test('RE2 patterns translate to equivalent JS regexes', (t) => {
  t.true(compileRegex('(?i)^CPU').test('cpu0'));
  t.true(compileRegex('^[[:digit:]]+$').test('123'));
  t.false(compileRegex('^[[:digit:]]+$').test('12a'));
  t.true(compileRegex('a\\z').test('xa'));
  t.false(compileRegex('a\\z').test('a\n'));
  t.true(compileRegex('\\Qa.b\\E').test('a.b'));
  t.false(compileRegex('\\Qa.b\\E').test('axb'));
  t.true(compileRegex('(?P<n>x)\\-y').test('x-y'));
  t.true(compileRegex('\\pL').test('é'));
});

test('RE2 semantics that differ from JS are kept: dot, lone braces, assertions, POSIX negation', (t) => {
  t.true(compileRegex('^a.b$').test('a\rb')); // Go's '.' matches '\r'
  t.false(compileRegex('^a.b$').test('a\nb'));
  t.true(compileRegex('(?s)^a.b$').test('a\nb'));
  t.true(compileRegex('a{').test('a{'));
  t.true(compileRegex('a{,3}').test('a{,3}'));
  t.true(compileRegex('^x{2}$').test('xx'));
  t.true(compileRegex('^*a').test('a'));
  t.true(compileRegex('^[[:^alpha:]]+$').test('123'));
  t.false(compileRegex('^[[:^alpha:]]+$').test('12a'));
  t.true(compileRegex('^[\\d-z]+$').test('1-z'));
  t.true(compileRegex('(?P<n>a)(?P<n>b)').test('ab'));
  t.true(compileRegex('^\\x41\\x{42}\\103$').test('ABC'));
});

/** Tag values and, per RE2 pattern, the values InfluxDB 1.6.7 matched (SELECT ... WHERE t =~ /re/, recorded). */
const MATCH_VALUES: string[] = ["a","A","abc","a.b","x-y","123","cpu0","CPU1","é","a b","a,b","a=b","日本","a/b","aaa","ab","ba","server-01.example.com","web_7","_x","Z","zz{","[x]","q?","a+b","$1","ümlaut","AbC","0x1F"];
const RECORDED_MATCHES: Array<[string, string[]]> = [
  ["^a",["a","abc","a.b","a b","a,b","a=b","a/b","aaa","ab","a+b"]],
  ["a$",["a","aaa","ba"]],
  ["^a.b$",["a.b","a b","a,b","a=b","a/b","a+b"]],
  ["(?i)^cpu",["cpu0","CPU1"]],
  ["^[[:digit:]]+$",["123"]],
  ["^[[:alpha:]]+$",["a","A","abc","aaa","ab","ba","Z","AbC"]],
  ["\\d",["123","cpu0","CPU1","server-01.example.com","web_7","$1","0x1F"]],
  ["^\\w+$",["a","A","abc","123","cpu0","CPU1","aaa","ab","ba","web_7","_x","Z","AbC","0x1F"]],
  ["^\\W",["é","日本","[x]","$1","ümlaut"]],
  ["^.$",["a","A","é","Z"]],
  ["^..$",["日本","ab","ba","_x","q?","$1"]],
  ["\\.",["a.b","server-01.example.com"]],
  ["^[^a]",["A","x-y","123","cpu0","CPU1","é","日本","ba","server-01.example.com","web_7","_x","Z","zz{","[x]","q?","$1","ümlaut","AbC","0x1F"]],
  ["^(a|b)+$",["a","aaa","ab","ba"]],
  ["a{2,}",["aaa"]],
  ["^x{0}a",["a","abc","a.b","a b","a,b","a=b","a/b","aaa","ab","a+b"]],
  ["\\bb",["a.b","a b","a,b","a=b","a/b","ba","a+b"]],
  ["\\Bb",["abc","ab","web_7","AbC"]],
  ["^\\pL+$",["a","A","abc","é","日本","aaa","ab","ba","Z","ümlaut","AbC"]],
  ["^\\p{Han}+$",["日本"]],
  ["\\PL",["a.b","x-y","123","cpu0","CPU1","a b","a,b","a=b","a/b","server-01.example.com","web_7","_x","zz{","[x]","q?","a+b","$1","0x1F"]],
  ["^[a-c]+$",["a","abc","aaa","ab","ba"]],
  ["^[\\w-]+$",["a","A","abc","x-y","123","cpu0","CPU1","aaa","ab","ba","web_7","_x","Z","AbC","0x1F"]],
  ["-\\d+\\.",["server-01.example.com"]],
  ["\\{",["zz{"]],
  ["\\[",["[x]"]],
  ["\\?",["q?"]],
  ["\\+",["a+b"]],
  ["\\$",["$1"]],
  ["^\\$1$",["$1"]],
  ["/",["a/b"]],
  ["(?i)ÜMLAUT",["ümlaut"]],
  ["^.{3}$",["abc","a.b","x-y","123","a b","a,b","a=b","a/b","aaa","zz{","[x]","a+b","AbC"]],
  ["^[[:upper:]]",["A","CPU1","Z","AbC"]],
  ["^[[:^lower:]]+$",["A","123","CPU1","é","日本","Z","$1"]],
  ["\\s",["a b"]],
  ["\\S+\\s\\S+",["a b"]],
  ["^(?:a|ab)$",["a","ab"]],
  ["b*?c",["abc","cpu0","server-01.example.com"]],
  ["(?U)a+",["a","abc","a.b","a b","a,b","a=b","a/b","aaa","ab","ba","server-01.example.com","a+b","ümlaut"]],
  ["\\Qa.b\\E",["a.b"]],
  ["^[^[:alnum:]]",["é","日本","_x","[x]","$1","ümlaut"]],
  ["^\\x41",["A","AbC"]],
  ["[é]",["é"]],
  ["^$",[]],
  [".*",["a","A","abc","a.b","x-y","123","cpu0","CPU1","é","a b","a,b","a=b","日本","a/b","aaa","ab","ba","server-01.example.com","web_7","_x","Z","zz{","[x]","q?","a+b","$1","ümlaut","AbC","0x1F"]],
  ["^\\z",[]],
];

test('compiled regexes match the same tag values InfluxDB 1.6.7 matched (recorded)', (t) => {
  for (const [re, want] of RECORDED_MATCHES) {
    const rx = compileRegex(re);
    t.deepEqual(MATCH_VALUES.filter((v) => rx.test(v)).sort(), [...want].sort(), re);
  }
});
