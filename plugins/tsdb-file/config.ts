import { type ConfigProblem, parseSection, type SectionValue } from '../../core/index.js';

/** The `[tsdb-file]` section. Sizes as strings with units ("1GiB"); see README.md. */
export const fileConfigSchema = {
  /** Per shard: writes that would grow the cache (active + snapshotting) beyond this fail (0 = no limit). */
  'cache-max-memory-size': { type: 'size', default: '1GiB' },
  /** Per shard: the cache is written to a segment once it holds this much. */
  'cache-snapshot-memory-size': { type: 'size', default: '25MiB' },
  /** A shard's cache that received no write for this long is written to a segment ("0" = never). */
  'cache-snapshot-write-cold-duration': { type: 'duration', default: '10m' },
  /** fsync the WAL before acknowledging a write (off: faster, loses the last writes on power loss). */
  'wal-fsync': { type: 'bool', default: true },
  /** Largest number of points in one block. */
  'max-points-per-block': { type: 'int', default: 1000, min: 1, max: 100_000 },
  /** Encode snapshots and run compactions in a worker thread (off: on the main thread, in slices). */
  'worker-thread': { type: 'bool', default: true },
  /** Decoded blocks kept in memory for queries, all shards together (least recently used out; 0 = off). */
  'block-cache-size': { type: 'size', default: '32MiB' },
  /** Background compaction on/off. */
  'compaction-enabled': { type: 'bool', default: true },
  /** Number of adjacent segments of one level merged into one of the next level. */
  'compaction-threshold': { type: 'int', default: 4, min: 2, max: 64 },
  /** Highest level background compaction produces. */
  'compaction-max-level': { type: 'int', default: 4, min: 2, max: 16 },
} as const;

/** Parsed `[tsdb-file]` section (sizes in bytes). */
export type FileConfig = SectionValue<typeof fileConfigSchema>;

/** Validates the `[tsdb-file]` section (unknown keys rejected); returns a frozen value. */
export function parseFileConfig(raw: unknown, path: string, problems: ConfigProblem[]): FileConfig {
  return parseSection(raw, path, fileConfigSchema, problems);
}
