// addRange's shortcuts for selectors (one competing point per range) pick exactly the point that
// adding the range point by point picks: ties, NaNs, repeated times and earlier states included.
import test from 'ava';
import fc from 'fast-check';
import type { PartialOp, PartialState } from '../../../core/query/select/map-request.js';
import { addPoint, addRange, newState } from '../../../core/query/select/partials.js';

const OPS: PartialOp[] = ['min', 'max', 'first', 'last'];

test('property: min/max/first/last over a range equal the point-by-point result', (t) => {
  const value = fc.oneof(fc.integer({ min: -3, max: 3 }).map((x) => x / 2), fc.constant(Number.NaN));
  fc.assert(
    fc.property(
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 2 }), v: value }), { minLength: 1, maxLength: 30 }),
      fc.constantFrom(...OPS),
      fc.option(fc.record({ t: fc.integer({ min: 0, max: 40 }), v: value })),
      fc.boolean(),
      (pts, op, prior, asInt) => {
        const times = new BigInt64Array(pts.length);
        let now = 5n;
        pts.forEach((p, i) => {
          now += BigInt(p.dt);
          times[i] = now;
        });
        const floats = Float64Array.from(pts.map((p) => p.v));
        const ints = BigInt64Array.from(pts.map((p) => BigInt(Number.isNaN(p.v) ? 0 : Math.round(p.v * 2))));
        const values = asInt ? ints : floats;
        const seed = (): PartialState => {
          const s = newState(op);
          if (prior !== null) {
            const pv = asInt ? BigInt(Number.isNaN(prior.v) ? 1 : Math.round(prior.v * 2)) : prior.v;
            addPoint(s, op, BigInt(prior.t), pv, null);
          }
          return s;
        };
        const a = seed();
        addRange(a, op, times, values, 0, pts.length);
        const b = seed();
        for (let i = 0; i < pts.length; i++) addPoint(b, op, times[i] as bigint, values[i] as number | bigint, null);
        return Object.is(a.p?.v, b.p?.v) && a.p?.t === b.p?.t;
      },
    ),
    { numRuns: 2000 },
  );
  t.pass();
});
