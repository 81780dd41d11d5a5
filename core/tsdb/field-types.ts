import type { FieldInfo, WriteShardResult } from '../contracts/tsdb-store.js';
import { type FieldType, fieldTypeOf, type Point } from '../model/point.js';
import { compareUtf8 } from './compare.js';

/** InfluxDB 1.x's wording of a field type conflict (the text after `partial write: `). */
export function fieldTypeConflictMessage(field: string, measurement: string, input: FieldType, existing: FieldType): string {
  return `field type conflict: input field "${field}" on measurement "${measurement}" is type ${input}, already exists as type ${existing}`;
}

/** Points accepted by {@link ShardFieldTypes.admit}, with the count and first reason of those dropped. */
export interface AdmitResult extends WriteShardResult {
  /** The points to store, in input order (the input array itself when nothing was dropped). */
  readonly accepted: readonly Point[];
}

/**
 * The field types of one shard, per measurement, as InfluxDB 1.x keeps them (its MeasurementFieldSet):
 * a field's type is fixed by the first point that stored it; a point with a field of another type is
 * dropped whole and registers none of its fields; within one batch the first type seen wins. Types are
 * forgotten only by {@link deleteMeasurement} (InfluxDB keeps them when DELETE / DROP SERIES empties a
 * measurement: a later write of another type still conflicts).
 */
export class ShardFieldTypes {
  readonly #byMeasurement = new Map<string, Map<string, FieldType>>();
  /**
   * Per measurement, the field names and `typeof`s of the last point admitted the slow way: a point with
   * exactly those fields (most points of a batch) is known to match without looking each field up.
   */
  readonly #lastShape = new Map<string, FieldShape>();

  /**
   * Checks a batch, registers the fields of accepted points, and returns the accepted points.
   * The error is the first conflict, worded as InfluxDB words it.
   */
  admit(points: readonly Point[]): AdmitResult {
    let accepted: Point[] | undefined;
    let dropped = 0;
    let error: string | undefined;
    let lastMeasurement: string | undefined;
    let fields: Map<string, FieldType> | undefined;
    let shape: FieldShape | undefined;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      if (p.measurement !== lastMeasurement) {
        lastMeasurement = p.measurement;
        fields = this.#byMeasurement.get(p.measurement);
        if (fields === undefined) {
          fields = new Map();
          this.#byMeasurement.set(p.measurement, fields);
        }
        shape = this.#lastShape.get(p.measurement);
      }
      if (shape !== undefined && sameShape(shape, p.fields)) {
        accepted?.push(p);
        continue;
      }
      const known = fields!;
      let conflict: string | undefined;
      for (const [name, value] of p.fields) {
        const existing = known.get(name);
        if (existing !== undefined) {
          const input = fieldTypeOf(value);
          if (input !== existing) {
            conflict = fieldTypeConflictMessage(name, p.measurement, input, existing);
            break;
          }
        }
      }
      if (conflict !== undefined) {
        dropped++;
        error ??= conflict;
        accepted ??= points.slice(0, i);
        continue;
      }
      for (const [name, value] of p.fields) if (!known.has(name)) known.set(name, fieldTypeOf(value));
      shape = shapeOf(p.fields);
      this.#lastShape.set(p.measurement, shape);
      accepted?.push(p);
    }
    const result: AdmitResult = { accepted: accepted ?? points, dropped };
    return error === undefined ? result : { ...result, error };
  }

  /** The type of a field, or undefined. */
  typeOf(measurement: string, field: string): FieldType | undefined {
    return this.#byMeasurement.get(measurement)?.get(field);
  }

  /** Fields of a measurement, sorted by name (UTF-8 byte order). */
  fields(measurement: string): FieldInfo[] {
    const m = this.#byMeasurement.get(measurement);
    if (m === undefined) return [];
    const out: FieldInfo[] = [];
    for (const [name, type] of m) out.push({ name, type });
    return out.sort((a, b) => compareUtf8(a.name, b.name));
  }

  /** Registers a type without checking (recovery from storage); an existing type is replaced. */
  restore(measurement: string, field: string, type: FieldType): void {
    this.#lastShape.delete(measurement);
    let m = this.#byMeasurement.get(measurement);
    if (m === undefined) {
      m = new Map();
      this.#byMeasurement.set(measurement, m);
    }
    m.set(field, type);
  }

  /** Forgets a measurement's field types (DROP MEASUREMENT). */
  deleteMeasurement(measurement: string): void {
    this.#lastShape.delete(measurement);
    this.#byMeasurement.delete(measurement);
  }

  /** Every (measurement, field, type), for persisting. */
  *entries(): IterableIterator<[measurement: string, field: string, type: FieldType]> {
    for (const [m, fields] of this.#byMeasurement) for (const [f, t] of fields) yield [m, f, t];
  }
}

/** Field names and `typeof` values of one point, in order. */
interface FieldShape {
  readonly names: string[];
  readonly kinds: string[];
}

function shapeOf(fields: Point['fields']): FieldShape {
  const names: string[] = new Array(fields.length);
  const kinds: string[] = new Array(fields.length);
  for (let f = 0; f < fields.length; f++) {
    const fv = fields[f]!;
    names[f] = fv[0];
    kinds[f] = typeof fv[1];
  }
  return { names, kinds };
}

function sameShape(shape: FieldShape, fields: Point['fields']): boolean {
  const names = shape.names;
  if (names.length !== fields.length) return false;
  const kinds = shape.kinds;
  for (let f = 0; f < fields.length; f++) {
    const fv = fields[f]!;
    if (fv[0] !== names[f] || typeof fv[1] !== kinds[f]) return false;
  }
  return true;
}
