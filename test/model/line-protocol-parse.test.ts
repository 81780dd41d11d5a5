// Named behaviours of parseLines; each expected value is what InfluxDB 1.6.7 (127.0.0.1:18086) answered or
// stored for the same line (written there, read back with SELECT / SHOW SERIES).
import test from 'ava';
import { ParseCache, parseLines, type Precision } from '../../core/model/line-protocol.js';
import type { Point } from '../../core/model/point.js';

const NOW = 1795671826806927826n;

function parse(body: string, precision: Precision = 's', nowNs = NOW) {
  return parseLines(Buffer.from(body), { precision, nowNs });
}

function one(body: string, precision: Precision = 's'): Point {
  const r = parse(body, precision);
  if (r.points.length !== 1) throw new Error(`expected one point from ${body}: ${JSON.stringify(r.errors)}`);
  return r.points[0]!;
}

function error(body: string, precision: Precision = 's'): string {
  const r = parse(body, precision);
  if (r.errors.length !== 1) throw new Error(`expected one error from ${body}`);
  return r.errors[0]!;
}

test('measurement escapes: \\, and \\  unescaped, \\= and \\" too, other backslashes kept', (t) => {
  t.is(one('cpu\\,load v=1 1').measurement, 'cpu,load');
  t.is(one('cpu\\ load v=1 1').measurement, 'cpu load');
  t.is(one('cpu=load v=1 1').measurement, 'cpu=load');
  t.is(one('cpu\\=esc v=1 1').measurement, 'cpu=esc'); // SHOW MEASUREMENTS: cpu=esc
  t.is(one('cpu\\"q v=1 1').measurement, 'cpu"q');
  t.is(one('back\\slash v=1 1').measurement, 'back\\slash');
  t.is(one('cpu\\,load v=1 1').key, 'cpu\\,load');
  t.is(one('cpu\\=esc,t=1 v=1 1').key, 'cpu=esc,t=1'); // SHOW SERIES: cpu=esc,t=1
});

test('tag escapes: \\, \\= \\  in keys and values, other backslashes and quotes kept literally', (t) => {
  const p = one('tags,tag\\ key=v\\ 1,ta\\,g=v\\,2,t\\=k=v\\=3 v=1 1577836800');
  t.deepEqual(p.tags, [['t=k', 'v=3'], ['ta,g', 'v,2'], ['tag key', 'v 1']]);
  t.is(p.key, 'tags,t\\=k=v\\=3,ta\\,g=v\\,2,tag\\ key=v\\ 1');
  t.deepEqual(one('tags,bs=a\\\\b v=2 1').tags, [['bs', 'a\\\\b']]);
  t.deepEqual(one('tags,q="quoted" v=3 1').tags, [['q', '"quoted"']]);
  t.deepEqual(one('m,t=a\\\\ b v=1 1').tags, [['t', 'a\\ b']]); // SELECT: "a\ b"
  t.deepEqual(one('m,t\\"k=x v=1 1').tags, [['t\\"k', 'x']]);
  t.deepEqual(one('m,a==b v=1 1').tags, [['a', '=b']]); // a value may start with '='
  t.is(one('m,a==b v=1 1').key, 'm,a=\\=b'); // SHOW SERIES
});

test('tags are sorted by escaped key bytes and duplicate tags are an error', (t) => {
  t.is(one('ord,b=2,a=1 v=1 1').key, 'ord,a=1,b=2');
  t.is(one('m,a\\ b=1,a!=2 v=1 1').key, 'm,a!=2,a\\ b=1'); // InfluxDB's order: '!' < '\'
  t.is(one('m,🔥=1,﹏=2 v=1 1').key, 'm,﹏=2,🔥=1'); // UTF-8 order, not UTF-16
  t.is(error('dupt,t=1,t=2 v=1 1'), "unable to parse 'dupt,t=1,t=2 v=1 1': duplicate tags");
  t.is(error('m,b=1,a=1,b=2 v=1 1'), "unable to parse 'm,b=1,a=1,b=2 v=1 1': duplicate tags");
});

test('field key escapes and string field escapes', (t) => {
  t.deepEqual(one('fk f\\ 1=1,f\\,2=2,f\\=3=3 1').fields, [['f 1', 1], ['f,2', 2], ['f=3', 3]]);
  t.deepEqual(one('m f\\"k=1 1').fields, [['f"k', 1]]);
  t.deepEqual(one('str s="he said \\"hi\\" and \\\\o/" 1').fields, [['s', 'he said "hi" and \\o/']]);
  t.deepEqual(one('str s="a, b=c d" 1').fields, [['s', 'a, b=c d']]);
  t.deepEqual(one('str s="" 1').fields, [['s', '']]);
  t.deepEqual(one('str s="c:\\temp\\new" 1').fields, [['s', 'c:\\temp\\new']]);
  t.deepEqual(one('str s="line1\nline2" 1').fields, [['s', 'line1\nline2']]);
  t.is(error('str s="oops 1'), `unable to parse 'str s="oops 1': unbalanced quotes`);
});

test('field types: float, integer with i, string, the ten boolean spellings', (t) => {
  const p = one('mixed,host=a f=1.5,i=2i,s="x",b=true 1');
  t.deepEqual(p.fields, [['f', 1.5], ['i', 2n], ['s', 'x'], ['b', true]]);
  for (const b of ['t', 'T', 'true', 'True', 'TRUE']) t.deepEqual(one(`b v=${b} 1`).fields, [['v', true]]);
  for (const b of ['f', 'F', 'false', 'False', 'FALSE']) t.deepEqual(one(`b v=${b} 1`).fields, [['v', false]]);
  t.is(error('b v=tRUE 1'), "unable to parse 'b v=tRUE 1': invalid boolean");
  t.is(error('b v=yes 1'), "unable to parse 'b v=yes 1': invalid boolean");
  t.is(error('m s=hello 1'), "unable to parse 'm s=hello 1': invalid boolean");
});

test('floats parse to the nearest double in every notation', (t) => {
  const p = one('floats a=1,b=1.5,c=-1.5,d=1e10,e=1.5E-3,f=-1e-5,g=.5,h=5.,i=1.7976931348623157e308,j=0.1 1');
  t.deepEqual(p.fields.map((f) => f[1]), [1, 1.5, -1.5, 1e10, 0.0015, -0.00001, 0.5, 5, 1.7976931348623157e308, 0.1]);
  t.is(one('m v=12.345678901234567 1').fields[0]![1], 12.345678901234567);
  t.is(one('m v=0.30000000000000004 1').fields[0]![1], 0.30000000000000004);
  t.true(Object.is(one('m v=-0 1').fields[0]![1], -0));
  t.is(one('m v=1e-400 1').fields[0]![1], 0);
});

test('integers: int64 range exact, overflow and bad suffixes are errors; 5u is invalid number (1.6)', (t) => {
  t.deepEqual(one('ints i=9223372036854775807i,neg=-9223372036854775808i 1').fields,
    [['i', 9223372036854775807n], ['neg', -9223372036854775808n]]);
  t.is(error('ints i=9223372036854775808i 1'),
    "unable to parse 'ints i=9223372036854775808i 1': unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
  t.is(error('ints i=1.5i 1'), "unable to parse 'ints i=1.5i 1': invalid number");
  t.is(error('m v=9i10 1'), "unable to parse 'm v=9i10 1': invalid number");
  t.is(error('m u=5u 1'), "unable to parse 'm u=5u 1': invalid number");
  t.is(error('m v=1e5i 1'), "unable to parse 'm v=1e5i 1': invalid number");
});

test('NaN and Inf are rejected as 1.6 does', (t) => {
  t.is(error('floats a=NaN 1'), "unable to parse 'floats a=NaN 1': invalid number");
  t.is(error('floats a=-Inf 1'), "unable to parse 'floats a=-Inf 1': invalid number");
  t.is(error('floats a=Inf 1'), "unable to parse 'floats a=Inf 1': invalid boolean");
  t.is(error('floats a=1e500 1'), "unable to parse 'floats a=1e500 1': invalid float");
  t.is(error('floats a=1.2.3 1'), "unable to parse 'floats a=1.2.3 1': invalid number");
});

test('precision scales the timestamp: n ns u ms s m h; unknown means ns', (t) => {
  const at = (ts: string, p: Precision) => one(`prec v=1 ${ts}`, p).time;
  t.is(at('1577836800123456789', 'n'), 1577836800123456789n);
  t.is(at('1577836800123456789', 'ns'), 1577836800123456789n);
  t.is(at('1577836800123456', 'u'), 1577836800123456000n);
  t.is(at('1577836800123', 'ms'), 1577836800123000000n);
  t.is(at('1577836800', 's'), 1577836800000000000n);
  t.is(at('26297281', 'm'), 1577836860000000000n);
  t.is(at('438289', 'h'), 1577840400000000000n);
});

test('a line without timestamp gets now truncated to the precision', (t) => {
  // InfluxDB stored, for precision h/m/s/ms/u/x(ns): ...200000000000, ...1780000000000, ...1826000000000,
  // ...1826800000000, ...1826801728000, ...1826805150402 (now = its clock at the write)
  const now = 1795671826806927826n;
  const at = (p: Precision) => parse('nt v=1', p, now).points[0]!.time;
  t.is(at('h'), 1795669200000000000n);
  t.is(at('m'), 1795671780000000000n);
  t.is(at('s'), 1795671826000000000n);
  t.is(at('ms'), 1795671826806000000n);
  t.is(at('u'), 1795671826806927000n);
  t.is(at('ns'), now);
  t.is(at('n'), now);
});

test('timestamp limits and malformed timestamps', (t) => {
  t.is(one('ts v=3 -9223372036854775806', 'ns').time, -9223372036854775806n);
  t.is(one('ts v=4 9223372036854775806', 'ns').time, 9223372036854775806n);
  const range = 'time outside range -9223372036854775806 - 9223372036854775806';
  t.is(error('ts v=5 9223372036854775807', 'ns'), `unable to parse 'ts v=5 9223372036854775807': ${range}`);
  t.is(error('ts v=6 -9223372036854775807', 'ns'), `unable to parse 'ts v=6 -9223372036854775807': ${range}`);
  t.is(error('m v=1 9223372037'), `unable to parse 'm v=1 9223372037': ${range}`);
  t.is(one('m v=1 9223372036').time, 9223372036000000000n);
  t.is(error('ts v=7 1577836800.5'), "unable to parse 'ts v=7 1577836800.5': bad timestamp");
  t.is(error('ts v=8 abc'), "unable to parse 'ts v=8 abc': bad timestamp");
  t.is(error('m v=1 -'), `unable to parse 'm v=1 -': strconv.ParseInt: parsing "-": invalid syntax`);
  t.is(error('m v=1 99999999999999999999', 'ns'),
    `unable to parse 'm v=1 99999999999999999999': strconv.ParseInt: parsing "99999999999999999999": value out of range`);
  t.is(error('m v=1 1577836800 extra'), "unable to parse 'm v=1 1577836800 extra': point is invalid");
  t.is(one('m v=1 1 ').time, 1000000000n);
});

test('CRLF line ends fail as bad timestamp, one error per line, CR kept in the text', (t) => {
  const r = parse('crlf v=1 1577836800\r\ncrlf v=2 1577836801\r\n');
  t.deepEqual(r.errors, [
    "unable to parse 'crlf v=1 1577836800\r': bad timestamp",
    "unable to parse 'crlf v=2 1577836801\r': bad timestamp",
  ]);
  t.is(r.points.length, 0);
});

test('blank lines, comment lines and leading whitespace are skipped', (t) => {
  t.deepEqual(parse(''), { points: [], errors: [], rejected: 0, rejectedReason: '' });
  t.deepEqual(parse('\n\n\n').points, []);
  const r = parse('# a comment\n   nl v=4 3\n\tnl v=5 4\n\n\nnl v=6 5\n# another');
  t.deepEqual(r.points.map((p) => p.time), [3000000000n, 4000000000n, 5000000000n]);
  t.deepEqual(r.errors, []);
  t.deepEqual(parse('\0m v=1 1').points.map((p) => p.measurement), ['m']);
});

test('structure errors carry InfluxDB text', (t) => {
  t.is(error('lonely'), "unable to parse 'lonely': missing fields");
  t.is(error('m v= 1'), "unable to parse 'm v= 1': missing field value");
  t.is(error('m,t= v=1 1'), "unable to parse 'm,t= v=1 1': missing tag value");
  t.is(error('m,t=a 1'), "unable to parse 'm,t=a 1': invalid field format");
  t.is(error('m v 1'), "unable to parse 'm v 1': invalid field format");
  t.is(error('m ,t=a v=1 1'), "unable to parse 'm ,t=a v=1 1': invalid boolean");
  t.is(error('m,t=a b v=1 1'), "unable to parse 'm,t=a b v=1 1': invalid field format");
  t.is(error(',t=a v=1 1'), "unable to parse ',t=a v=1 1': missing measurement");
  t.is(error('m =1 1'), "unable to parse 'm =1 1': missing field key");
  t.is(error('m v=1,=2 1'), "unable to parse 'm v=1,=2 1': missing field key");
  t.is(error('m,=a v=1'), "unable to parse 'm,=a v=1': missing tag key");
  t.is(error('m,a=b=c v=1'), "unable to parse 'm,a=b=c v=1': invalid tag format");
  t.is(error('m '), "unable to parse 'm ': invalid field format");
  t.is(error('m,t=a'), "unable to parse 'm,t=a': missing fields");
});

test('max key length: 65535 bytes of measurement+tags, and with each field key', (t) => {
  const long = `longkey,t=${'z'.repeat(66000)} v=1 1`;
  t.is(parse(long).errors[0], `unable to parse '${long}': max key length exceeded: 66010 > 65535`);
  t.is(parse(`longtag,t=${'y'.repeat(60000)} v=1 1`).points.length, 1);
  // key 65531 bytes: a 1-byte field key makes 65536
  const key = `m,t=${'k'.repeat(65531 - 4)}`;
  t.is(parse(`${key} v=1 1`).errors[0]!.endsWith('max key length exceeded: 65536 > 65535'), true);
  t.is(parse(`${key.slice(0, -1)} v=1 1`).points.length, 1);
  t.is(parse(`longstr,t=a s="${'x'.repeat(70000)}" 1`).points[0]!.fields[0]![1], 'x'.repeat(70000));
});

test('duplicate fields: last value wins, in first position', (t) => {
  t.deepEqual(one('dupf v=1,v=2 1').fields, [['v', 2]]);
  t.deepEqual(one('dupf v=1,w=1,v=3 1').fields, [['v', 3], ['w', 1]]);
});

test('tag named time drops the point, field named time is dropped (alone: the point)', (t) => {
  const tag = parse('badname,time=x v=1 1');
  t.deepEqual([tag.points.length, tag.rejected, tag.rejectedReason],
    [0, 1, 'invalid tag key: input tag "time" on measurement "badname" is invalid']);
  t.deepEqual(one('badname time=1,v=1 1').fields, [['v', 1]]);
  const field = parse('badname time=1 1');
  t.deepEqual([field.points.length, field.rejected, field.rejectedReason],
    [0, 1, 'invalid field name: input field "time" on measurement "badname" is invalid']);
  // InfluxDB reports the tag reason first, whatever the line order
  const both = parse('a time=1 2\na,time=1 v=1 1');
  t.deepEqual([both.rejected, both.rejectedReason], [2, 'invalid tag key: input tag "time" on measurement "a" is invalid']);
});

test('unicode in every part', (t) => {
  const p = one('温度,城市=北京 值=1.5,描述="晴 ☀" 1577836800');
  t.is(p.measurement, '温度');
  t.deepEqual(p.tags, [['城市', '北京']]);
  t.deepEqual(p.fields, [['值', 1.5], ['描述', '晴 ☀']]);
  t.deepEqual(one('émoji,🏷=🔥 v=1 1').tags, [['🏷', '🔥']]);
});

test('a backslash before the newline does not end the line (InfluxDB scanLine)', (t) => {
  const r = parse('m v=1\\\nm v=2 2');
  t.is(r.points.length, 0);
  t.deepEqual(r.errors, ["unable to parse 'm v=1\\\nm v=2 2': invalid number"]);
  t.deepEqual(parse('m v=1\\\\\nm v=2 2').errors, ["unable to parse 'm v=1\\\\': invalid number"]);
});

test('the good lines of a body parse while the bad ones give errors, in order', (t) => {
  const r = parse('a v=1 1\nb v= 2\nc v=x 3\nd v=4 4');
  t.deepEqual(r.points.map((p) => p.measurement), ['a', 'd']);
  t.deepEqual(r.errors, ["unable to parse 'b v= 2': missing field value", "unable to parse 'c v=x 3': invalid boolean"]);
});

test('a shared ParseCache gives the same points across calls and shares tag arrays of one series', (t) => {
  const cache = new ParseCache();
  const body = Buffer.from('cpu,host=a,region=b v=1 1\ncpu,region=b,host=a v=2 2\n');
  const a = parseLines(body, { precision: 's', nowNs: NOW, cache });
  const b = parseLines(body, { precision: 's', nowNs: NOW, cache });
  t.deepEqual(a, b);
  t.deepEqual(a, parseLines(body, { precision: 's', nowNs: NOW }));
  t.is(a.points[0]!.tags, b.points[0]!.tags);
  t.is(a.points[0]!.key, 'cpu,host=a,region=b');
  t.is(a.points[1]!.key, 'cpu,host=a,region=b');
});

test('odd field sections split the way InfluxDB stores them; its panics become invalid field format', (t) => {
  // InfluxDB 1.6.7 stored a,b=1 and c="x=" for this line (its validator and its iterator disagree)
  t.deepEqual(one('m a,b=1,c="x=2 1').fields, [['a,b', 1], ['c', 'x=']]);
  t.deepEqual(one('m a\\\\=1,b=2 1').fields, [['a\\=1,b', 2]]);
  // InfluxDB 1.6.7 panics on these (HTTP 500); the parser reports the line instead
  t.is(error('m a\\\\=1 1'), "unable to parse 'm a\\\\=1 1': invalid field format");
  t.is(error('m s="a"\\,x 1'), `unable to parse 'm s="a"\\,x 1': invalid field format`);
});

test('a Uint8Array body parses like a Buffer', (t) => {
  const bytes = new TextEncoder().encode('xx\ncpu,host=a v=1 1\n').subarray(3);
  t.deepEqual(parseLines(bytes, { precision: 's', nowNs: NOW }), parse('cpu,host=a v=1 1\n'));
});

test('many distinct field names and series keep their identity (cache tables grow)', (t) => {
  const cache = new ParseCache();
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(`m${i % 7},t=${i} f${i}=${i}i,g${i % 3}="${i}" ${i}`);
  const body = Buffer.from(lines.join('\n'));
  for (let round = 0; round < 2; round++) {
    const r = parseLines(body, { precision: 's', nowNs: NOW, cache });
    t.is(r.points.length, 3000);
    for (let i = 0; i < 3000; i += 97) {
      const p = r.points[i]!;
      t.is(p.key, `m${i % 7},t=${i}`);
      t.deepEqual(p.fields, [[`f${i}`, BigInt(i)], [`g${i % 3}`, String(i)]]);
    }
  }
});

test('field names stay right when consecutive lines change their field keys', (t) => {
  const r = parse('m a=1,b=2 1\nm a=1,c=2 2\nm c=1 3\nm a=1,b=2,c=3 4\nm bb=1,a=2 5\nm b=1,a=2 6\nm,time=x b=1 7\nm a=9,b=8 8');
  t.deepEqual(r.points.map((p) => p.fields.map((f) => f[0]).join(',')), ['a,b', 'a,c', 'c', 'a,b,c', 'bb,a', 'b,a', 'a,b']);
  t.deepEqual(r.points.at(-1)!.fields, [['a', 9], ['b', 8]]);
});

test('16 to 20 digit integers and timestamps are exact, at both int64 ends', (t) => {
  const ints = ['1234567890123456', '-1234567890123456', '9007199254740993', '-9007199254740993', '1000000000000000000',
    '9223372036854775807', '-9223372036854775808', '0000000000000000001', '-0000000000000000001', '00000000009223372036854775807'];
  for (const v of ints) t.is(one(`m v=${v}i 1`).fields[0]![1], BigInt(v), v);
  const times = ['1577836800123456789', '-1577836800123456789', '9223372036854775806', '-9223372036854775806', '0001577836800123456789'];
  for (const ts of times) t.is(one(`m v=1 ${ts}`, 'ns').time, BigInt(ts), ts);
});

test('a ParseCache full of series starts over and still parses right', (t) => {
  const cache = new ParseCache({ maxSeries: 10 });
  const body = Buffer.from(Array.from({ length: 35 }, (_, i) => `m,h=${i % 25} v=${i} ${i}`).join('\n'));
  const a = parseLines(body, { precision: 's', nowNs: NOW, cache });
  t.true(cache.series.size <= 10);
  t.deepEqual(a, parseLines(body, { precision: 's', nowNs: NOW }));
  t.is(a.points[30]!.key, 'm,h=5');
});
