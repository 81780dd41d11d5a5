import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { MetaData } from '../../core/contracts/meta-store.js';
import { TesseraError } from '../../core/errors.js';
import { decodeSnapshot, encodeSnapshot } from '../../core/meta/snapshot.js';

// File: magic "TSMS" | u32 BE CRC-32 of the body | body (encodeSnapshot's JSON).
const MAGIC = Buffer.from('TSMS');

/** Reads the snapshot at `path`; undefined when there is none. A damaged file is ERR_META_SNAPSHOT_CORRUPT. */
export async function readSnapshotFile(path: string): Promise<MetaData | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC) || crc32(buf.subarray(8)) !== buf.readUInt32BE(4)) {
    throw new TesseraError('ERR_META_SNAPSHOT_CORRUPT', `meta snapshot is corrupt: ${path}`);
  }
  return decodeSnapshot(buf.subarray(8));
}

/** Writes the snapshot atomically: temp file, fsync, rename over `path`, fsync of the directory. */
export async function writeSnapshotFile(path: string, data: MetaData): Promise<void> {
  const body = encodeSnapshot(data);
  const head = Buffer.allocUnsafe(8);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(crc32(body), 4);
  await writeFileAtomic(path, Buffer.concat([head, body]));
}

/** Writes a file atomically and durably: temp file, fsync, rename over `path`, fsync of the directory. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** fsyncs a directory so a rename in it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
