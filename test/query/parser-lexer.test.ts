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
