import test from 'ava';
import fc from 'fast-check';
import { CsvFormatter } from '../../../core/query/format-csv.js';
import { formatJson, formatJsonParts } from '../../../core/query/format-json.js';
import { mergeResult } from '../../../core/query/format-merge.js';
import { emitSeries } from '../../../core/query/emit.js';
import type { Series, StatementResult, Value } from '../../../core/query/result.js';

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
);

const series: fc.Arbitrary<Series> = fc
  .record({
    name: fc.string(),
    tags: fc.option(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), { nil: undefined }),
    width: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 0, max: 30 }),
  })
  .chain(({ name, tags, width, rows }) =>
    fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: rows, maxLength: rows }).map((values) => {
      const s: Series = { name, columns: Array.from({ length: width }, (_, i) => `c${i}`), values };
      if (tags !== undefined) s.tags = tags;
      return s;
    }),
  );

/** What JSON.parse gives back for a non-string value Go wrote (an int64 becomes the nearest double). */
function expectedCell(v: Value): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

test('JSON output is valid JSON carrying every name, tag and value (strings round-trip through Go escaping)', (t) => {
  fc.assert(
    fc.property(fc.array(series, { maxLength: 3 }), (list) => {
      const body = formatJson({ results: [{ statement_id: 0, series: list }] });
      t.true(body.endsWith('\n'));
      t.is([...formatJsonParts({ results: [{ statement_id: 0, series: list }] })].join(''), body);
      const parsed = JSON.parse(body) as { results: Array<{ series?: Array<{ name?: string; tags?: Record<string, string>; values?: unknown[][] }> }> };
      const out = parsed.results[0]!.series ?? [];
      t.is(out.length, list.length);
      list.forEach((s, i) => {
        const o = out[i]!;
        t.is(o.name ?? '', s.name);
        t.deepEqual(o.tags ?? {}, s.tags ?? {});
        t.is((o.values ?? []).length, s.values.length);
        s.values.forEach((row, r) => {
          row.forEach((v, c) => {
            const got = o.values![r]![c];
            if (typeof v === 'string') {
              // Lone surrogates are written as U+FFFD, as Go writes invalid UTF-8.
              t.is(got, v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
            } else t.deepEqual(got, expectedCell(v));
          });
        });
      });
    }),
    { numRuns: 150 },
  );
});

test('emitted pieces merged as the handler merges them give back the original series', (t) => {
  fc.assert(
    fc.property(fc.array(series, { maxLength: 4 }), fc.integer({ min: 1, max: 7 }), (list, chunk) => {
      const acc: StatementResult[] = [];
      for (const p of emitSeries(list, chunk)) mergeResult(acc, { statement_id: 0, ...p });
      const nonEmpty = list.filter((s) => s.values.length > 0);
      const merged = acc[0]!.series ?? [];
      // Consecutive series with the same name and tags merge into one, as in InfluxDB.
      const expected: Value[][][] = [];
      nonEmpty.forEach((s, i) => {
        const prev = nonEmpty[i - 1];
        const same = prev !== undefined && prev.name === s.name && JSON.stringify(Object.entries(prev.tags ?? {}).filter(([, v]) => v !== '').sort()) === JSON.stringify(Object.entries(s.tags ?? {}).filter(([, v]) => v !== '').sort());
        if (same) expected[expected.length - 1]!.push(...s.values);
        else expected.push([...s.values]);
      });
      t.deepEqual(merged.map((s) => s.values), expected);
      t.is(acc[0]!.partial, undefined);
    }),
    { numRuns: 150 },
  );
});

test('CSV rows: one line per row plus headers, fields quoted so a CSV reader gets them back', (t) => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 10 }), (rows) => {
      const out = new CsvFormatter().write({ results: [{ statement_id: 0, series: [{ name: 'm', columns: ['a', 'b'], values: rows }] }] });
      const parsed = parseCsv(out);
      t.deepEqual(parsed[0], ['name', 'tags', 'a', 'b']);
      t.deepEqual(parsed.slice(1), rows.map((r) => ['m', '', ...r]));
    }),
    { numRuns: 150 },
  );
});

/** A small RFC 4180 reader (quotes doubled inside quoted fields). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}
