import net from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * A loopback address whose connects hang: a listener with backlog 1 in a worker thread whose event loop
 * is blocked (it never accepts), with its accept queue filled first. Linux then drops further SYNs, so a
 * dial waits until its own timeout. `close` wakes the worker, which closes the listener and exits.
 */
export async function tcpBlackHole(): Promise<{ address: string; close(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const net = require('node:net');
     const s = net.createServer();
     s.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(s.address().port);
       Atomics.wait(workerData, 0, 0);
       process.exit(0);
     });`,
    { eval: true, workerData: flag },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  // Fill the accept queue until a connect no longer completes.
  for (let i = 0; i < 64; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      fillers.push(s);
      s.on('error', () => {});
      const timer = setTimeout(() => resolve(false), 300);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ok) break;
  }
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      for (const s of fillers) s.destroy();
      await exited;
    },
  };
}
