import test from 'ava';
import fc from 'fast-check';
import { parseGoQuery, parseMultipart } from '../../core/http/go-form.js';
import { ParamsError, parseBindParams } from '../../core/http/query-params.js';

test('query strings parse as Go url.ParseQuery: + is space, pairs with ; or bad escapes are dropped', (t) => {
  const f = parseGoQuery('a=1&b=x+y&c=%41%C2%B5&d=%zz&e;f=1&g&a=2');
  t.is(f.get('a'), '1');
  t.is(f.get('b'), 'x y');
  t.is(f.get('c'), 'Aµ');
  t.false(f.has('d'));
  t.false(f.has('e'));
  t.false(f.has('e;f'));
  t.true(f.has('g'));
  t.is(f.get('g'), '');
  t.is(f.get('missing'), '');
});

test('escapes: truncated and lowercase %XX, raw non-ASCII (astral included) and long encoded queries decode as Go does', (t) => {
  t.false(parseGoQuery('a=%4').has('a'), 'a truncated escape drops the pair');
  t.false(parseGoQuery('a=%').has('a'));
  t.is(parseGoQuery('a=%4a%4A').get('a'), 'JJ');
  t.is(parseGoQuery('k=µ€😀').get('k'), 'µ€😀', 'raw characters stay themselves');
  const q = "SELECT max(usage_user) FROM cpu WHERE hostname = 'host_42' AND time >= 1451640000s GROUP BY time(1m)";
  t.is(parseGoQuery(`db=bench&q=${encodeURIComponent(q)}`).get('q'), q);
  t.is(parseGoQuery(`q=${encodeURIComponent(q).replace(/%20/g, '+')}`).get('q'), q);
});

test('property: any text encoded with encodeURIComponent (or + for spaces) reads back unchanged', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (text, plus) => {
      let enc: string;
      try {
        enc = encodeURIComponent(text);
      } catch {
        return true; // a lone surrogate cannot be percent-encoded: nothing to check
      }
      if (plus) enc = enc.replace(/%20/g, '+');
      return parseGoQuery(`v=${enc}`).get('v') === text;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('multipart bodies give fields and files', (t) => {
  const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="db"\r\n\r\nmydb\r\n--b\r\nContent-Disposition: form-data; name="q"; filename="x.iql"\r\n\r\nSHOW DATABASES\r\n--b--\r\n');
  const m = parseMultipart(body, 'multipart/form-data; boundary=b')!;
  t.is(m.values.get('db'), 'mydb');
  t.is(m.files.get('q')![0]!.content.toString(), 'SHOW DATABASES');
  t.is(parseMultipart(body, 'multipart/form-data'), undefined);
});

test('bind params: integers exact as bigint, numbers with a dot as float literals, errors worded as InfluxDB', (t) => {
  t.deepEqual(parseBindParams('{"h":"a","n":2,"f":2.0,"big":9223372036854775807,"b":true,"z":null}'), {
    h: 'a',
    n: 2n,
    f: { kind: 'NumberLiteral', value: 2 },
    big: 9223372036854775807n,
    b: true,
    z: null,
  });
  t.deepEqual(parseBindParams(' {} '), {});
  t.throws(() => parseBindParams('{"n":9223372036854775808}'), { instanceOf: ParamsError, message: /^error parsing json value: strconv.ParseInt: parsing "9223372036854775808": value out of range$/ });
  t.throws(() => parseBindParams('[1]'), { instanceOf: ParamsError, message: 'error parsing query parameters: json: cannot unmarshal array into Go value of type map[string]interface {}' });
  t.throws(() => parseBindParams('{"a":'), { instanceOf: ParamsError, message: 'error parsing query parameters: unexpected EOF' });
  t.throws(() => parseBindParams('nope'), { instanceOf: ParamsError, message: "error parsing query parameters: invalid character 'o' in literal null (expecting 'u')" });
  t.throws(() => parseBindParams('xyz'), { instanceOf: ParamsError, message: "error parsing query parameters: invalid character 'x' looking for beginning of value" });
  t.throws(() => parseBindParams('"s"'), { instanceOf: ParamsError, message: 'error parsing query parameters: json: cannot unmarshal string into Go value of type map[string]interface {}' });
  t.deepEqual(parseBindParams('{"a":1}x'), { a: 1n });
  t.throws(() => parseBindParams('{"n":1e3}'), { instanceOf: ParamsError, message: /^error parsing json value: strconv.ParseInt: parsing "1e3": invalid syntax$/ });
});
