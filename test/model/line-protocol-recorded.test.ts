import test from 'ava';
import { parseLines, parsePrecision, writeErrorMessage } from '../../core/model/line-protocol.js';
import { RECORDED, type RecordedCase } from './influx-recorded-cases.js';

const NOW = 1795671826806927826n;

function answer(c: RecordedCase): { status: number; error?: string; result: ReturnType<typeof parseLines> } {
  const result = parseLines(Buffer.from(c.body), { precision: parsePrecision(c.precision), nowNs: NOW });
  const error = writeErrorMessage({
    parseErrors: result.errors,
    parsedPoints: result.points.length + result.rejected,
    drop: result.rejected > 0 ? { reason: result.rejectedReason, dropped: result.rejected } : undefined,
  });
  return error === undefined ? { status: 204, result } : { status: 400, error, result };
}

test('every recorded /write body gets InfluxDB 1.6.7 status and error text', (t) => {
  let checked = 0;
  for (const c of RECORDED) {
    if (c.deviation !== undefined) continue;
    const got = answer(c);
    t.is(got.status, c.status, JSON.stringify(c.body));
    t.is(got.error, c.error, JSON.stringify(c.body));
    checked++;
  }
  t.true(checked > 400);
});

test('every recorded body yields the points InfluxDB stored (measurement, tags, fields, time, key)', (t) => {
  let checked = 0;
  for (const c of RECORDED) {
    if (c.points === undefined) continue;
    const { result } = answer(c);
    const got = result.points.map((p) => ({ m: p.measurement, tags: p.tags, fields: p.fields, time: p.time, key: p.key }));
    t.deepEqual(got, c.points, JSON.stringify(c.body));
    checked++;
  }
  t.true(checked > 300);
});

test('a field given twice with two types is rejected as a type conflict (InfluxDB: 400 on a new field)', (t) => {
  // InfluxDB answers `field type conflict` and drops the shard's batch when the field is new to the
  // measurement, and `partial write: field type conflict: ... dropped=1` when it already exists; the parser
  // cannot know which, and gives the second form.
  const cases = RECORDED.filter((c) => c.deviation !== undefined);
  t.true(cases.length > 0);
  for (const c of cases) {
    t.is(c.error, 'field type conflict');
    const got = answer(c);
    t.is(got.status, 400);
    t.regex(got.error!, /^partial write: field type conflict: input field ".+" on measurement ".+" is type \w+, already exists as type \w+ dropped=1$/);
  }
});
