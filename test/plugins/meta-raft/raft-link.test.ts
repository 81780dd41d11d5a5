import test from 'ava';
import { hasCode } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { memoryConnPair, MemoryNetwork, MemoryTransport } from '../../../core/testing/memory-transport.js';
import { encodeFrame, readFrames } from '../../../plugins/meta-raft/raft/framing.js';
import { RaftLink, transportMux } from '../../../plugins/meta-raft/raft-link.js';
import type { Message } from '../../../plugins/meta-raft/raft/types.js';

test('frames split across writes arrive whole and in order', async (t) => {
  const [a, b] = memoryConnPair();
  const got: unknown[] = [];
  readFrames(b, (v) => got.push(v));
  const bytes = Buffer.concat([encodeFrame({ n: 1 }), encodeFrame(['x', 'y']), encodeFrame('é'.repeat(1000))]);
  for (let i = 0; i < bytes.length; i += 7) a.write(bytes.subarray(i, i + 7));
  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(got, [{ n: 1 }, ['x', 'y'], 'é'.repeat(1000)]);
});

test('a frame that is not JSON closes the connection; nothing partial is delivered', async (t) => {
  const [a, b] = memoryConnPair();
  const got: unknown[] = [];
  readFrames(b, (v) => got.push(v));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(3);
  a.on('error', () => undefined);
  a.write(Buffer.concat([head, Buffer.from('{{{')]));
  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(got, []);
  t.true(b.destroyed);
});

test('two links exchange Raft messages and RPCs; an unreachable address fails the RPC as not sent', async (t) => {
  const network = new MemoryNetwork();
  const make = async (address: string, onMessages: (m: Message[]) => void) => {
    const transport = new MemoryTransport(network, { dialTimeoutMs: 200 });
    await transport.start();
    const link = new RaftLink({
      transport,
      serve: transportMux(transport, address).serve,
      logger: silentLogger(),
      onMessages,
      onRpc: async (req) => ({ ok: true, value: { echo: req.op, at: address } }),
    });
    await link.start();
    return { link, transport };
  };
  const inbox: Message[] = [];
  const x = await make('x:1', () => undefined);
  const y = await make('y:1', (m) => inbox.push(...m));
  try {
    const hb: Message = { type: 'heartbeat', from: 'x:1', to: 'y:1', term: 3, commit: 7 };
    x.link.send([hb, { ...hb, commit: 8 }]);
    for (let i = 0; i < 50 && inbox.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    t.deepEqual(inbox, [hb, { ...hb, commit: 8 }]);
    t.deepEqual(await x.link.rpc('y:1', { op: 'readIndex' }), { ok: true, value: { echo: 'readIndex', at: 'y:1' } });
    const err = await x.link.rpc('nowhere:1', { op: 'readIndex' }).catch((e: unknown) => e);
    t.true(hasCode(err, 'ERR_META_RPC_FAILED'));
    t.is((err as { sent?: boolean }).sent, false);
  } finally {
    for (const n of [x, y]) {
      await n.link.stop();
      await n.transport.stop();
    }
  }
});
