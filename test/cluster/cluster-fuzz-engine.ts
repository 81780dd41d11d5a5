import net from 'node:net';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMapShardRequest,
  encodeMapShardResponse,
  encodeWriteShardRequest,
  encodeWriteShardResponse,
  OK,
} from '../../core/cluster/codec.js';
import { type Frame, FrameReader } from '../../core/cluster/framing.js';
import { MessageType } from '../../core/cluster/schema.js';
import { MuxByte } from '../../core/contracts/transport.js';
import { SELECT_MAP_VERSION } from '../../core/query/select/map-request.js';
import { makePoint } from '../../core/testing/points.js';
import { startCluster } from './cluster-harness.js';

// The cluster-port fuzzer: random, header-shaped and mutated frames thrown at a live node (DESIGN §4: a
// node never crashes on what a peer sends; malformed frames close the connection). Used by
// test/cluster/cluster-fuzz.test.ts (a few thousand cases) and bench/cluster-fuzz.ts (20,000+).
const FRAME_TIMEOUT_MS = 100;
const MAX_FRAME = 1 << 20;
const CONCURRENCY = 24;

const T0 = 1_000_000_000n;
const mapRequest = {
  version: SELECT_MAP_VERSION,
  kind: 'data',
  measurement: 'cpu',
  tmin: '0',
  tmax: '9223372036854775806',
  condition: null,
  dimensions: ['host'],
  interval: '0',
  offset: '0',
  ascending: true,
  columns: [{ kind: 'field', name: 'value' }],
  aggregates: null,
};

/** Well-formed frames of every type, the seeds of the mutations. */
function seeds(shardId: number): Buffer[] {
  const pts = [makePoint('cpu', { host: 'a' }, { value: 1.5, n: 3n, s: 'x', b: true }, T0), makePoint('mem', {}, { used: 9n }, T0 + 1n)];
  return [
    encodeWriteShardRequest({ shardId, points: pts }),
    encodeMapShardRequest({ shardId, request: mapRequest, chunkSize: 10 }),
    encodeMapShardRequest({ shardId, request: { version: SELECT_MAP_VERSION, kind: 'schema', names: ['cpu'] }, chunkSize: 10 }),
    encodeWriteShardResponse(OK),
    encodeMapShardResponse({ ...OK, tagSets: ['a'], fields: ['v'], chunk: { n: 1 } }),
  ];
}

/**
 * What the server must do with a payload: answer each of its requests (every frame a complete,
 * decodable request: returns how many) or close the connection (returns 0).
 */
function expectation(payload: Buffer): number {
  if (payload[0] === 0x54) return 0; // 'T': a handshake, and no byte string here completes one
  const reader = new FrameReader({ maxFrameBytes: MAX_FRAME });
  const frames: Frame[] = [];
  const err = reader.push(payload, (f) => frames.push({ type: f.type, body: Buffer.from(f.body) }));
  if (err || reader.midFrame || frames.length === 0) return 0;
  for (const f of frames) {
    try {
      const m = decodeMessage(f);
      if (m.type !== MessageType.WRITE_SHARD_REQUEST && m.type !== MessageType.MAP_SHARD_REQUEST) return 0;
    } catch {
      return 0;
    }
  }
  return frames.length;
}

/** Final responses in `received`: a write-shard response, or a map-shard response that ends its stream. */
function finals(received: Buffer): number {
  let n = 0;
  new FrameReader().push(received, (f) => {
    const m = decodeMessage(f);
    if (m.type === MessageType.WRITE_SHARD_RESPONSE) n++;
    else if (m.type === MessageType.MAP_SHARD_RESPONSE && (m.body.chunk === null || m.body.code !== 0)) n++;
  });
  return n;
}

/** Sends mux byte 2 + payload; reports whether the server closed (within `waitMs`) and what it sent. */
function probe(port: number, payload: Buffer, waitMs: number, enough?: (received: Buffer) => boolean): Promise<{ closed: boolean; received: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, received: Buffer.concat(chunks) });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (enough?.(Buffer.concat(chunks))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(Buffer.concat([Buffer.of(MuxByte.CLUSTER), payload]));
  });
}

function payloads(shardId: number): fc.Arbitrary<Buffer> {
  const base = seeds(shardId);
  const random = fc.uint8Array({ minLength: 1, maxLength: 80 }).map((a) => Buffer.from(a));
  const headerShaped = fc
    .record({ type: fc.integer({ min: 0, max: 6 }), length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })), body: fc.uint8Array({ maxLength: 64 }) })
    .map(({ type, length, body }) => {
      const h = Buffer.alloc(5);
      h[0] = type;
      h.writeUInt32BE(length, 1);
      return Buffer.concat([h, body]);
    });
  const mutated = fc
    .record({
      seed: fc.integer({ min: 0, max: base.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      tail: fc.uint8Array({ maxLength: 12 }),
      twice: fc.boolean(),
    })
    .map(({ seed, flips, cut, tail, twice }) => {
      const b = Buffer.from(base[seed]!);
      for (const f of flips) b[f.at % b.length]! ^= f.xor;
      let out = cut === undefined ? b : b.subarray(0, Math.max(1, cut % b.length));
      if (twice) out = Buffer.concat([base[(seed + 1) % base.length]!, out]);
      return Buffer.concat([out, Buffer.from(tail)]);
    });
  // Well-formed requests with odd content (names, values, times, map requests): always answered.
  const name = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
  const value = fc.oneof(
    fc.double({ noNaN: true }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
  );
  const point = fc
    .record({
      m: name,
      tags: fc.dictionary(name, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      fields: fc.dictionary(name, value, { minKeys: 1, maxKeys: 3 }),
      t: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
    })
    .map(({ m, tags, fields, t }) => makePoint(m, tags, fields, t));
  const writes = fc
    .record({ shard: fc.oneof(fc.constant(shardId), fc.nat({ max: 50 })), pts: fc.array(point, { minLength: 1, maxLength: 5 }) })
    .map(({ shard, pts }) => encodeWriteShardRequest({ shardId: shard, points: pts }));
  const maps = fc
    .record({
      shard: fc.oneof(fc.constant(shardId), fc.nat({ max: 50 })),
      chunkSize: fc.integer({ min: -5, max: 1000 }),
      kind: fc.constantFrom('schema', 'data', 'other'),
      measurement: fc.oneof(fc.constant('cpu'), name),
      dims: fc.array(name, { maxLength: 2 }),
      extra: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
    })
    .map(({ shard, chunkSize, kind, measurement, dims, extra }) =>
      encodeMapShardRequest({
        shardId: shard,
        chunkSize,
        request: { ...(extra as Record<string, unknown>), ...mapRequest, kind, measurement, names: [measurement], dimensions: dims },
      }),
    );
  return fc.oneof(random, headerShaped, mutated, mutated, writes, maps);
}

/** Outcome of a fuzz run. */
export interface FuzzReport {
  readonly runs: number;
  readonly seed: number;
  /** Bad payloads whose connection the node closed. */
  readonly closed: number;
  /** Valid request payloads the node answered. */
  readonly answered: number;
  /** Payloads not handled as required (hex), at most 20. */
  readonly failures: readonly string[];
  readonly failureCount: number;
  readonly stats: Record<string, number>;
  /** The node still served a normal write afterwards. */
  readonly aliveAfter: boolean;
}

/** Starts a one-node cluster, throws `runs` payloads at its cluster port, and reports. */
export async function fuzzClusterPort(options: { runs: number; seed: number }): Promise<FuzzReport> {
  const c = await startCluster(1, { frameTimeoutMs: FRAME_TIMEOUT_MS, handshakeTimeoutMs: 200, maxFrameBytes: MAX_FRAME });
  try {
    const n1 = c.nodes[0]!;
    await n1.meta.createDatabase('db');
    const shardId = (await n1.meta.createShardGroupIfNotExists('db', '', T0)).shards[0]!.id;
    const port = Number(n1.address.split(':')[1]);
    const cases = fc.sample(payloads(shardId), { numRuns: options.runs, seed: options.seed });
    const failures: string[] = [];
    let closed = 0;
    let answered = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const payload = cases[next++]!;
        const requests = expectation(payload);
        if (requests === 0) {
          const r = await probe(port, payload, FRAME_TIMEOUT_MS + 1500);
          if (r.closed) closed++;
          else failures.push(`not closed: ${payload.toString('hex')}`);
        } else {
          const r = await probe(port, payload, 3000, (buf) => finals(buf) >= requests);
          const got = finals(r.received);
          if (r.closed || got !== requests) failures.push(`${requests} valid requests, ${got} answered (closed=${r.closed}): ${payload.toString('hex')}`);
          else answered++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    let aliveAfter = false;
    try {
      const w = await n1.shardWriter.writeShard(shardId, n1.id, [makePoint('after', {}, { v: 1.5 }, T0)]);
      aliveAfter = w.dropped === 0;
    } catch {
      aliveAfter = false;
    }
    return {
      runs: options.runs,
      seed: options.seed,
      closed,
      answered,
      failures: failures.slice(0, 20),
      failureCount: failures.length,
      stats: { ...n1.service.stats },
      aliveAfter,
    };
  } finally {
    await c.stop();
  }
}
