/**
 * Tombstones of one shard: deletes recorded against the data already in segments and frozen caches.
 * A tombstone with sequence T hides matching data in every source (segment or frozen cache) whose seq
 * is below T; data written later lands in sources with a higher seq and stays visible. Compaction
 * applies tombstones and `prune()` drops those no source needs any more.
 *
 * File `tombstones.log`: records `u32 length | u32 CRC | payload`, payload `u32 seq | u8 kind | ...`
 * (kind 1: i64 tmin, i64 tmax, u32 n, n × str key; kind 2: str measurement). A damaged tail is logged
 * and truncated.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type Logger, MAX_TIME, MIN_TIME } from '../../core/index.js';
import { BufReader, BufWriter } from './buf-writer.js';
import { syncDir } from './fs-util.js';

/** A time range [tmin, tmax], inclusive. */
export type TimeRange = readonly [tmin: bigint, tmax: bigint];

/** A tombstone as plain data (crosses to the compaction worker). */
export type TombstoneRecord = Tombstone;

type Tombstone =
  | { readonly seq: number; readonly kind: 'series'; readonly keys: readonly string[]; readonly tmin: bigint; readonly tmax: bigint }
  | { readonly seq: number; readonly kind: 'measurement'; readonly measurement: string };

const FILE = 'tombstones.log';

function encode(t: Tombstone): Buffer {
  const w = new BufWriter(64);
  w.pos = 8;
  w.u32(t.seq);
  if (t.kind === 'series') {
    w.u8(1);
    w.i64(t.tmin);
    w.i64(t.tmax);
    w.u32(t.keys.length);
    for (const k of t.keys) w.str(k);
  } else {
    w.u8(2);
    w.str(t.measurement);
  }
  const buf = w.view();
  buf.writeUInt32LE(buf.length - 8, 0);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** The tombstones of one shard. */
export class Tombstones {
  #list: Tombstone[] = [];
  readonly #byKey = new Map<string, Array<{ seq: number; tmin: bigint; tmax: bigint }>>();
  readonly #byMeasurement = new Map<string, number>();
  /** File operations run one at a time (an append must not race a rewrite). */
  #io: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  /** Loads `tombstones.log` from `dir` (missing file: none). */
  static async load(dir: string, fsync: boolean, logger: Logger): Promise<Tombstones> {
    const ts = new Tombstones(dir, fsync);
    const path = join(dir, FILE);
    const buf = await fsp.readFile(path).catch(() => undefined);
    if (buf === undefined) return ts;
    let pos = 0;
    while (pos < buf.length) {
      try {
        const r = new BufReader(buf, pos);
        const len = r.u32();
        const crc = r.u32();
        const end = r.pos + len;
        if (end > buf.length || crc32(buf.subarray(r.pos, end)) !== crc) throw new RangeError('damaged');
        const body = new BufReader(buf, r.pos, end);
        const seq = body.u32();
        const kind = body.u8();
        if (kind === 1) {
          const tmin = body.i64();
          const tmax = body.i64();
          const n = body.u32();
          const keys: string[] = [];
          for (let i = 0; i < n; i++) keys.push(body.str());
          ts.#add({ seq, kind: 'series', keys, tmin, tmax });
        } else if (kind === 2) {
          ts.#add({ seq, kind: 'measurement', measurement: body.str() });
        } else throw new RangeError('bad kind');
        pos = end;
      } catch {
        logger.warn({ file: path, offset: pos, size: buf.length }, 'tombstone file damaged: truncating at offset');
        await fsp.truncate(path, pos);
        break;
      }
    }
    return ts;
  }

  /** The tombstones as plain data. */
  toList(): TombstoneRecord[] {
    return [...this.#list];
  }

  /** An in-memory copy (no file) built from {@link toList}'s output. */
  static fromList(list: readonly TombstoneRecord[]): Tombstones {
    const ts = new Tombstones('', false);
    for (const t of list) ts.#add(t);
    return ts;
  }

  /** Highest sequence among tombstones (0 when none). */
  maxSeq(): number {
    let m = 0;
    for (const t of this.#list) if (t.seq > m) m = t.seq;
    return m;
  }

  /** True when there is no tombstone. */
  get empty(): boolean {
    return this.#list.length === 0;
  }

  /** Records and persists a series delete. */
  async addSeries(seq: number, keys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    const t: Tombstone = { seq, kind: 'series', keys: [...keys], tmin, tmax };
    this.#add(t);
    await this.#append(t);
  }

  /** Records and persists a measurement delete. */
  async addMeasurement(seq: number, measurement: string): Promise<void> {
    const t: Tombstone = { seq, kind: 'measurement', measurement };
    this.#add(t);
    await this.#append(t);
  }

  /** True when the whole measurement is deleted for a source of sequence `sourceSeq`. */
  measurementDeleted(measurement: string, sourceSeq: number): boolean {
    const s = this.#byMeasurement.get(measurement);
    return s !== undefined && s > sourceSeq;
  }

  /** Deleted time ranges of a series for a source of sequence `sourceSeq` (empty when none). */
  rangesFor(key: string, measurement: string, sourceSeq: number): TimeRange[] {
    const out: TimeRange[] = [];
    if (this.measurementDeleted(measurement, sourceSeq)) out.push([MIN_TIME - 1n, MAX_TIME + 1n]);
    const list = this.#byKey.get(key);
    if (list !== undefined) for (const t of list) if (t.seq > sourceSeq) out.push([t.tmin, t.tmax]);
    return out;
  }

  /** True when some series tombstone names `key` (for any source). */
  touches(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** Drops tombstones that no source with seq >= minSourceSeq needs; rewrites the file when any was dropped. */
  async prune(minSourceSeq: number): Promise<void> {
    const keep = this.#list.filter((t) => t.seq > minSourceSeq);
    if (keep.length === this.#list.length) return;
    this.#list = [];
    this.#byKey.clear();
    this.#byMeasurement.clear();
    for (const t of keep) this.#add(t);
    await this.#serial(async () => {
      // Written from the list as it is now, so tombstones added since the filter are kept too.
      const path = join(this.dir, FILE);
      const tmp = `${path}.tmp`;
      await fsp.writeFile(tmp, Buffer.concat(this.#list.map(encode)));
      const fh = await fsp.open(tmp, 'r+');
      await fh.sync();
      await fh.close();
      await fsp.rename(tmp, path);
      if (this.fsync) await syncDir(this.dir);
    });
  }

  #serial(op: () => Promise<void>): Promise<void> {
    const run = this.#io.then(op);
    this.#io = run.catch(() => undefined);
    return run;
  }

  #add(t: Tombstone): void {
    this.#list.push(t);
    if (t.kind === 'measurement') {
      this.#byMeasurement.set(t.measurement, Math.max(t.seq, this.#byMeasurement.get(t.measurement) ?? 0));
      return;
    }
    for (const k of t.keys) {
      let list = this.#byKey.get(k);
      if (list === undefined) {
        list = [];
        this.#byKey.set(k, list);
      }
      list.push({ seq: t.seq, tmin: t.tmin, tmax: t.tmax });
    }
  }

  #append(t: Tombstone): Promise<void> {
    return this.#serial(async () => {
      if (!this.#list.includes(t)) return; // pruned before it reached the file: nothing needs it
      const fh = await fsp.open(join(this.dir, FILE), 'a');
      try {
        await fh.write(encode(t));
        if (this.fsync) await fh.datasync();
      } finally {
        await fh.close();
      }
    });
  }
}
