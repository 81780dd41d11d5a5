import test from 'ava';
import { checkRecorded } from './harness.js';

// InfluxQL math functions (InfluxDB 1.6) on fields, on aggregates, in WHERE and with wildcards, with
// 1.6.7's quirks (abs/floor/ceil/round return integers unchanged; NaN and non-numbers give null).
// Answers recorded from a real InfluxDB 1.6.7 on this data.
const DATA = 'm,h=a i=-4i,f=2.5,s="x",b=true 10\nm,h=b i=9i,f=-1.5,s="y",b=false 20';
const CASES: ReadonlyArray<[string, string]> = [
  ["SELECT abs(i), floor(i), ceil(i), round(i), sqrt(i) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\",\"floor\",\"ceil\",\"round\",\"sqrt\"],\"values\":[[\"1970-01-01T00:00:10Z\",-4,-4,-4,-4,null],[\"1970-01-01T00:00:20Z\",9,9,9,9,3]]}]}]}"],
  ["SELECT abs(f), floor(f), ceil(f), round(f), sqrt(f) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\",\"floor\",\"ceil\",\"round\",\"sqrt\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5,2,3,3,1.5811388300841898],[\"1970-01-01T00:00:20Z\",1.5,-2,-1,-2,null]]}]}]}"],
  ["SELECT pow(i, 2), pow(f, 0.5), log(i, 2), ln(f), log2(i), log10(i), exp(f) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"pow\",\"pow_1\",\"log\",\"ln\",\"log2\",\"log10\",\"exp\"],\"values\":[[\"1970-01-01T00:00:10Z\",16,1.5811388300841898,null,0.9162907318741551,null,null,12.182493960703473],[\"1970-01-01T00:00:20Z\",81,null,3.1699250014423126,null,3.1699250014423126,0.954242509439325,0.22313016014842982]]}]}]}"],
  ["SELECT abs(s) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",null],[\"1970-01-01T00:00:20Z\",null]]}]}]}"],
  ["SELECT abs(b) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",null],[\"1970-01-01T00:00:20Z\",null]]}]}]}"],
  ["SELECT abs(mean(f)), floor(max(i)), sqrt(sum(i)) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\",\"floor\",\"sqrt\"],\"values\":[[\"1970-01-01T00:00:00Z\",0.5,9,2.23606797749979]]}]}]}"],
  ["SELECT abs(f) * 2 + i FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs_i\"],\"values\":[[\"1970-01-01T00:00:10Z\",1],[\"1970-01-01T00:00:20Z\",12]]}]}]}"],
  ["SELECT sqrt(abs(i)) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"sqrt\"],\"values\":[[\"1970-01-01T00:00:10Z\",null],[\"1970-01-01T00:00:20Z\",3]]}]}]}"],
  ["SELECT abs(i, 2) FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"invalid number of arguments for abs, expected 1, got 2\"}]}"],
  ["SELECT pow(i) FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"invalid number of arguments for pow, expected 2, got 1\"}]}"],
  ["SELECT abs() FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"invalid number of arguments for abs, expected 1, got 0\"}]}"],
  ["SELECT round(f), h FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"round\",\"h\"],\"values\":[[\"1970-01-01T00:00:10Z\",3,\"a\"],[\"1970-01-01T00:00:20Z\",-2,\"b\"]]}]}]}"],
  ["SELECT abs(f) FROM m WHERE abs(f) > 2", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5]]}]}]}"],
  ["SELECT abs(f) AS x, floor(i) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"x\",\"floor\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5,-4],[\"1970-01-01T00:00:20Z\",1.5,9]]}]}]}"],
  ["SELECT abs(*) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs_f\",\"abs_i\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5,-4],[\"1970-01-01T00:00:20Z\",1.5,9]]}]}]}"],
  ["SELECT abs(f) FROM m GROUP BY h", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"tags\":{\"h\":\"a\"},\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5]]},{\"name\":\"m\",\"tags\":{\"h\":\"b\"},\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:20Z\",1.5]]}]}]}"],
  ["SELECT mean(abs(f)) FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"expected field argument in mean()\"}]}"],
  ["SELECT derivative(abs(f)) FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"derivative aggregate requires a GROUP BY interval\"}]}"],
  ["SELECT abs(f::integer) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2],[\"1970-01-01T00:00:20Z\",-1]]}]}]}"],
  ["SELECT round(-2.5), abs(-3) FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"field must contain at least one variable\"}]}"],
  ["SELECT abs(f), abs(f) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\",\"abs_1\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5,2.5],[\"1970-01-01T00:00:20Z\",1.5,1.5]]}]}]}"],
  ["SELECT floor(f) FROM m ORDER BY time DESC LIMIT 1", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"floor\"],\"values\":[[\"1970-01-01T00:00:20Z\",-2]]}]}]}"],
  ["SELECT abs(max(f)) FROM m GROUP BY h", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"tags\":{\"h\":\"a\"},\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5]]},{\"name\":\"m\",\"tags\":{\"h\":\"b\"},\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:20Z\",1.5]]}]}]}"],
  ["SELECT abs(f) FROM m WHERE h = 'a'", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5]]}]}]}"],
  ["SELECT abs(top(f, 1)) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[[\"1970-01-01T00:00:10Z\",2.5]]}]}]}"],
  ["SELECT 1 FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"field must contain at least one variable\"}]}"],
  ["SELECT i + 1, 2 FROM m", "{\"results\":[{\"statement_id\":0,\"error\":\"field must contain at least one variable\"}]}"],
  ["SELECT log2(i), log10(i), log(f, 10) FROM m", "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"log2\",\"log10\",\"log\"],\"values\":[[\"1970-01-01T00:00:10Z\",null,null,0.3979400086720376],[\"1970-01-01T00:00:20Z\",3.1699250014423126,0.954242509439325,null]]}]}]}"],
];

test('math functions answer as InfluxDB 1.6.7', async (t) => {
  await checkRecorded(t, 'mf', DATA, CASES);
});
