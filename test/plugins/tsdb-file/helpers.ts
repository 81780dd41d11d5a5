import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import { createLogger, type Logger, MAX_TIME, MIN_TIME, type ShardReader } from '../../../core/index.js';
import { FileTSDBStore, type FileTSDBStoreOptions } from '../../../plugins/tsdb-file/index.js';

/** A temp folder removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-tsdb-file-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger that keeps every record (parsed JSON) in `records`. */
export function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger('debug', sink), records };
}

/** A started store on `dir`, stopped at teardown. */
export async function openStore(
  t: ExecutionContext,
  dir: string,
  options: Partial<FileTSDBStoreOptions> = {},
): Promise<FileTSDBStore> {
  const store = new FileTSDBStore({ dir, logger: options.logger ?? capturingLogger().logger, ...options });
  await store.start();
  t.teardown(() => store.stop());
  return store;
}

/** Every (time, value) of a series field. */
export function readAll(reader: ShardReader, key: string, field: string): Array<[bigint, unknown]> {
  const out: Array<[bigint, unknown]> = [];
  for (const b of reader.scan(key, field, MIN_TIME, MAX_TIME)) {
    const { times, values } = b.decode();
    for (let i = 0; i < times.length; i++) out.push([times[i]!, values[i]]);
  }
  return out;
}
