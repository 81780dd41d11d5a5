import type { ShardReader, TSDBStore, TSDBStoreSupports, WriteShardResult } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import { MAX_TIME, MIN_TIME, type Point } from '../model/point.js';
import type { ShardFieldTypes } from './field-types.js';

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

function checkShardId(shardId: unknown): asserts shardId is number {
  if (typeof shardId !== 'number' || !Number.isSafeInteger(shardId) || shardId < 0) {
    throw new TypeError(`shardId must be a non-negative integer, got ${String(shardId)}`);
  }
}

function checkName(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
}

function checkTime(what: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${what} must be a bigint (ns)`);
}

function checkPoints(points: unknown): asserts points is readonly Point[] {
  if (!Array.isArray(points)) throw new TypeError('points must be an array');
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as Point | undefined;
    const t = p?.time;
    if (typeof t !== 'bigint' || t < MIN_TIME || t > MAX_TIME) {
      throw new TypeError(`points[${i}].time must be a bigint in [${MIN_TIME}, ${MAX_TIME}]`);
    }
    if (typeof p!.key !== 'string' || typeof p!.measurement !== 'string' || !Array.isArray(p!.fields) || p!.fields.length === 0) {
      throw new TypeError(`points[${i}] is not a Point (key, measurement, at least one field)`);
    }
  }
}

/**
 * Base class of TSDBStores, in the style of abstract-level: the public methods check arguments
 * (TypeError), lifecycle state (ERR_SERVICE_NOT_STARTED before start() and after stop()) and shard
 * existence (ERR_TSDB_SHARD_NOT_FOUND) once, validate field types per shard with InfluxDB's wording,
 * then call the protected `_xxx` hooks, which may assume valid input and an existing shard.
 *
 * start()/stop() are idempotent and serialized; stop() waits for the writes and deletes in flight
 * before `_stop()`. A stopped store may be started again (`_start()` runs again).
 */
export abstract class AbstractTSDBStore implements TSDBStore {
  abstract readonly supports: TSDBStoreSupports;
  #state: State = 'new';
  #transition: Promise<void> | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  /** Opens resources (load shards from disk...). Called once per start. */
  protected _start(): Promise<void> {
    return Promise.resolve();
  }

  /** Releases resources. Called once per stop, after in-flight operations settled. */
  protected _stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Creates a shard that does not exist yet. */
  protected abstract _createShard(db: string, rp: string, shardId: number): Promise<void>;
  /** Deletes an existing shard and its data. */
  protected abstract _deleteShard(shardId: number): Promise<void>;
  /** IDs of the shards, ascending. */
  protected abstract _shardIds(): number[];
  /** (db, rp) of a shard, or undefined when it does not exist. */
  protected abstract _shardInfo(shardId: number): { db: string; rp: string } | undefined;
  /** The field types of an existing shard (the base class validates writes against them). */
  protected abstract _fieldTypes(shardId: number): ShardFieldTypes;
  /** Stores points already validated against the shard's field types (non-empty). */
  protected abstract _write(shardId: number, points: readonly Point[]): Promise<void>;
  /** Read access to an existing shard. */
  protected abstract _reader(shardId: number): ShardReader;
  /** Deletes the series' points with time in [tmin, tmax] (tmin <= tmax). */
  protected abstract _deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void>;
  /** Deletes a measurement's series and data; the base class then forgets its field types. */
  protected abstract _deleteMeasurement(shardId: number, measurement: string): Promise<void>;

  /** True between a completed start() and the beginning of stop(). */
  protected get started(): boolean {
    return this.#state === 'started';
  }

  async start(): Promise<void> {
    while (this.#transition !== undefined) await this.#transition.catch(() => undefined);
    if (this.#state === 'started') return;
    this.#state = 'starting';
    const run = (async () => {
      try {
        await this._start();
        this.#state = 'started';
      } catch (err) {
        this.#state = 'stopped';
        throw err;
      }
    })();
    this.#transition = run;
    try {
      await run;
    } finally {
      if (this.#transition === run) this.#transition = undefined;
    }
  }

  async stop(): Promise<void> {
    while (this.#transition !== undefined) await this.#transition.catch(() => undefined);
    if (this.#state !== 'started') return;
    this.#state = 'stopping';
    const run = (async () => {
      try {
        await Promise.allSettled([...this.#inFlight]);
        await this._stop();
      } finally {
        this.#state = 'stopped';
      }
    })();
    this.#transition = run;
    try {
      await run;
    } finally {
      if (this.#transition === run) this.#transition = undefined;
    }
  }

  async createShard(db: string, rp: string, shardId: number): Promise<void> {
    checkName('db', db);
    checkName('rp', rp);
    checkShardId(shardId);
    this.#assertStarted();
    const existing = this._shardInfo(shardId);
    if (existing !== undefined) {
      if (existing.db !== db || existing.rp !== rp) {
        throw new TypeError(`shard ${shardId} already exists for ${existing.db}.${existing.rp}, not ${db}.${rp}`);
      }
      return;
    }
    await this.#track(this._createShard(db, rp, shardId));
  }

  async deleteShard(shardId: number): Promise<void> {
    checkShardId(shardId);
    this.#assertStarted();
    if (this._shardInfo(shardId) === undefined) return;
    await this.#track(this._deleteShard(shardId));
  }

  shardIds(): number[] {
    this.#assertStarted();
    return this._shardIds();
  }

  shardInfo(shardId: number): { db: string; rp: string } | undefined {
    checkShardId(shardId);
    this.#assertStarted();
    const info = this._shardInfo(shardId);
    return info === undefined ? undefined : { db: info.db, rp: info.rp };
  }

  // Not async: no frame of this call keeps `points` alive while the write waits for durability (a
  // suspended async function holds its arguments), so the parsed points can be collected young.
  writeToShard(shardId: number, points: readonly Point[]): Promise<WriteShardResult> {
    try {
      checkShardId(shardId);
      checkPoints(points);
      this.#assertShard(shardId);
      if (points.length === 0) return Promise.resolve({ dropped: 0 });
      const { accepted, dropped, error } = this._fieldTypes(shardId).admit(points);
      const result: WriteShardResult = error === undefined ? { dropped } : { dropped, error };
      if (accepted.length === 0) return Promise.resolve(result);
      return this.#track(this._write(shardId, accepted)).then(() => result);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  reader(shardId: number): ShardReader {
    checkShardId(shardId);
    this.#assertShard(shardId);
    const inner = this._reader(shardId);
    // Every call re-checks the state: a reader kept past stop() fails instead of reading freed data.
    return {
      measurements: () => {
        this.#assertStarted();
        return inner.measurements();
      },
      series: (measurement) => {
        checkName('measurement', measurement);
        this.#assertStarted();
        return inner.series(measurement);
      },
      fields: (measurement) => {
        checkName('measurement', measurement);
        this.#assertStarted();
        return inner.fields(measurement);
      },
      scan: (seriesKey, field, tmin, tmax) => {
        checkName('seriesKey', seriesKey);
        checkName('field', field);
        checkTime('tmin', tmin);
        checkTime('tmax', tmax);
        this.#assertStarted();
        return tmin > tmax ? [] : inner.scan(seriesKey, field, tmin, tmax);
      },
      ...(inner.seriesIndex === undefined
        ? {}
        : {
            seriesIndex: (measurement: string) => {
              checkName('measurement', measurement);
              this.#assertStarted();
              return (inner.seriesIndex as NonNullable<ShardReader['seriesIndex']>)(measurement);
            },
          }),
      ...(inner.scanDescending === undefined
        ? {}
        : {
            scanDescending: (seriesKey: string, field: string, tmin: bigint, tmax: bigint) => {
              checkName('seriesKey', seriesKey);
              checkName('field', field);
              checkTime('tmin', tmin);
              checkTime('tmax', tmax);
              this.#assertStarted();
              return tmin > tmax ? [] : (inner.scanDescending as NonNullable<ShardReader['scanDescending']>)(seriesKey, field, tmin, tmax);
            },
          }),
    };
  }

  async deleteSeries(shardId: number, seriesKeys: readonly string[], tmin: bigint, tmax: bigint): Promise<void> {
    checkShardId(shardId);
    if (!Array.isArray(seriesKeys) || seriesKeys.some((k) => typeof k !== 'string')) {
      throw new TypeError('seriesKeys must be an array of strings');
    }
    checkTime('tmin', tmin);
    checkTime('tmax', tmax);
    this.#assertShard(shardId);
    if (seriesKeys.length === 0 || tmin > tmax) return;
    await this.#track(this._deleteSeries(shardId, seriesKeys, tmin, tmax));
  }

  async deleteMeasurement(shardId: number, measurement: string): Promise<void> {
    checkShardId(shardId);
    checkName('measurement', measurement);
    this.#assertShard(shardId);
    await this.#track(this._deleteMeasurement(shardId, measurement));
    // The shard may have been deleted while the hook ran.
    if (this._shardInfo(shardId) !== undefined) this._fieldTypes(shardId).deleteMeasurement(measurement);
  }

  #assertStarted(): void {
    if (this.#state === 'started') return;
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'tsdb store is stopped');
    }
    throw new TesseraError('ERR_SERVICE_NOT_STARTED', 'tsdb store is not started');
  }

  #assertShard(shardId: number): void {
    this.#assertStarted();
    if (this._shardInfo(shardId) === undefined) {
      throw new TesseraError('ERR_TSDB_SHARD_NOT_FOUND', `shard not found: ${shardId}`);
    }
  }

  async #track<T>(op: Promise<T>): Promise<T> {
    this.#inFlight.add(op);
    try {
      return await op;
    } finally {
      this.#inFlight.delete(op);
    }
  }
}
