// A map request travels to another node unchanged: through the JSON wire codec (bigints and regexes
// in its condition included) it gives the same chunks as the original.
import test from 'ava';
import type { SelectStatement } from '../../../core/query/ast.js';
import { parseQuery } from '../../../core/query/parser.js';
import { createLocalMapper } from '../../../core/query/select/local-mapper.js';
import { SELECT_MAP_VERSION, decodeWire, encodeWire, type SelectMapChunk, type SelectMapRequest } from '../../../core/query/select/map-request.js';
import { MemoryShardReader } from '../../../core/query/select/memory-reader.js';

async function chunks(r: MemoryShardReader, req: SelectMapRequest): Promise<string> {
  const m = createLocalMapper(r, req, 3);
  await m.open();
  const out: SelectMapChunk[] = [];
  for (let c = await m.nextChunk(); c !== null; c = await m.nextChunk()) out.push(c as SelectMapChunk);
  await m.close();
  return encodeWire(out);
}

test('a request with bigints and regexes in its condition survives the wire codec', async (t) => {
  const r = new MemoryShardReader();
  for (let k = 0; k < 20; k++) r.add('m', [['host', k % 3 === 0 ? 'web1' : 'db1']], BigInt(k) * 1_000_000_000n, [['i', BigInt(k) * 1_000_000_000_000n], ['v', k / 2]]);
  const stmt = parseQuery("SELECT i FROM m WHERE host =~ /^web/ AND i > 3000000000000 OR v = 9.5")[0] as SelectStatement;
  const req: SelectMapRequest = {
    version: SELECT_MAP_VERSION,
    kind: 'data',
    measurement: 'm',
    tmin: '0',
    tmax: '9223372036854775806',
    condition: stmt.condition,
    dimensions: ['host'],
    interval: '0',
    offset: '0',
    ascending: true,
    columns: [{ kind: 'field', name: 'i' }],
    aggregates: null,
  };
  const text = encodeWire(req);
  t.notThrows(() => JSON.parse(text));
  const back = decodeWire<SelectMapRequest>(text);
  t.deepEqual(back, req);
  const direct = await chunks(r, req);
  t.is(await chunks(r, back), direct);
  // host=db1 rows only through `v = 9.5` (k = 19); web1 rows with i > 3e12 (k = 6, 9, ...).
  const rows = (decodeWire<SelectMapChunk[]>(direct)).flatMap((c) => c.groups ?? []).flatMap((g) => g.rows.map((row) => [g.key, row[1]]));
  t.deepEqual(rows, [
    ['db1', 19_000_000_000_000n],
    ['web1', 6_000_000_000_000n],
    ['web1', 9_000_000_000_000n],
    ['web1', 12_000_000_000_000n],
    ['web1', 15_000_000_000_000n],
    ['web1', 18_000_000_000_000n],
  ]);
});
