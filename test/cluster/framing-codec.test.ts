import test from 'ava';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMapShardRequest,
  encodeMapShardResponse,
  encodeWriteShardRequest,
  encodeWriteShardResponse,
  errorResult,
  OK,
  resultError,
} from '../../core/cluster/codec.js';
import { encodePointBatch } from '../../core/cluster/codec-points.js';
import { encodeFrame, type Frame, FrameReader } from '../../core/cluster/framing.js';
import { MessageType, messageTypes } from '../../core/cluster/schema.js';
import { hasCode, TesseraError } from '../../core/errors.js';
import { MAX_TIME, MIN_TIME, type FieldValue, type Point, type Tag } from '../../core/model/point.js';

function frameOf(buf: Buffer): Frame {
  const frames: Frame[] = [];
  const err = new FrameReader().push(buf, (f) => frames.push(f));
  if (err || frames.length !== 1) throw new Error('not one frame');
  return frames[0]!;
}

function point(measurement: string, tags: Tag[], fields: [string, FieldValue][], time: bigint): Point {
  const key = measurement + tags.map(([k, v]) => `,${k}=${v}`).join('');
  return { measurement, tags, fields, time, key };
}

test('write-shard request round trip keeps shard, names, tags, every field type and exact times (rpc_test item 10)', (t) => {
  const points = [
    point('cpu', [['host', 'server01']], [['value', 100n]], 1_000_000_000n),
    point('cpu', [], [['value', 1.5], ['idle', -0.0]], MIN_TIME),
    point('mem', [['host', 'server01'], ['region', 'ü west']], [['s', 'quote " and \\ and\nnewline'], ['ok', true], ['bad', false], ['i', -(2n ** 63n)], ['f', Number.MAX_VALUE]], MAX_TIME),
    point('cpu', [['host', 'server01']], [['value', 9223372036854775807n]], 2n),
  ];
  const m = decodeMessage(frameOf(encodeWriteShardRequest({ shardId: 7, points })));
  t.is(m.type, MessageType.WRITE_SHARD_REQUEST);
  if (m.type !== MessageType.WRITE_SHARD_REQUEST) return;
  t.is(m.body.shardId, 7);
  t.deepEqual(m.body.points, points);
  t.true(Object.is(m.body.points[1]!.fields[1]![1], -0));
});

test('series and field layouts are sent once per batch', (t) => {
  const p = (i: number): Point => point('cpu', [['host', 'a']], [['v', i]], BigInt(i));
  const batch = encodePointBatch([p(1), p(2), p(3)]);
  t.deepEqual(batch.seriesKeys, ['cpu,host=a']);
  t.is(batch.shapes.length, 1);
  t.deepEqual(batch.pointSeries, [0, 0, 0]);
});

test('write-shard response round trip: code and message (rpc_test item 11) and the TesseraError code', (t) => {
  const m = decodeMessage(frameOf(encodeWriteShardResponse({ code: 10, message: 'foo', errorCode: null })));
  t.deepEqual(m, { type: MessageType.WRITE_SHARD_RESPONSE, body: { code: 10, message: 'foo', errorCode: null } });
  const ok = decodeMessage(frameOf(encodeWriteShardResponse(OK)));
  t.deepEqual(ok.body, OK);
  const failed = errorResult(new TesseraError('ERR_TSDB_FIELD_TYPE_CONFLICT', 'field type conflict: input field "v" is type integer'));
  const back = decodeMessage(frameOf(encodeWriteShardResponse(failed)));
  const err = resultError(back.body as typeof failed);
  t.true(hasCode(err, 'ERR_TSDB_FIELD_TYPE_CONFLICT'));
  t.is(err.message, 'field type conflict: input field "v" is type integer');
  t.true(hasCode(resultError({ code: 1, message: 'x', errorCode: null }), 'ERR_CLUSTER_REMOTE'));
  t.like(errorResult(new Error('plain')), { code: 1, message: 'plain', errorCode: null });
});

test('an error code the receiver does not know becomes ERR_CLUSTER_REMOTE', (t) => {
  const body = messageTypes[MessageType.WRITE_SHARD_RESPONSE].toBuffer({ code: 1, message: 'm', errorCode: 'ERR_FROM_THE_FUTURE' });
  const m = decodeMessage({ type: MessageType.WRITE_SHARD_RESPONSE, body });
  t.is((m.body as { errorCode: unknown }).errorCode, null);
});

test('map-shard request and response streams round trip, bigints included; the last chunk is null', (t) => {
  const request = { version: 1, measurement: 'cpu', tmin: -5n, tmax: 9223372036854775806n, fields: ['value'] };
  const req = decodeMessage(frameOf(encodeMapShardRequest({ shardId: 3, request, chunkSize: 1000 })));
  t.deepEqual(req, { type: MessageType.MAP_SHARD_REQUEST, body: { shardId: 3, request, chunkSize: 1000 } });
  const first = { ...OK, tagSets: ['host=a'], fields: ['value'], chunk: { name: 'cpu', values: [[1n, 2.5]] } };
  t.deepEqual(decodeMessage(frameOf(encodeMapShardResponse(first))).body, first);
  const last = { ...OK, tagSets: [], fields: [], chunk: null };
  t.deepEqual(decodeMessage(frameOf(encodeMapShardResponse(last))).body, last);
});

test('unknown types, truncated or padded bodies and inconsistent batches are ERR_CLUSTER_FRAME_INVALID', (t) => {
  const good = frameOf(encodeWriteShardRequest({ shardId: 1, points: [point('m', [], [['v', 1]], 1n)] }));
  const invalid = (f: Frame): void => {
    const err = t.throws(() => decodeMessage(f));
    t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'), String(err));
  };
  invalid({ type: 9, body: good.body });
  invalid({ type: good.type, body: good.body.subarray(0, good.body.length - 3) });
  invalid({ type: good.type, body: Buffer.concat([good.body, Buffer.of(0)]) });
  const batch = encodePointBatch([point('m', [], [['v', 1]], 1n)]);
  invalid({ type: 1, body: messageTypes[1].toBuffer({ shardId: 1, points: { ...batch, pointSeries: [5] } }) });
  invalid({ type: 1, body: messageTypes[1].toBuffer({ shardId: 1, points: { ...batch, floats: Buffer.alloc(16) } }) });
  invalid({ type: 1, body: messageTypes[1].toBuffer({ shardId: 1, points: { ...batch, count: 2 } }) });
});

test('an array count larger than the body is refused without allocating it', (t) => {
  // MapShardResponse: code 0, message "", errorCode null, then tagSets claiming 2^40 items.
  const body = Buffer.from([0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  const err = t.throws(() => decodeMessage({ type: MessageType.MAP_SHARD_RESPONSE, body }));
  t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'));
});

const fieldValue = fc.oneof(
  fc.double(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string(),
  fc.boolean(),
);
const arbPoint = fc
  .record({
    measurement: fc.string({ minLength: 1, maxLength: 8 }),
    tags: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ minLength: 1, maxLength: 5 })), { selector: (x) => x[0], maxLength: 4 }),
    fields: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fieldValue), { selector: (x) => x[0], minLength: 1, maxLength: 5 }),
    time: fc.bigInt({ min: MIN_TIME, max: MAX_TIME }),
  })
  .map((r) => point(r.measurement, [...r.tags].sort((a, b) => (a[0] < b[0] ? -1 : 1)) as Tag[], r.fields as [string, FieldValue][], r.time));

test('property: any batch of points survives the write-shard round trip exactly', (t) => {
  fc.assert(
    fc.property(fc.array(arbPoint, { maxLength: 30 }), fc.nat(), (points, shardId) => {
      const m = decodeMessage(frameOf(encodeWriteShardRequest({ shardId, points })));
      if (m.type !== MessageType.WRITE_SHARD_REQUEST) return false;
      t.deepEqual(m.body.points, points);
      return m.body.shardId === shardId && m.body.points.length === points.length;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('frames from encodeFrame of any body parse back (framing property)', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 200 })), { maxLength: 10 }), (specs) => {
      const frames: Frame[] = [];
      new FrameReader().push(Buffer.concat(specs.map(([ty, b]) => encodeFrame(ty, b))), (f) => frames.push(f));
      return frames.length === specs.length && frames.every((f, i) => f.type === specs[i]![0] && Buffer.from(specs[i]![1]).equals(f.body));
    }),
    { numRuns: 300 },
  );
  t.pass();
});
