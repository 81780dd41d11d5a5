import test from 'ava';
import fc from 'fast-check';
import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../../core/logger.js';
import { encodeLogRecord, MetaLogFile, type MetaLogRecord } from '../../../plugins/meta-raft/meta-log.js';

function capture(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

const recs: MetaLogRecord[] = Array.from({ length: 5 }, (_, i) => ({ index: i + 1, payload: Buffer.from(`{"n":${i}}`) }));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-meta-log-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeLog(path: string): Promise<number[]> {
  const { log } = await MetaLogFile.open(path, capture().logger);
  await log.append(recs.slice(0, 2));
  await log.append(recs.slice(2));
  await log.close();
  return recs.map((r) => encodeLogRecord(r).length);
}

test('records written are read back in order', async (t) => {
  await withDir(async (dir) => {
    const path = join(dir, 'meta.log');
    await writeLog(path);
    const { log, records } = await MetaLogFile.open(path, capture().logger);
    await log.close();
    t.deepEqual(records.map((r) => [r.index, Buffer.from(r.payload).toString()]), recs.map((r) => [r.index, Buffer.from(r.payload).toString()]));
  });
});

for (const cut of [1, 3, 7, 9]) {
  test(`a torn tail (last record cut by ${cut} bytes) is truncated, logged, and the good prefix survives`, async (t) => {
    await withDir(async (dir) => {
      const path = join(dir, 'meta.log');
      const sizes = await writeLog(path);
      const full = sizes.reduce((a, b) => a + b, 0);
      await truncate(path, full - cut);
      const { logger, lines } = capture();
      const { log, records } = await MetaLogFile.open(path, logger);
      t.deepEqual(records.map((r) => r.index), [1, 2, 3, 4]);
      const warn = lines.find((l) => l.msg === 'meta log has a torn or corrupt tail; truncating it');
      t.truthy(warn);
      t.is(warn?.file, path);
      t.is(warn?.offset, full - sizes[4]!);
      t.is((await stat(path)).size, full - sizes[4]!);
      // appending after recovery continues the log cleanly
      await log.append([{ index: 5, payload: Buffer.from('again') }]);
      await log.close();
      const reopened = await MetaLogFile.open(path, logger);
      await reopened.log.close();
      t.deepEqual(reopened.records.map((r) => r.index), [1, 2, 3, 4, 5]);
    });
  });
}

test('a flipped byte in a record fails its checksum: that record and everything after it are dropped', async (t) => {
  await withDir(async (dir) => {
    const path = join(dir, 'meta.log');
    const sizes = await writeLog(path);
    const buf = await readFile(path);
    const third = sizes[0]! + sizes[1]!;
    buf[third + 12] = buf[third + 12]! ^ 0xff;
    await writeFile(path, buf);
    const { logger, lines } = capture();
    const { log, records } = await MetaLogFile.open(path, logger);
    await log.close();
    t.deepEqual(records.map((r) => r.index), [1, 2]);
    t.is(lines.find((l) => l.reason === 'checksum mismatch')?.offset, third);
  });
});

test('garbage appended after the records (absurd length) is truncated', async (t) => {
  await withDir(async (dir) => {
    const path = join(dir, 'meta.log');
    const sizes = await writeLog(path);
    await appendFile(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const { log, records } = await MetaLogFile.open(path, capture().logger);
    await log.close();
    t.is(records.length, 5);
    t.is((await stat(path)).size, sizes.reduce((a, b) => a + b, 0));
  });
});

test('reset empties the log', async (t) => {
  await withDir(async (dir) => {
    const path = join(dir, 'meta.log');
    await writeLog(path);
    const { log } = await MetaLogFile.open(path, capture().logger);
    await log.reset();
    t.is(log.byteSize, 0);
    await log.close();
    t.is((await stat(path)).size, 0);
  });
});

test('property: any cut or flipped byte keeps exactly the records before the damage', async (t) => {
  await withDir(async (dir) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.boolean(),
        async (payloads, where, flip) => {
          const path = join(dir, `p${run++}.log`);
          const records = payloads.map((p, i) => ({ index: i + 1, payload: p }));
          const { log } = await MetaLogFile.open(path, capture().logger);
          await log.append(records);
          await log.close();
          const buf = await readFile(path);
          const pos = where % buf.length;
          if (flip) buf[pos] = buf[pos]! ^ 0x01;
          await writeFile(path, flip ? buf : buf.subarray(0, pos));
          // the record holding byte `pos` and everything after it are lost; the ones before survive
          let end = 0;
          let intact = 0;
          for (const r of records) {
            end += encodeLogRecord(r).length;
            if (end > pos) break;
            intact++;
          }
          const reopened = await MetaLogFile.open(path, capture().logger);
          await reopened.log.close();
          t.deepEqual(
            reopened.records.map((r) => [r.index, Buffer.from(r.payload).toString('hex')]),
            records.slice(0, intact).map((r) => [r.index, Buffer.from(r.payload).toString('hex')]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
