/** Small file-system helpers shared by the WAL, segments and shards. */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

/** fsyncs a directory so created or removed entries are durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some file systems refuse fsync on directories; nothing more we can do
  } finally {
    await fh.close();
  }
}

/** Total bytes of the files under `dir` (recursively). */
export async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await dirBytes(p);
    else n += (await fsp.stat(p).catch(() => ({ size: 0 }))).size;
  }
  return n;
}

/** Yields to the event loop so writes and queries run between chunks of background work. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
