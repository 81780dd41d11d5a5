import test from 'ava';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMapShardRequest,
  encodeMapShardResponse,
  encodeWriteShardRequest,
  encodeWriteShardResponse,
} from '../../core/cluster/codec.js';
import { type Frame, FrameReader, readFrames } from '../../core/cluster/framing.js';
import { TesseraError } from '../../core/errors.js';
import { memoryConnPair } from '../../core/testing/memory-transport.js';

const MAX = 4096;

// Valid frames of every message type, the seeds that mutations start from.
const seeds: Buffer[] = [
  encodeWriteShardRequest({
    shardId: 12,
    points: [
      { measurement: 'cpu', tags: [['host', 'a']], fields: [['v', 1.5], ['n', 3n], ['s', 'x'], ['b', true]], time: 5n, key: 'cpu,host=a' },
      { measurement: 'cpu', tags: [['host', 'b']], fields: [['v', 2.5]], time: 6n, key: 'cpu,host=b' },
    ],
  }),
  encodeWriteShardResponse({ code: 1, message: 'write shard 1: failed to write', errorCode: 'ERR_TSDB_SHARD_NOT_FOUND' }),
  encodeMapShardRequest({ shardId: 7, request: { version: 1, q: 'SELECT value FROM cpu', t: 9n }, chunkSize: 1000 }),
  encodeMapShardResponse({ code: 0, message: '', errorCode: null, tagSets: ['host=a'], fields: ['value'], chunk: { values: [1, 2] } }),
];

/** Feeds bytes in the given chunk sizes; checks every outcome is a frame or a typed frame error. */
function feed(bytes: Buffer, cuts: number[]): { frames: number; error?: TesseraError; maxBuffered: number } {
  const reader = new FrameReader({ maxFrameBytes: MAX });
  let frames = 0;
  let maxBuffered = 0;
  let pos = 0;
  for (const size of [...cuts, bytes.length]) {
    const chunk = bytes.subarray(pos, Math.min(bytes.length, pos + Math.max(1, size)));
    pos += chunk.length;
    const error = reader.push(chunk, (f: Frame) => {
      frames++;
      try {
        decodeMessage(f);
      } catch (err) {
        if (!(err instanceof TesseraError) || err.code !== 'ERR_CLUSTER_FRAME_INVALID') throw err;
      }
    });
    maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
    if (error) return { frames, error, maxBuffered };
    if (pos >= bytes.length) break;
  }
  return { frames, maxBuffered };
}

const cuts = fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 });

test('fuzz: random bytes give frames or ERR_CLUSTER_FRAME_INVALID, never another exception, buffering bounded', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), cuts, (bytes, c) => {
      const r = feed(Buffer.from(bytes), c);
      if (r.error && r.error.code !== 'ERR_CLUSTER_FRAME_INVALID') return false;
      return r.maxBuffered <= MAX + 5;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('fuzz: mutated valid frames (flipped, inserted, deleted bytes, truncation) never escape as untyped errors', (t) => {
  const mutation = fc.record({
    seed: fc.integer({ min: 0, max: seeds.length - 1 }),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }))),
    cut: fc.option(fc.nat()),
    repeat: fc.integer({ min: 1, max: 3 }),
  });
  fc.assert(
    fc.property(mutation, cuts, (m, c) => {
      let bytes = Buffer.from(seeds[m.seed]!);
      for (const [at, value] of m.flips) bytes[at % bytes.length] = value;
      if (m.insert) {
        const at = m.insert[0] % bytes.length;
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.insert[1]), bytes.subarray(at)]);
      }
      if (m.cut !== null) bytes = bytes.subarray(0, m.cut % (bytes.length + 1));
      const stream = Buffer.concat(Array.from({ length: m.repeat }, () => bytes));
      const r = feed(stream, c);
      return (!r.error || r.error.code === 'ERR_CLUSTER_FRAME_INVALID') && r.maxBuffered <= MAX + 5;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('fuzz: readFrames on a live stream turns garbage into a closed connection and a typed error, never a throw', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }), async (chunks) => {
      const [a, b] = memoryConnPair();
      const outcome = new Promise<string>((resolve) => {
        readFrames(b, { maxFrameBytes: MAX }, {
          onFrame: (f) => {
            try {
              decodeMessage(f);
            } catch (err) {
              if (!(err instanceof TesseraError)) throw err;
            }
          },
          onError: (err) => resolve(err instanceof TesseraError ? 'typed' : `untyped: ${String(err)}`),
          onEnd: () => resolve('end'),
        });
      });
      for (const c of chunks) a.write(c);
      a.end();
      const result = await outcome;
      a.destroy();
      b.destroy();
      return result === 'typed' || result === 'end';
    }),
    { numRuns: 300 },
  );
  t.pass();
});
