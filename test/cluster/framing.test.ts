import test from 'ava';
import { encodeFrame, exchange, type Frame, FrameReader, readFrames } from '../../core/cluster/framing.js';
import { hasCode, type TesseraError } from '../../core/errors.js';
import { memoryConnPair } from '../../core/testing/memory-transport.js';

function collect(reader: FrameReader, chunks: Buffer[]): { frames: Frame[]; error?: TesseraError } {
  const frames: Frame[] = [];
  for (const c of chunks) {
    const error = reader.push(c, (f) => frames.push({ type: f.type, body: Buffer.from(f.body) }));
    if (error) return { frames, error };
  }
  return { frames };
}

test('a frame is type byte, uint32 big-endian length, then the body', (t) => {
  const f = encodeFrame(2, Buffer.from([0, 0, 0]));
  t.deepEqual([...f], [2, 0, 0, 0, 3, 0, 0, 0]);
  t.deepEqual([...encodeFrame(255, Buffer.alloc(256, 7)).subarray(0, 5)], [255, 0, 0, 1, 0]);
});

test('encodeFrame refuses an empty body or a type outside a byte (programming errors)', (t) => {
  t.throws(() => encodeFrame(1, Buffer.alloc(0)), { instanceOf: TypeError });
  t.throws(() => encodeFrame(256, Buffer.of(1)), { instanceOf: TypeError });
});

test('the reader yields the same frames whatever the chunk boundaries', (t) => {
  const frames = [encodeFrame(1, Buffer.from('first body')), encodeFrame(3, Buffer.from('x')), encodeFrame(4, Buffer.alloc(1000, 9))];
  const all = Buffer.concat(frames);
  const expected = collect(new FrameReader(), [all]).frames;
  t.is(expected.length, 3);
  t.deepEqual(expected.map((f) => f.type), [1, 3, 4]);
  t.is(expected[0]!.body.toString(), 'first body');
  for (let cut = 1; cut < all.length; cut++) {
    t.deepEqual(collect(new FrameReader(), [all.subarray(0, cut), all.subarray(cut)]).frames, expected);
  }
  const bytes = [...all].map((b) => Buffer.of(b));
  t.deepEqual(collect(new FrameReader(), bytes).frames, expected);
});

test('a zero length is rejected as "invalid message size: 0" and poisons the reader', (t) => {
  const reader = new FrameReader();
  const { error } = collect(reader, [Buffer.from([1, 0, 0, 0, 0])]);
  t.true(hasCode(error, 'ERR_CLUSTER_FRAME_INVALID'));
  t.is(error?.message, 'invalid message size: 0');
  t.is(reader.push(encodeFrame(1, Buffer.of(1)), () => t.fail('frame after error')), error);
});

test('an oversized length is rejected from the header alone, before any body byte is kept', (t) => {
  const reader = new FrameReader({ maxFrameBytes: 1024 });
  const header = Buffer.from([1, 0, 0, 4, 1]); // 1025
  const { error } = collect(reader, [header.subarray(0, 3), header.subarray(3), Buffer.alloc(100)]);
  t.true(hasCode(error, 'ERR_CLUSTER_FRAME_INVALID'));
  t.is(error?.message, 'max message size of 1024 exceeded: 1025');
  t.is(reader.bufferedBytes, 0);
  const huge = new FrameReader();
  t.true(hasCode(huge.push(Buffer.from([1, 0xff, 0xff, 0xff, 0xff]), () => {}), 'ERR_CLUSTER_FRAME_INVALID'));
});

test('a frame of exactly the maximum size is accepted', (t) => {
  const reader = new FrameReader({ maxFrameBytes: 64 });
  const { frames, error } = collect(reader, [encodeFrame(1, Buffer.alloc(64, 1))]);
  t.is(error, undefined);
  t.is(frames[0]!.body.length, 64);
});

test('readFrames delivers frames from a stream, then reports a clean end', async (t) => {
  const [a, b] = memoryConnPair();
  const got: string[] = [];
  const ended = new Promise<void>((resolve) => readFrames(b, {}, { onFrame: (f) => got.push(`${f.type}:${f.body}`), onEnd: resolve, onError: (e) => t.fail(String(e)) }));
  a.write(encodeFrame(1, Buffer.from('one')));
  a.write(Buffer.concat([encodeFrame(2, Buffer.from('two')), encodeFrame(3, Buffer.from('three'))]));
  a.end();
  await ended;
  t.deepEqual(got, ['1:one', '2:two', '3:three']);
});

test('readFrames closes the connection on a malformed frame and reports the typed error', async (t) => {
  const [a, b] = memoryConnPair();
  const error = new Promise<Error>((resolve) => readFrames(b, {}, { onFrame: () => t.fail('no frame expected'), onError: resolve }));
  a.write(Buffer.from([1, 0, 0, 0, 0]));
  const err = await error;
  t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'));
  t.true(b.destroyed);
});

test('readFrames enforces a per-frame deadline on a frame that stops halfway', async (t) => {
  const [a, b] = memoryConnPair();
  const error = new Promise<Error>((resolve) => readFrames(b, { frameTimeoutMs: 80 }, { onFrame: () => {}, onError: resolve }));
  a.write(encodeFrame(1, Buffer.from('complete')));
  a.write(encodeFrame(1, Buffer.from('incomplete')).subarray(0, 8));
  const err = await error;
  t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'), String(err));
  t.true(b.destroyed);
});

test('readFrames does not time out a connection idle between frames', async (t) => {
  const [a, b] = memoryConnPair();
  let frames = 0;
  let failed: Error | undefined;
  const stop = readFrames(b, { frameTimeoutMs: 30 }, { onFrame: () => frames++, onError: (e) => (failed = e) });
  a.write(encodeFrame(1, Buffer.from('x')));
  await new Promise((r) => setTimeout(r, 120));
  a.write(encodeFrame(1, Buffer.from('y')));
  await new Promise((r) => setTimeout(r, 20));
  t.is(frames, 2);
  t.is(failed, undefined);
  stop();
  a.destroy();
});

test('a throwing frame handler closes the connection instead of escaping the event handler', async (t) => {
  const [a, b] = memoryConnPair();
  const error = new Promise<Error>((resolve) =>
    readFrames(b, {}, {
      onFrame: () => {
        throw new Error('handler bug');
      },
      onError: resolve,
    }),
  );
  a.write(encodeFrame(1, Buffer.from('x')));
  t.is((await error).message, 'handler bug');
  t.true(b.destroyed);
});

test('a stream that ends mid-frame is reported as truncated', async (t) => {
  const [a, b] = memoryConnPair();
  const error = new Promise<Error>((resolve) => readFrames(b, {}, { onFrame: () => {}, onError: resolve }));
  a.end(encodeFrame(1, Buffer.from('cut short')).subarray(0, 7));
  const err = await error;
  t.true(hasCode(err, 'ERR_CLUSTER_FRAME_INVALID'));
  t.is((err as TesseraError).details && ((err as TesseraError).details as { reason: string }).reason, 'truncated');
});

test('detaching leaves the connection open and paused; a later reader resumes it', async (t) => {
  const [a, b] = memoryConnPair();
  const first: string[] = [];
  const stop = readFrames(b, {}, { onFrame: (f) => first.push(f.body.toString()) });
  a.write(encodeFrame(1, Buffer.from('r1')));
  await new Promise((r) => setTimeout(r, 10));
  stop();
  t.false(b.destroyed);
  a.write(encodeFrame(1, Buffer.from('r2')));
  const second = await new Promise<string>((resolve) => readFrames(b, {}, { onFrame: (f) => resolve(f.body.toString()) }));
  t.deepEqual(first, ['r1']);
  t.is(second, 'r2');
  a.destroy();
});

test('exchange writes a request and resolves on the frame that ends the response, leaving the connection reusable', async (t) => {
  const [a, b] = memoryConnPair();
  // A server that answers each request frame with two frames, the second marking the end.
  readFrames(b, {}, {
    onFrame: (f) => {
      b.write(encodeFrame(4, Buffer.from(`chunk for ${f.body}`)));
      b.write(encodeFrame(4, Buffer.from('end')));
    },
  });
  for (const name of ['q1', 'q2']) {
    const got: string[] = [];
    await exchange(a, encodeFrame(3, Buffer.from(name)), { timeoutMs: 2000 }, (f) => {
      got.push(f.body.toString());
      return f.body.toString() === 'end';
    });
    t.deepEqual(got, [`chunk for ${name}`, 'end']);
  }
  a.destroy();
});

test('exchange times out with ERR_CLUSTER_TIMEOUT when the peer never answers (shard_writer item 8)', async (t) => {
  const [a, b] = memoryConnPair();
  b.resume();
  const err = await t.throwsAsync(exchange(a, encodeFrame(1, Buffer.from('x')), { timeoutMs: 50 }, () => true));
  t.true(hasCode(err, 'ERR_CLUSTER_TIMEOUT'));
  a.destroy();
});

test('exchange rejects when the peer closes before answering', async (t) => {
  const [a, b] = memoryConnPair();
  b.once('data', () => b.destroy());
  const err = await t.throwsAsync(exchange(a, encodeFrame(1, Buffer.from('x')), { timeoutMs: 2000 }, () => true));
  t.true(hasCode(err, 'ERR_TRANSPORT_CLOSED'), String(err));
});
