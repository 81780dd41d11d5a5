import test from 'ava';
import { type ConfigProblem, parseDurationMs, parseSection, parseSizeBytes } from '../../core/config-schema.js';

test('parseDurationMs reads Go-style durations', (t) => {
  t.is(parseDurationMs('5s'), 5000);
  t.is(parseDurationMs('1h30m'), 5_400_000);
  t.is(parseDurationMs('250ms'), 250);
  t.is(parseDurationMs('0'), 0);
  t.is(parseDurationMs('5'), undefined);
  t.is(parseDurationMs('5x'), undefined);
});

test('parseSizeBytes reads sizes with units', (t) => {
  t.is(parseSizeBytes('512MiB'), 512 * 1024 * 1024);
  t.is(parseSizeBytes('1g'), 1e9);
  t.is(parseSizeBytes('100'), 100);
  t.is(parseSizeBytes('1 parsec'), undefined);
});

test('parseSection applies defaults, rejects unknown keys and reports every problem with its path', (t) => {
  const problems: ConfigProblem[] = [];
  const v = parseSection(
    { 'max-conns': 'x', bogus: 1, timeout: 'soon' },
    'pool',
    {
      'max-conns': { type: 'int', default: 3, min: 1 },
      timeout: { type: 'duration', default: '5s' },
      name: { type: 'string', default: 'n' },
    },
    problems,
  );
  t.is(v.name, 'n');
  t.deepEqual(problems.map((p) => p.path).sort(), ['pool.bogus', 'pool.max-conns', 'pool.timeout']);
});

test('parseSection accepts strings from environment overrides for ints, bools and arrays', (t) => {
  const problems: ConfigProblem[] = [];
  const v = parseSection(
    { n: '7', on: 'true', peers: 'a:1,b:2' },
    's',
    { n: { type: 'int', default: 1 }, on: { type: 'bool', default: false }, peers: { type: 'strings', default: [] } },
    problems,
  );
  t.deepEqual(problems, []);
  t.is(v.n, 7);
  t.is(v.on, true);
  t.deepEqual(v.peers, ['a:1', 'b:2']);
});
