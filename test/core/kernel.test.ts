import test from 'ava';
import { TesseraError } from '../../core/errors.js';
import { Kernel, orderUnits, type ServiceUnit } from '../../core/kernel.js';
import { silentLogger } from '../../core/logger.js';
import { createToken } from '../../core/tokens.js';

const A = createToken<unknown>('test.kernel.A');
const B = createToken<unknown>('test.kernel.B');
const C = createToken<unknown>('test.kernel.C');

/** A service that records its start and stop in a shared journal. */
function recorder(name: string, journal: string[], opts: { failStart?: boolean; hangStart?: boolean; failStop?: boolean } = {}) {
  return {
    async start() {
      if (opts.hangStart) return new Promise<void>(() => {});
      if (opts.failStart) throw new Error(`${name} exploded`);
      journal.push(`start ${name}`);
    },
    async stop() {
      journal.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} would not stop`);
    },
  };
}

function unit(name: string, provides: symbol[], requires: symbol[], create: () => unknown): ServiceUnit {
  return { name, provides, requires, create };
}

const opts = { startTimeoutMs: 2000, stopTimeoutMs: 2000, logger: silentLogger() };

test('kernel starts units in dependency order and stops them in exact reverse', async (t) => {
  const journal: string[] = [];
  const k = new Kernel(
    [
      unit('c', [C], [A, B], () => recorder('c', journal)),
      unit('b', [B], [A], () => recorder('b', journal)),
      unit('a', [A], [], () => recorder('a', journal)),
    ],
    opts,
  );
  t.deepEqual(k.order, ['a', 'b', 'c']);
  await k.start();
  await k.stop();
  t.deepEqual(journal, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('kernel keeps the given order between independent units', (t) => {
  const order = orderUnits([unit('x', [A], [], () => 1), unit('y', [B], [], () => 1), unit('z', [C], [], () => 1)]);
  t.deepEqual(
    order.map((u) => u.name),
    ['x', 'y', 'z'],
  );
});

test('a failed start rolls back: what started is stopped in reverse, the error names the service', async (t) => {
  const journal: string[] = [];
  const k = new Kernel(
    [
      unit('a', [A], [], () => recorder('a', journal)),
      unit('b', [B], [A], () => recorder('b', journal)),
      unit('c', [C], [B], () => recorder('c', journal, { failStart: true })),
    ],
    opts,
  );
  const err = await t.throwsAsync(k.start());
  t.is((err as TesseraError).code, 'ERR_KERNEL_START_FAILED');
  t.regex(err!.message, /c failed to start: c exploded/);
  t.deepEqual(journal, ['start a', 'start b', 'stop c', 'stop b', 'stop a']);
});

test('a start that hangs times out with an error naming the service, and is rolled back', async (t) => {
  const journal: string[] = [];
  const k = new Kernel(
    [unit('a', [A], [], () => recorder('a', journal)), unit('slow', [B], [A], () => recorder('slow', journal, { hangStart: true }))],
    { ...opts, startTimeoutMs: 100 },
  );
  const err = await t.throwsAsync(k.start());
  t.is((err as TesseraError).code, 'ERR_KERNEL_START_TIMEOUT');
  t.regex(err!.message, /slow did not start within 100 ms/);
  t.deepEqual(journal, ['start a', 'stop slow', 'stop a']);
});

test('stop attempts every service even when one fails, and combines the errors', async (t) => {
  const journal: string[] = [];
  const k = new Kernel(
    [
      unit('a', [A], [], () => recorder('a', journal)),
      unit('b', [B], [A], () => recorder('b', journal, { failStop: true })),
      unit('c', [C], [B], () => recorder('c', journal)),
    ],
    opts,
  );
  await k.start();
  const err = await t.throwsAsync(k.stop());
  t.is((err as TesseraError).code, 'ERR_KERNEL_STOP_FAILED');
  t.regex(err!.message, /b: b would not stop/);
  t.deepEqual(journal.slice(3), ['stop c', 'stop b', 'stop a']);
  await t.notThrowsAsync(k.stop(), 'a second stop is a no-op');
});

test('a requirement nobody provides is an error naming both', (t) => {
  const err = t.throws(() => orderUnits([unit('b', [B], [A], () => 1)]));
  t.is((err as TesseraError).code, 'ERR_PLUGIN_MISSING_REQUIREMENT');
  t.regex(err!.message, /b requires test\.kernel\.A/);
});

test('a dependency cycle is a programmer error', (t) => {
  t.throws(() => orderUnits([unit('a', [A], [B], () => 1), unit('b', [B], [A], () => 1)]), { instanceOf: TypeError, message: /cycle/ });
});
