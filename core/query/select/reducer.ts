import type { Mapper } from '../../contracts/mapper.js';
import type { AggRow, AggSpec, ChunkGroup, PartialState, RawRow, SelectMapChunk } from './map-request.js';
import { GoHeap } from './heap.js';
import { mergeState } from './partials.js';

/** A run of merged rows of one tag set, in output order. Consecutive batches may share a tag set. */
export interface MergedBatch {
  readonly key: string;
  readonly tags: readonly string[];
  readonly rows: Array<RawRow | AggRow>;
}

/** Reads one mapper's chunks row by row; holds at most one chunk. */
class MapperCursor {
  private groups: readonly ChunkGroup[] = [];
  private gi = 0;
  private ri = 0;
  done = false;

  constructor(private readonly mapper: Mapper, readonly order: number) {}

  get group(): ChunkGroup {
    return this.groups[this.gi] as ChunkGroup;
  }

  get row(): RawRow | AggRow {
    return this.group.rows[this.ri] as RawRow | AggRow;
  }

  /** Loads chunks until a row is available (or the mapper is exhausted). */
  async load(): Promise<void> {
    for (;;) {
      while (this.gi < this.groups.length) {
        if (this.ri < (this.groups[this.gi] as ChunkGroup).rows.length) return;
        this.gi++;
        this.ri = 0;
      }
      const c = (await this.mapper.nextChunk()) as SelectMapChunk | null;
      if (c === null) {
        this.done = true;
        return;
      }
      this.groups = c.groups ?? [];
      this.gi = 0;
      this.ri = 0;
    }
  }

  /** Yields every remaining row, group by group, from the current position on. */
  async *drainRest(): AsyncGenerator<MergedBatch> {
    while (!this.done) {
      const g = this.group;
      const rows = this.ri === 0 ? (g.rows as Array<RawRow | AggRow>) : (g.rows.slice(this.ri) as Array<RawRow | AggRow>);
      yield { key: g.key, tags: g.tags, rows };
      this.ri = g.rows.length;
      await this.load();
    }
  }

  /** Moves past the current row; true when another row is available without loading. */
  step(): boolean {
    this.ri++;
    while (this.gi < this.groups.length) {
      if (this.ri < (this.groups[this.gi] as ChunkGroup).rows.length) return true;
      this.gi++;
      this.ri = 0;
    }
    return false;
  }
}

/**
 * Merges the streams of several mappers of the same request into one stream ordered by (tag set key,
 * time asc|desc). Aggregate rows with the same (tag set, bucket) are merged into one (their states
 * combined); raw rows are interleaved by time (ties: `rawTieLess` in a Go-style heap when given, else
 * mapper order). Holds one chunk per mapper plus the batch being built.
 */
export async function* reduceMappers(
  mappers: readonly Mapper[],
  specs: readonly AggSpec[] | null,
  ascending: boolean,
  batchSize = 1024,
  keysAscending = ascending,
  rawTieLess?: (a: RawRow, b: RawRow) => boolean,
): AsyncGenerator<MergedBatch> {
  const cursors = mappers.map((m, i) => new MapperCursor(m, i));
  await Promise.all(cursors.map((c) => c.load()));
  let live = cursors.filter((c) => !c.done);
  let batch: MergedBatch | null = null;
  const before = (a: MapperCursor, b: MapperCursor): number => {
    const ka = a.group.key;
    const kb = b.group.key;
    if (ka !== kb) return (ka < kb) === keysAscending ? -1 : 1;
    const ta = a.row[0];
    const tb = b.row[0];
    if (ta !== tb) return (ascending ? ta < tb : ta > tb) ? -1 : 1;
    return 0;
  };
  if (specs === null && rawTieLess !== undefined && live.length > 1) {
    // Raw rows: a merge heap with Go's container/heap operations and InfluxDB's tie rule, as its
    // sorted merge iterator combines the shards' iterators.
    const heap = new GoHeap<MapperCursor>(live, (a, b) => {
      const c = before(a, b);
      return c !== 0 ? c < 0 : rawTieLess(a.row as RawRow, b.row as RawRow);
    });
    for (;;) {
      const c = heap.pop();
      if (c === undefined) break;
      const key = c.group.key;
      if (batch === null || batch.key !== key || batch.rows.length >= batchSize) {
        if (batch !== null) yield batch;
        batch = { key, tags: c.group.tags, rows: [] };
      }
      batch.rows.push(c.row);
      if (!c.step()) await c.load();
      if (!c.done) heap.push(c);
    }
    if (batch !== null) yield batch;
    return;
  }
  while (live.length > 0) {
    if (live.length === 1) {
      // One mapper left: nothing to merge, pass its rows through a group at a time.
      if (batch !== null) yield batch;
      batch = null;
      yield* (live[0] as MapperCursor).drainRest();
      return;
    }
    let best = live[0] as MapperCursor;
    for (let i = 1; i < live.length; i++) {
      const c = live[i] as MapperCursor;
      if (before(c, best) < 0) best = c;
    }
    const key = best.group.key;
    let row = best.row;
    const advance: MapperCursor[] = [best];
    if (specs !== null) {
      // Merge every mapper's row of the same (tag set, bucket).
      let merged: AggRow | null = null;
      for (const c of live) {
        if (c === best || before(c, best) !== 0) continue;
        if (merged === null) {
          const src = best.row as AggRow;
          merged = [src[0], src[1].map((s) => ({ ...s, pts: s.pts === undefined ? undefined : [...s.pts] }))];
        }
        const other = c.row as AggRow;
        specs.forEach((sp, i) => mergeState(merged?.[1][i] as PartialState, other[1][i] as PartialState, sp.op));
        advance.push(c);
      }
      if (merged !== null) row = merged;
    }
    if (batch === null || batch.key !== key || batch.rows.length >= batchSize) {
      if (batch !== null) yield batch;
      batch = { key, tags: best.group.tags, rows: [] };
    }
    batch.rows.push(row);
    let reload = false;
    for (const c of advance) {
      if (!c.step()) {
        await c.load();
        reload = true;
      }
    }
    if (reload) live = live.filter((c) => !c.done);
  }
  if (batch !== null) yield batch;
}
