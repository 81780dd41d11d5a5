import type { TSDBStore, WriteShardResult } from '../contracts/tsdb-store.js';
import { type FieldType, type FieldValue, fieldTypeOf, type Point } from '../model/point.js';
import { compareUtf8 } from '../tsdb/compare.js';
import { makePoint } from './points.js';
import { Harness, prng, type SuiteContext, scanAll, type TSDBStoreSuiteOptions } from './suite-harness.js';

/** A reference shard with InfluxDB's rules, written for clarity rather than speed. */
class ModelShard {
  readonly types = new Map<string, Map<string, FieldType>>();
  readonly series = new Map<string, { measurement: string; fields: Map<string, Map<bigint, FieldValue>> }>();

  write(points: readonly Point[]): WriteShardResult {
    let dropped = 0;
    let error: string | undefined;
    for (const p of points) {
      const known = this.types.get(p.measurement) ?? new Map<string, FieldType>();
      this.types.set(p.measurement, known);
      const bad = p.fields.find(([name, value]) => known.has(name) && known.get(name) !== fieldTypeOf(value));
      if (bad !== undefined) {
        dropped++;
        error ??= `field type conflict: input field "${bad[0]}" on measurement "${p.measurement}" is type ${fieldTypeOf(bad[1])}, already exists as type ${known.get(bad[0])}`;
        continue;
      }
      const s = this.series.get(p.key) ?? { measurement: p.measurement, fields: new Map() };
      this.series.set(p.key, s);
      for (const [name, value] of p.fields) {
        if (!known.has(name)) known.set(name, fieldTypeOf(value));
        const col = s.fields.get(name) ?? new Map<bigint, FieldValue>();
        s.fields.set(name, col);
        col.set(p.time, value);
      }
    }
    return error === undefined ? { dropped } : { dropped, error };
  }

  deleteSeries(keys: readonly string[], tmin: bigint, tmax: bigint): void {
    for (const key of keys) {
      const s = this.series.get(key);
      if (s === undefined) continue;
      for (const [name, col] of s.fields) {
        for (const time of [...col.keys()]) if (time >= tmin && time <= tmax) col.delete(time);
        if (col.size === 0) s.fields.delete(name);
      }
      if (s.fields.size === 0) this.series.delete(key);
    }
  }

  deleteMeasurement(measurement: string): void {
    for (const [key, s] of [...this.series]) if (s.measurement === measurement) this.series.delete(key);
    this.types.delete(measurement);
  }

  measurements(): string[] {
    return [...new Set([...this.series.values()].map((s) => s.measurement))].sort(compareUtf8);
  }
}

const MEASUREMENTS = ['cpu', 'mem'];
const HOSTS = ['a', 'b', 'c', 'd'];
const FIELDS = ['f1', 'f2', 'f3'];

function randomValue(rand: () => number, type: FieldType): FieldValue {
  switch (type) {
    case 'float':
      return Math.round(rand() * 1e6) / 8;
    case 'integer':
      return BigInt(Math.floor(rand() * 2 ** 53)) * (rand() < 0.5 ? -1n : 1n) * 1024n;
    case 'string':
      return `s${Math.floor(rand() * 1000)}`;
    default:
      return rand() < 0.5;
  }
}

/** Compares everything the store shows with the model. */
function compare(t: SuiteContext, store: TSDBStore, model: ModelShard, step: number): void {
  const r = store.reader(1);
  t.deepEqual(r.measurements(), model.measurements(), `measurements at step ${step}`);
  for (const m of MEASUREMENTS) {
    const keys = [...model.series].filter(([, s]) => s.measurement === m).map(([k]) => k).sort(compareUtf8);
    t.deepEqual(
      r.series(m).map((s) => s.key),
      keys,
      `series of ${m} at step ${step}`,
    );
    const types = keys.length === 0 ? [] : [...(model.types.get(m) ?? new Map<string, FieldType>())].map(([name, type]) => ({ name, type }));
    t.deepEqual(r.fields(m), types.sort((a, b) => compareUtf8(a.name, b.name)), `fields of ${m} at step ${step}`);
    for (const h of HOSTS) {
      const key = `${m},host=${h}`;
      for (const f of FIELDS) {
        const col = model.series.get(key)?.fields.get(f) ?? new Map<bigint, FieldValue>();
        const expected = [...col].sort((a, b) => (a[0] < b[0] ? -1 : 1));
        const got = scanAll(t, r, key, f);
        t.deepEqual(
          got.times.map((time, i) => [time, got.values[i]]),
          expected,
          `${key} ${f} at step ${step}`,
        );
      }
    }
  }
}

/** Random writes, overwrites, conflicts and deletes, checked against a reference model. */
export function modelTests({ test, name, factory }: TSDBStoreSuiteOptions): void {
  test(`${name}: random writes, overwrites, conflicts and deletes match a reference model`, async (t) => {
    const store = await (await Harness.create(t, factory)).store();
    await store.createShard('db', 'autogen', 1);
    const model = new ModelShard();
    const rand = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const TYPES: FieldType[] = ['float', 'integer', 'string', 'boolean'];
    for (let step = 0; step < 120; step++) {
      const roll = rand();
      if (roll < 0.75 || !store.supports.deletes) {
        const points: Point[] = [];
        const n = 1 + Math.floor(rand() * 40);
        for (let i = 0; i < n; i++) {
          const fields: Record<string, FieldValue> = {};
          for (const f of FIELDS) {
            // Mostly one type per field, sometimes another: conflicts happen but stay rare.
            if (rand() < 0.6) fields[f] = randomValue(rand, rand() < 0.9 ? TYPES[FIELDS.indexOf(f)]! : pick(TYPES));
          }
          if (Object.keys(fields).length === 0) fields.f1 = randomValue(rand, 'float');
          points.push(makePoint(pick(MEASUREMENTS), { host: pick(HOSTS) }, fields, BigInt(Math.floor(rand() * 60) - 20) * 1000n));
        }
        t.deepEqual(await store.writeToShard(1, points), model.write(points), `write result at step ${step}`);
      } else if (roll < 0.95) {
        const keys = HOSTS.filter(() => rand() < 0.5).map((h) => `${pick(MEASUREMENTS)},host=${h}`);
        const a = BigInt(Math.floor(rand() * 80) - 30) * 1000n;
        const b = a + BigInt(Math.floor(rand() * 40)) * 1000n;
        await store.deleteSeries(1, keys, a, b);
        model.deleteSeries(keys, a, b);
      } else {
        const m = pick(MEASUREMENTS);
        await store.deleteMeasurement(1, m);
        model.deleteMeasurement(m);
      }
      if (step % 30 === 29) compare(t, store, model, step);
    }
    compare(t, store, model, 120);
  });
}
