import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockValues, ShardReader, TSDBStore } from '../contracts/tsdb-store.js';
import type { ErrorCode } from '../errors.js';
import { MAX_TIME, MIN_TIME } from '../model/point.js';

/**
 * The few assertions a conformance suite uses. ava's ExecutionContext satisfies it, so ava's default
 * export can be passed as {@link TestFn}; other runners can adapt theirs in a few lines.
 */
export interface SuiteContext {
  is(actual: unknown, expected: unknown, message?: string): unknown;
  deepEqual(actual: unknown, expected: unknown, message?: string): unknown;
  true(actual: unknown, message?: string): unknown;
  fail(message?: string): unknown;
  log(...values: unknown[]): void;
  teardown(fn: () => Promise<void>): void;
}

/** A test registration function compatible with ava's default export: `test(title, impl)`. */
export type TestFn = (title: string, implementation: (t: SuiteContext) => Promise<void>) => void;

/** Builds a store (not started) whose files, if any, live under `dir` (an existing, empty temp folder). */
export type TSDBStoreFactory = (dir: string) => Promise<TSDBStore> | TSDBStore;

/** Options of the TSDBStore conformance suite. */
export interface TSDBStoreSuiteOptions {
  readonly test: TestFn;
  /** Prefix of every test title. */
  readonly name: string;
  readonly factory: TSDBStoreFactory;
}

/** A temp folder and the stores built on it; all stopped and the folder removed at teardown. */
export class Harness {
  readonly dir: string;
  readonly #factory: TSDBStoreFactory;
  readonly #stores: TSDBStore[] = [];

  private constructor(dir: string, factory: TSDBStoreFactory) {
    this.dir = dir;
    this.#factory = factory;
  }

  /** A new temp folder, cleaned up when the test ends. */
  static async create(t: SuiteContext, factory: TSDBStoreFactory): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-tsdb-suite-'));
    const h = new Harness(dir, factory);
    t.teardown(async () => {
      for (const s of h.#stores.reverse()) await s.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    });
    return h;
  }

  /** A new store on this folder; started unless `start` is false. */
  async store(start = true): Promise<TSDBStore> {
    const s = await this.#factory(this.dir);
    this.#stores.push(s);
    if (start) await s.start();
    return s;
  }
}

/** Asserts that `fn` throws or rejects with a TesseraError of `code`. */
export async function expectCode(t: SuiteContext, fn: () => unknown, code: ErrorCode, what: string): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err ?? new Error('undefined thrown');
  }
  if (error === undefined) {
    t.fail(`${what}: expected ${code}, nothing was thrown`);
    return;
  }
  t.is((error as { code?: unknown }).code, code, `${what}: ${String(error)}`);
}

/** Asserts that `fn` throws or rejects with a TypeError (a programmer mistake). */
export async function expectTypeError(t: SuiteContext, fn: () => unknown, what: string): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err ?? new Error('undefined thrown');
  }
  t.true(error instanceof TypeError, `${what}: expected a TypeError, got ${String(error)}`);
}

/** What a scan returned, flattened, with the kind of array each block decoded to. */
export interface ScanResult {
  readonly times: bigint[];
  readonly values: unknown[];
  readonly kinds: Set<string>;
  readonly blocks: number;
}

function kindOf(values: BlockValues): string {
  if (values instanceof Float64Array) return 'Float64Array';
  if (values instanceof BigInt64Array) return 'BigInt64Array';
  return 'Array';
}

/**
 * Scans one series field and checks the Block invariants on the way: counts match the decoded
 * lengths, minTime/maxTime match, times strictly ascend within and across blocks, all within range.
 */
export function scanAll(
  t: SuiteContext,
  reader: ShardReader,
  key: string,
  field: string,
  tmin: bigint = MIN_TIME,
  tmax: bigint = MAX_TIME,
): ScanResult {
  const times: bigint[] = [];
  const values: unknown[] = [];
  const kinds = new Set<string>();
  let blocks = 0;
  let problems = 0;
  for (const block of reader.scan(key, field, tmin, tmax)) {
    blocks++;
    const d = block.decode();
    kinds.add(kindOf(d.values));
    if (d.times.length !== block.count || d.values.length !== block.count || block.count === 0) problems++;
    if (block.count > 0 && (d.times[0] !== block.minTime || d.times[block.count - 1] !== block.maxTime)) problems++;
    for (let i = 0; i < d.times.length; i++) {
      const time = d.times[i]!;
      if (time < tmin || time > tmax) problems++;
      if (times.length > 0 && time <= times[times.length - 1]!) problems++;
      times.push(time);
      values.push(d.values[i]);
    }
  }
  t.is(problems, 0, `blocks of ${key} ${field} are consistent, ascending, in range`);
  return { times, values, kinds, blocks };
}

/** A small seeded PRNG (mulberry32), so shuffled tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
