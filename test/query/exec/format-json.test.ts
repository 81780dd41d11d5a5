import test from 'ava';
import fc from 'fast-check';
import { formatJson, formatJsonParts } from '../../../core/query/format-json.js';
import { goDuration, goPlainFloat, rfc3339Nano } from '../../../core/query/go-format.js';
import { mergeResult } from '../../../core/query/format-merge.js';
import type { StatementResult } from '../../../core/query/result.js';

const T = 1577836800000000000n;

test('floats print in Go shortest form, large ones with an exponent', (t) => {
  const body = formatJson({
    results: [{ statement_id: 0, series: [{ name: 'm', columns: ['time', 'v'], values: [[T, 1e10], [T, 1.7976931348623157e308], [T, 1e-7], [T, 0.1], [T, -0], [T, 1e21]] }] }],
  });
  t.is(
    body,
    '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[["2020-01-01T00:00:00Z",10000000000],["2020-01-01T00:00:00Z",1.7976931348623157e+308],["2020-01-01T00:00:00Z",1e-7],["2020-01-01T00:00:00Z",0.1],["2020-01-01T00:00:00Z",-0],["2020-01-01T00:00:00Z",1e+21]]}]}]}\n',
  );
});

test('strings escape <, >, & and control characters as Go does; integers stay exact', (t) => {
  const body = formatJson({
    results: [{ statement_id: 0, series: [{ name: 'a<b>&', columns: ['time', 's', 'i', 'b'], values: [[T, 'x"\\\n\t\u0001\u2028', 9223372036854775807n, true]] }] }],
  });
  t.true(body.includes('"name":"a\\u003cb\\u003e\\u0026"'));
  t.true(body.includes('"x\\"\\\\\\n\\t\\u0001\\u2028",9223372036854775807,true'));
});

test('epoch converts the time column with truncating division; unknown epochs are nanoseconds', (t) => {
  const r = (): StatementResult[] => [{ statement_id: 0, series: [{ name: 'sub', columns: ['time', 'v'], values: [[1577836800123456789n, 1]] }] }];
  t.true(formatJson({ results: r() }, { epoch: 'ms' }).includes('[1577836800123,1]'));
  t.true(formatJson({ results: r() }, { epoch: 'h' }).includes('[438288,1]'));
  t.true(formatJson({ results: r() }, { epoch: 'xyz' }).includes('[1577836800123456789,1]'));
  t.true(formatJson({ results: r() }, { epoch: 'µ' }).includes('[1577836800123456789,1]'));
  t.true(formatJson({ results: r() }, { epoch: '' }).includes('["2020-01-01T00:00:00.123456789Z",1]'));
});

test('RFC3339Nano trims trailing zeros of the fraction and handles times before 1970', (t) => {
  t.is(rfc3339Nano(1577836800000001000n), '2020-01-01T00:00:00.000001Z');
  t.is(rfc3339Nano(1577836800500000000n), '2020-01-01T00:00:00.5Z');
  t.is(rfc3339Nano(0n), '1970-01-01T00:00:00Z');
  t.is(rfc3339Nano(-1n), '1969-12-31T23:59:59.999999999Z');
  t.is(rfc3339Nano(-9223372036854775806n), '1677-09-21T00:12:43.145224194Z');
});

test('RFC3339Nano equals the calendar reference for any int64 nanosecond time', (t) => {
  const reference = (ns: bigint): string => {
    let sec = ns / 1_000_000_000n;
    let frac = ns % 1_000_000_000n;
    if (frac < 0n) {
      frac += 1_000_000_000n;
      sec -= 1n;
    }
    const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
    return frac === 0n ? `${base}Z` : `${base}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}Z`;
  };
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n) + 2n, max: 2n ** 63n - 1n }), fc.constantFrom(1n, 1_000n, 1_000_000_000n, 60_000_000_000n), (v, unit) => {
      const ns = (v / unit) * unit; // whole seconds, minutes and micros too (trailing-zero trimming)
      return rfc3339Nano(ns) === reference(ns);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('pretty output is Go MarshalIndent with four spaces', (t) => {
  const body = formatJson({ results: [{ statement_id: 0, series: [{ name: 'q', columns: ['time', 'v'], values: [[T, 1]] }] }] }, { pretty: true });
  t.is(
    body,
    '{\n    "results": [\n        {\n            "statement_id": 0,\n            "series": [\n                {\n                    "name": "q",\n                    "columns": [\n                        "time",\n                        "v"\n                    ],\n                    "values": [\n                        [\n                            "2020-01-01T00:00:00Z",\n                            1\n                        ]\n                    ]\n                }\n            ]\n        }\n    ]\n}\n',
  );
});

test('empty results, errors, messages and partial flags take InfluxDB field order', (t) => {
  t.is(formatJson({ results: [] }), '{}\n');
  t.is(formatJson({ error: 'boom' }), '{"error":"boom"}\n');
  t.is(
    formatJson({ results: [{ statement_id: 1, series: [{ name: '', columns: ['key'], values: [['a']], partial: true }], messages: [{ level: 'warning', text: 'w' }], partial: true, error: 'e' }] }),
    '{"results":[{"statement_id":1,"series":[{"columns":["key"],"values":[["a"]],"partial":true}],"messages":[{"level":"warning","text":"w"}],"partial":true,"error":"e"}]}\n',
  );
  t.is(formatJson({ results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [] }] }] }), '{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"]}]}]}\n');
  t.is(formatJson({ results: [{ statement_id: 0, series: [{ name: 'x', columns: ['time', 'v'], values: [[T, Number.NaN]] }] }] }), 'json: unsupported value: NaN\n');
});

test('tags are written sorted by key', (t) => {
  const body = formatJson({ results: [{ statement_id: 0, series: [{ name: 'q', tags: { z: '1', a: '2' }, columns: ['time'], values: [] }] }] });
  t.true(body.includes('"tags":{"a":"2","z":"1"}'));
});

test('non-chunked merge appends rows of the same series, keeps series partial flags, and an error replaces the result', (t) => {
  const acc: StatementResult[] = [];
  mergeResult(acc, { statement_id: 0, series: [{ name: 'q', columns: ['time', 'v'], values: [[1n, 1]], partial: true }], partial: true });
  mergeResult(acc, { statement_id: 0, series: [{ name: 'q', columns: ['time', 'v'], values: [[2n, 2]] }, { name: 'r', columns: ['time', 'v'], values: [[3n, 3]] }] });
  t.deepEqual(acc, [
    { statement_id: 0, series: [{ name: 'q', columns: ['time', 'v'], values: [[1n, 1], [2n, 2]], partial: true }, { name: 'r', columns: ['time', 'v'], values: [[3n, 3]] }] },
  ]);
  mergeResult(acc, { statement_id: 1, error: 'database not found: x' });
  mergeResult(acc, { statement_id: 1, error: 'not executed' });
  t.deepEqual(acc[1], { statement_id: 1, error: 'not executed' });
});

test('Go float and duration text', (t) => {
  t.is(goPlainFloat(1e21), '1000000000000000000000');
  t.is(goPlainFloat(1.5e-7), '0.00000015');
  t.is(goPlainFloat(-2.5), '-2.5');
  t.is(goPlainFloat(1.7976931348623157e308).length, 309);
  t.is(goDuration(0n), '0s');
  t.is(goDuration(168n * 3600n * 1_000_000_000n), '168h0m0s');
  t.is(goDuration(90n * 60n * 1_000_000_000n), '1h30m0s');
  t.is(goDuration(1_500_000_000n), '1.5s');
  t.is(goDuration(61n * 1_000_000_000n), '1m1s');
  t.is(goDuration(500_000_000n), '500ms');
});

test('formatJsonParts concatenates to exactly formatJson, in parts for large series', (t) => {
  const big: (bigint | number | string | null)[][] = [];
  for (let i = 0; i < 10000; i++) big.push([T + BigInt(i), i * 0.5, i % 3 === 0 ? null : `s<${i}>`]);
  const cases: Parameters<typeof formatJson>[0][] = [
    { results: [] },
    { error: 'x' },
    { results: [{ statement_id: 0 }] },
    { results: [{ statement_id: 0, error: 'database not found: x' }] },
    {
      results: [
        { statement_id: 0, series: [{ name: 'q', tags: { b: '1', a: '2' }, columns: ['time', 'v', 's'], values: big, partial: true }, { name: '', columns: ['key'], values: [] }], messages: [{ level: 'warning', text: 'w' }], partial: true },
        { statement_id: 1, series: [{ name: 'r', columns: ['time', 'v'], values: [[T, 1n]] }] },
      ],
    },
  ];
  for (const c of cases) {
    for (const epoch of ['', 'ms']) {
      const parts = [...formatJsonParts(c, { epoch })];
      t.is(parts.join(''), formatJson(c, { epoch }));
      if (c.results?.[0]?.series?.[0]?.values.length === 10000) t.true(parts.length > 2);
    }
  }
  t.is([...formatJsonParts({ results: [{ statement_id: 0, series: [{ name: 'x', columns: ['time', 'v'], values: [[T, Infinity]] }] }] })].join(''), 'json: unsupported value: +Inf\n');
});
