/** The four field types of InfluxDB 1.x line protocol (unsigned is rejected, as in 1.6). */
export type FieldType = 'float' | 'integer' | 'string' | 'boolean';

/**
 * A field value: float = `number`, integer = `bigint` (exact int64), string, boolean.
 * The JS type alone tells float from integer.
 */
export type FieldValue = number | bigint | string | boolean;

/** A tag as a [key, value] pair. */
export type Tag = readonly [key: string, value: string];

/**
 * One point. `tags` are sorted by key with empty values dropped; `key` is the canonical series key
 * (escaped measurement + `,k=v` per tag, as InfluxDB builds it); `time` is nanoseconds since the epoch.
 * `fields` is in the order the line gave them, duplicate names resolved (last wins).
 */
export interface Point {
  readonly measurement: string;
  readonly tags: readonly Tag[];
  readonly fields: ReadonlyArray<readonly [name: string, value: FieldValue]>;
  readonly time: bigint;
  readonly key: string;
}

/** The type of a field value. */
export function fieldTypeOf(value: FieldValue): FieldType {
  switch (typeof value) {
    case 'number':
      return 'float';
    case 'bigint':
      return 'integer';
    case 'string':
      return 'string';
    default:
      return 'boolean';
  }
}

/** Smallest and largest timestamps InfluxDB 1.x accepts (ns). */
export const MIN_TIME = -9223372036854775806n;
export const MAX_TIME = 9223372036854775806n;
