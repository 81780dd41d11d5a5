import avro from 'avsc';

/**
 * The one place where the cluster port's message bodies are described. Every body is Avro (avsc) in one
 * of the schemas below. SCHEMA_VERSION is exchanged in the handshake: peers on different versions refuse
 * each other clearly instead of misreading bytes. Change a schema => bump the version.
 */
export const SCHEMA_VERSION = 2;

/** Frame type bytes (InfluxDB 0.10 numbering for the four it had). */
export const MessageType = {
  WRITE_SHARD_REQUEST: 1,
  WRITE_SHARD_RESPONSE: 2,
  MAP_SHARD_REQUEST: 3,
  MAP_SHARD_RESPONSE: 4,
} as const;

/** A frame type byte. */
export type MessageTypeByte = (typeof MessageType)[keyof typeof MessageType];

/**
 * A batch of points, column-oriented (chosen by bench/codec.bench.ts over a record per point and over
 * line protocol): series are sent once per batch; numbers travel as raw little-endian arrays in `bytes`
 * fields, so neither side walks per-value Avro unions or BigInt longs.
 */
const PointBatch = {
  type: 'record',
  name: 'PointBatch',
  fields: [
    { name: 'count', type: 'int' },
    /** Distinct canonical series keys, in first-seen order. */
    { name: 'seriesKeys', type: { type: 'array', items: 'string' } },
    { name: 'measurements', type: { type: 'array', items: 'string' } },
    /** Tags per series; `tags` holds k, v, k, v... for every series in order. */
    { name: 'tagCounts', type: { type: 'array', items: 'int' } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    /** Per point: index into seriesKeys. */
    { name: 'pointSeries', type: { type: 'array', items: 'int' } },
    /** Per point: int64 little-endian nanoseconds. */
    { name: 'times', type: 'bytes' },
    /** Distinct field layouts: names and a type byte per field (0 float, 1 integer, 2 string, 3 boolean). */
    {
      name: 'shapes',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Shape',
          fields: [
            { name: 'names', type: { type: 'array', items: 'string' } },
            { name: 'types', type: 'bytes' },
          ],
        },
      },
    },
    /** Per point: index into shapes. */
    { name: 'pointShape', type: { type: 'array', items: 'int' } },
    /** Values in point order, then field order, one column per type. */
    { name: 'floats', type: 'bytes' },
    { name: 'integers', type: 'bytes' },
    { name: 'strings', type: { type: 'array', items: 'string' } },
    { name: 'booleans', type: 'bytes' },
  ],
} as const;

/** Error details every response may carry: code 0 = success (InfluxDB's Code), errorCode = a TesseraError code. */
const ResponseFields = [
  { name: 'code', type: 'int' },
  { name: 'message', type: 'string', default: '' },
  { name: 'errorCode', type: ['null', 'string'], default: null },
] as const;

const schemas = {
  [MessageType.WRITE_SHARD_REQUEST]: {
    type: 'record',
    name: 'WriteShardRequest',
    fields: [
      { name: 'shardId', type: 'long' },
      { name: 'points', type: PointBatch },
    ],
  },
  [MessageType.WRITE_SHARD_RESPONSE]: {
    type: 'record',
    name: 'WriteShardResponse',
    fields: [
      ...ResponseFields,
      /** Points the receiver dropped (field type conflicts) while writing the rest; `message` says why. */
      { name: 'dropped', type: 'int', default: 0 },
    ],
  },
  [MessageType.MAP_SHARD_REQUEST]: {
    type: 'record',
    name: 'MapShardRequest',
    fields: [
      { name: 'shardId', type: 'long' },
      /** The query engine's MapRequest, in the value encoding of codec-values.ts. */
      { name: 'request', type: 'bytes' },
      { name: 'chunkSize', type: 'int' },
    ],
  },
  [MessageType.MAP_SHARD_RESPONSE]: {
    type: 'record',
    name: 'MapShardResponse',
    fields: [
      ...ResponseFields,
      /** Only the first response of a stream carries tag sets and fields. */
      { name: 'tagSets', type: { type: 'array', items: 'string' }, default: [] },
      { name: 'fields', type: { type: 'array', items: 'string' }, default: [] },
      /** A MapChunk in the value encoding of codec-values.ts; null in the last response of a stream. */
      { name: 'chunk', type: ['null', 'bytes'], default: null },
    ],
  },
} as const;

interface AvroTap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
}

/**
 * An array type that refuses block counts larger than the bytes left: avsc would otherwise allocate and
 * loop for any count a peer writes (a 5-byte varint can claim billions of items). Every item of our
 * arrays takes at least one byte, so a valid count never exceeds the remaining bytes. Relies on avsc
 * 5.7's Tap (`buf`, `pos`, `readLong`, `skipLong`) and `itemsType`; the version is pinned.
 */
class BoundedArrayType extends (avro.types.ArrayType as unknown as new (schema: unknown, opts: unknown) => avro.Type) {
  _read(tap: AvroTap): unknown[] {
    const items = (this as unknown as { itemsType: { _read(tap: AvroTap): unknown } }).itemsType;
    const val: unknown[] = [];
    let n: number;
    while ((n = tap.readLong())) {
      if (n < 0) {
        n = -n;
        tap.skipLong();
      }
      if (n > tap.buf.length - tap.pos) {
        tap.pos = tap.buf.length + 1; // the decode then reports truncation (offset -1)
        return val;
      }
      while (n--) val.push(items._read(tap));
    }
    return val;
  }
}

function boundedType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    typeHook: (s: avro.Schema, opts: unknown) =>
      typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'array' ? new BoundedArrayType(s, opts) : undefined,
  } as never);
}

/** The avsc Type of each message type. */
export const messageTypes: Readonly<Record<MessageTypeByte, avro.Type>> = Object.freeze({
  [MessageType.WRITE_SHARD_REQUEST]: boundedType(schemas[MessageType.WRITE_SHARD_REQUEST]),
  [MessageType.WRITE_SHARD_RESPONSE]: boundedType(schemas[MessageType.WRITE_SHARD_RESPONSE]),
  [MessageType.MAP_SHARD_REQUEST]: boundedType(schemas[MessageType.MAP_SHARD_REQUEST]),
  [MessageType.MAP_SHARD_RESPONSE]: boundedType(schemas[MessageType.MAP_SHARD_RESPONSE]),
});

/** True when `type` is a known message type byte. */
export function isMessageType(type: number): type is MessageTypeByte {
  return type >= 1 && type <= 4 && Number.isInteger(type);
}
