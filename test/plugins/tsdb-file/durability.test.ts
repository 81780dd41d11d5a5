import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { hasCode, type Point } from '../../../core/index.js';
import { makePoint } from '../../../core/testing/index.js';
import { SegmentReader } from '../../../plugins/tsdb-file/segment-reader.js';
import { capturingLogger, openStore, readAll, tempDir } from './helpers.js';

function batch(id: number, n = 50): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) out.push(makePoint('m', { b: String(id % 3) }, { v: id * 1000 + i, s: `x${i}` }, BigInt(id * 1000 + i)));
  return out;
}

test('a torn WAL tail is truncated at the last whole record and logged with file and offset', async (t) => {
  const dir = await tempDir(t);
  const s1 = await openStore(t, dir);
  await s1.createShard('db', 'rp', 1);
  for (let id = 0; id < 5; id++) await s1.writeToShard(1, batch(id));
  await s1.stop();
  const walDir = join(dir, '1', 'wal');
  const [walName] = await readdir(walDir);
  const walPath = join(walDir, walName!);
  const whole = (await stat(walPath)).size;
  // a sixth record that was being written when the machine died: header and half its payload
  const full = await readFile(walPath);
  const torn = full.subarray(0, Math.floor(full.length / 5)); // roughly one record
  await writeFile(walPath, Buffer.concat([full, torn.subarray(0, torn.length - 7)]));
  const { logger, records } = capturingLogger();
  const s2 = await openStore(t, dir, { logger });
  const warn = records.find((r) => r.msg === 'WAL damaged: truncating at offset');
  t.truthy(warn, 'logged');
  t.is(warn!.file, walPath);
  t.is(warn!.offset, whole);
  t.is((await stat(walPath)).size, whole, 'truncated back to the last whole record');
  const values = readAll(s2.reader(1), 'm,b=1', 'v').map(([, v]) => v);
  t.deepEqual(values.length, 2 * 50, 'batches 1 and 4 of series b=1 intact');
  // and the store keeps working after recovery
  await s2.writeToShard(1, batch(7));
  t.is(readAll(s2.reader(1), 'm,b=1', 'v').length, 150);
});

test('a corrupt byte in the WAL tail drops that record only, logged with file and offset; the store opens', async (t) => {
  const dir = await tempDir(t);
  const s1 = await openStore(t, dir);
  await s1.createShard('db', 'rp', 1);
  const sizes: number[] = [];
  const walDir = join(dir, '1', 'wal');
  for (let id = 0; id < 4; id++) {
    await s1.writeToShard(1, batch(id));
    const [name] = await readdir(walDir);
    sizes.push((await stat(join(walDir, name!))).size);
  }
  await s1.stop();
  const [walName] = await readdir(walDir);
  const walPath = join(walDir, walName!);
  const fh = await open(walPath, 'r+');
  const at = sizes[2]! + 40; // inside the payload of the last record (batch 3)
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, at);
  b[0] = b[0]! ^ 0xff;
  await fh.write(b, 0, 1, at);
  await fh.close();
  const { logger, records } = capturingLogger();
  const s2 = await openStore(t, dir, { logger });
  const warn = records.find((r) => r.msg === 'WAL damaged: truncating at offset');
  t.is(warn?.file, walPath);
  t.is(warn?.offset, sizes[2]);
  t.is(warn?.reason, 'record checksum mismatch');
  const r = s2.reader(1);
  // series b=0 got batches 0 and 3: batch 3 was the damaged record
  t.deepEqual(readAll(r, 'm,b=0', 'v').map(([time]) => time), batch(0).map((p) => p.time));
  t.is(readAll(r, 'm,b=1', 'v').length, 50);
  t.is(readAll(r, 'm,b=2', 'v').length, 50);
});

test('a flipped byte in a segment block: the store opens, logs the block with file and offset, serves the rest', async (t) => {
  const dir = await tempDir(t);
  const s1 = await openStore(t, dir, { maxBlockPoints: 20 });
  await s1.createShard('db', 'rp', 1);
  for (let id = 0; id < 6; id++) await s1.writeToShard(1, batch(id));
  await s1.flush(1);
  await s1.stop();
  const segName = (await readdir(join(dir, '1'))).find((n) => n.endsWith('.seg'))!;
  const segPath = join(dir, '1', segName);
  const seg = SegmentReader.open(segPath);
  const ref = seg.series.get('m,b=2')!.fields.get('v')!.blocks[1]!;
  seg.close();
  const fh = await open(segPath, 'r+');
  const b = Buffer.alloc(1);
  const at = ref.offset + Math.floor(ref.length / 2);
  await fh.read(b, 0, 1, at);
  b[0] = b[0]! ^ 0x01;
  await fh.write(b, 0, 1, at);
  await fh.close();

  const { logger, records } = capturingLogger();
  const s2 = await openStore(t, dir, { logger, maxBlockPoints: 20 });
  const r = s2.reader(1);
  const damaged = readAll(r, 'm,b=2', 'v');
  t.is(damaged.length, 100 - ref.count, 'only the damaged block is missing');
  t.false(damaged.some(([time]) => time >= ref.minTime && time <= ref.maxTime));
  const err = records.find((x) => x.msg === 'damaged block skipped');
  t.is(err?.file, segPath);
  t.is(err?.offset, ref.offset);
  t.is(readAll(r, 'm,b=2', 's').length, 100, 'other fields of the series intact');
  t.is(readAll(r, 'm,b=0', 'v').length, 100, 'other series intact');
  t.is(readAll(r, 'm,b=1', 'v').length, 100);
  // compaction skips the damaged block and carries the rest over
  await s2.compactFull(1);
  t.is(readAll(s2.reader(1), 'm,b=2', 'v').length, 100 - ref.count);
});

test('a damaged segment index: the segment is set aside and logged, the store opens and serves the rest', async (t) => {
  const dir = await tempDir(t);
  const s1 = await openStore(t, dir, { compaction: false });
  await s1.createShard('db', 'rp', 1);
  await s1.writeToShard(1, batch(0));
  await s1.flush(1);
  await s1.writeToShard(1, batch(1));
  await s1.flush(1);
  await s1.stop();
  const segs = (await readdir(join(dir, '1'))).filter((n) => n.endsWith('.seg')).sort();
  t.is(segs.length, 2);
  const segPath = join(dir, '1', segs[1]!);
  const size = (await stat(segPath)).size;
  const fh = await open(segPath, 'r+');
  await fh.write(Buffer.from([0xde, 0xad]), 0, 2, size - 50); // inside the index
  await fh.close();
  const { logger, records } = capturingLogger();
  const s2 = await openStore(t, dir, { logger });
  const err = records.find((x) => x.msg === 'damaged segment set aside');
  t.is(err?.file, segPath);
  t.is(typeof err?.offset, 'number');
  t.is(readAll(s2.reader(1), 'm,b=0', 'v').length, 50, 'the other segment is served');
});

test('writes beyond cache-max-memory-size fail with ERR_TSDB_CACHE_FULL and InfluxDB wording', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir, { cacheMaxBytes: 20_000, cacheSnapshotBytes: 1 << 30 });
  await s.createShard('db', 'rp', 1);
  await s.writeToShard(1, batch(0));
  const err = await t.throwsAsync(async () => {
    for (let id = 1; id < 100; id++) await s.writeToShard(1, batch(id));
  });
  t.true(hasCode(err, 'ERR_TSDB_CACHE_FULL'));
  t.regex(err!.message, /^cache-max-memory-size exceeded: \(\d+\/20000\)$/);
  // a refused write registers no field type
  const refused = await t.throwsAsync(s.writeToShard(1, [makePoint('m', { b: 'x' }, { fresh: 1.5, pad: 'y'.repeat(30_000) }, 1n)]));
  t.true(hasCode(refused, 'ERR_TSDB_CACHE_FULL'));
  await s.flush(1);
  await s.writeToShard(1, batch(200));
  const r = await s.writeToShard(1, [makePoint('m', { b: 'x' }, { fresh: 'text' }, 2n)]);
  t.is(r.dropped, 0, 'the refused write left no type behind');
  t.pass('writes succeed again once the cache is snapshotted');
});

test('concurrent writes share fsyncs (group commit) and each resolves only once durable', async (t) => {
  const dir = await tempDir(t);
  const s = await openStore(t, dir);
  await s.createShard('db', 'rp', 1);
  const before = s.stats(1);
  await Promise.all(Array.from({ length: 40 }, (_, id) => s.writeToShard(1, batch(id, 5))));
  const after = s.stats(1);
  t.is(after.walAppends - before.walAppends, 40);
  t.true(after.walFlushes - before.walFlushes < 40, `${after.walFlushes - before.walFlushes} flushes for 40 writes`);
  await s.stop();
  const s2 = await openStore(t, dir);
  let n = 0;
  for (const b of ['0', '1', '2']) n += readAll(s2.reader(1), `m,b=${b}`, 'v').length;
  t.is(n, 200);
});
