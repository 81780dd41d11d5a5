import type { FieldValue, Point, Tag } from '../model/point.js';
import { normalizeTags, seriesKey } from '../model/series-key.js';

/**
 * Builds a Point the way the line-protocol parser would: tags sorted by key with empty values dropped,
 * the canonical series key, fields in the given order. Floats are `number`, integers `bigint`.
 */
export function makePoint(
  measurement: string,
  tags: Record<string, string>,
  fields: Record<string, FieldValue>,
  time: bigint,
): Point {
  const sorted: Tag[] = normalizeTags(Object.entries(tags));
  const fieldList = Object.entries(fields) as Array<[string, FieldValue]>;
  if (fieldList.length === 0) throw new TypeError('makePoint: a point needs at least one field');
  return { measurement, tags: sorted, fields: fieldList, time, key: seriesKey(measurement, sorted) };
}
