import test from 'ava';
import { CsvFormatter } from '../../../core/query/format-csv.js';

const q = (v: number | bigint | string | null, host: string, t: bigint) => [t, host, v] as (bigint | string | number | null)[];

test('CSV writes name,tags,columns with nanosecond times and empty nulls', (t) => {
  const f = new CsvFormatter();
  const out = f.write({
    results: [{ statement_id: 0, series: [{ name: 'q', columns: ['time', 'host', 'v'], values: [q(1, 'a', 1577836800000000000n), q(null, 'b', 1577836810000000000n)] }] }],
  });
  t.is(out, 'name,tags,time,host,v\nq,,1577836800000000000,a,1\nq,,1577836810000000000,b,\n');
});

test('CSV separates statements with a blank line, writes tags as a key, skips errors, and honours epoch', (t) => {
  const f = new CsvFormatter('s');
  const out = f.write({
    results: [
      { statement_id: 0, series: [{ name: 'q', tags: { host: 'a b' }, columns: ['time', 'v'], values: [[1577836800000000000n, 1]] }, { name: 'q', tags: { host: 'b' }, columns: ['time', 'v'], values: [[1577836810000000000n, 2]] }] },
      { statement_id: 1, error: 'database not found: x' },
      { statement_id: 2, series: [{ name: 'q', columns: ['time', 'count'], values: [[0n, 4n]] }] },
    ],
  });
  t.is(out, 'name,tags,time,v\nq,host=a\\ b,1577836800,1\nq,host=b,1577836810,2\n\nname,tags,time,count\nq,,0,4\n');
});

test('CSV quotes fields as Go encoding/csv does and writes top-level errors', (t) => {
  const f = new CsvFormatter();
  t.is(f.write({ error: 'error parsing query: found "x", bad' }), 'error\n"error parsing query: found ""x"", bad"\n');
  const g = new CsvFormatter();
  t.is(g.write({ results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [[' lead'], ['a,b'], ['ok']] }] }] }), 'name,tags,name\ndatabases,," lead"\ndatabases,,"a,b"\ndatabases,,ok\n');
});
