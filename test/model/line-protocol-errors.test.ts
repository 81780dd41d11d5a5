// Expected texts are InfluxDB 1.6.7's answers to the same /write bodies (127.0.0.1:18086).
import test from 'ava';
import { combineDrops, parseLines, partialWriteMessage, writeErrorMessage } from '../../core/model/line-protocol.js';

function answerFor(body: string, storage?: { reason: string; dropped: number }): string | undefined {
  const r = parseLines(Buffer.from(body), { precision: 's', nowNs: 0n });
  return writeErrorMessage({
    parseErrors: r.errors,
    parsedPoints: r.points.length + r.rejected,
    drop: combineDrops({ reason: r.rejectedReason, dropped: r.rejected }, storage),
  });
}

test('all lines bad: the errors joined with newlines, no prefix', (t) => {
  t.is(answerFor('b v= 2\nc v=x 3'),
    "unable to parse 'b v= 2': missing field value\nunable to parse 'c v=x 3': invalid boolean");
  t.is(answerFor('lonely'), "unable to parse 'lonely': missing fields");
});

test('some lines bad, the rest written: partial write with the errors and dropped=0', (t) => {
  t.is(answerFor('a v=1 1\nb v= 2'), "partial write: unable to parse 'b v= 2': missing field value dropped=0");
  t.is(answerFor('a v=1 1\nb v= 2\nc v=x 3'),
    "partial write: unable to parse 'b v= 2': missing field value\nunable to parse 'c v=x 3': invalid boolean dropped=0");
});

test('points dropped at write time: their reason and count, parse errors not reported', (t) => {
  t.is(answerFor('a,time=1 v=1 1\nb v= 2'),
    'partial write: invalid tag key: input tag "time" on measurement "a" is invalid dropped=1');
  t.is(answerFor('a,time=1 v=1 1\na time=1 2\nb v= 2'),
    'partial write: invalid tag key: input tag "time" on measurement "a" is invalid dropped=2');
  t.is(answerFor('a time=1 2'), 'partial write: invalid field name: input field "time" on measurement "a" is invalid dropped=1');
  t.is(answerFor('badname,time=x v=1 1577836800'),
    'partial write: invalid tag key: input tag "time" on measurement "badname" is invalid dropped=1');
  // storage's type conflict, combined the same way (InfluxDB: `tc v=1i 1\nb v= 2` after v was a float)
  const conflict = 'field type conflict: input field "v" on measurement "tc" is type integer, already exists as type float';
  t.is(answerFor('tc v=1i 1\nb v= 2', { reason: conflict, dropped: 1 }), `partial write: ${conflict} dropped=1`);
  t.is(answerFor('tc v=1i 1\ntc v="s" 1\ntc w=1 3', { reason: conflict, dropped: 2 }), `partial write: ${conflict} dropped=2`);
  t.is(writeErrorMessage({ parseErrors: [], parsedPoints: 1, drop: { reason: 'points beyond retention policy', dropped: 1 } }),
    'partial write: points beyond retention policy dropped=1');
});

test('nothing wrong (or nothing at all): no error, a 204', (t) => {
  t.is(answerFor('a v=1 1'), undefined);
  t.is(answerFor(''), undefined);
  t.is(answerFor('# only a comment\n\n'), undefined);
});

test('partialWriteMessage and combineDrops', (t) => {
  t.is(partialWriteMessage('x', 3), 'partial write: x dropped=3');
  t.is(partialWriteMessage(['a', 'b'], 0), 'partial write: a\nb dropped=0');
  t.deepEqual(combineDrops(undefined, { reason: '', dropped: 0 }), undefined);
  t.deepEqual(combineDrops({ reason: 'first', dropped: 1 }, { reason: 'second', dropped: 2 }), { reason: 'first', dropped: 3 });
  t.deepEqual(combineDrops({ reason: 'none', dropped: 0 }, { reason: 'second', dropped: 2 }), { reason: 'second', dropped: 2 });
});
