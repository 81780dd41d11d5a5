import test from 'ava';
import { parsePrecision, precisionMultiplier, truncateToPrecision } from '../../core/model/line-protocol.js';

test('parsePrecision knows n ns u ms s m h and treats anything else as ns (InfluxDB 1.6.7 /write)', (t) => {
  for (const p of ['n', 'ns', 'u', 'ms', 's', 'm', 'h'] as const) t.is(parsePrecision(p), p);
  // InfluxDB 1.6.7 wrote `m v=1 5` at time 5 (ns) for precision=us, µ, U, MS, NS, x and empty
  for (const p of ['us', 'µ', 'U', 'MS', 'NS', 'x', '', null, undefined]) t.is(parsePrecision(p), 'ns');
});

test('precisionMultiplier and truncateToPrecision (floor, also before 1970)', (t) => {
  t.is(precisionMultiplier('µ'), 1000n);
  t.is(precisionMultiplier('h'), 3_600_000_000_000n);
  t.is(truncateToPrecision(1795671826806927826n, 'ms'), 1795671826806000000n);
  t.is(truncateToPrecision(-1n, 's'), -1_000_000_000n);
  t.is(truncateToPrecision(-1_000_000_000n, 's'), -1_000_000_000n);
  t.is(truncateToPrecision(123n, 'n'), 123n);
});
