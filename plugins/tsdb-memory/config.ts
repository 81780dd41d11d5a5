import { type ConfigProblem, parseSection, type SectionValue } from '../../core/index.js';

/** The `[tsdb-memory]` section. */
export const memoryConfigSchema = {
  /** Largest number of points in one Block returned by ShardReader.scan. */
  'max-block-points': { type: 'int', default: 1000, min: 1, max: 1_000_000 },
} as const;

/** Parsed `[tsdb-memory]` section. */
export type MemoryConfig = SectionValue<typeof memoryConfigSchema>;

/** Validates the `[tsdb-memory]` section (unknown keys rejected); returns a frozen value. */
export function parseMemoryConfig(raw: unknown, path: string, problems: ConfigProblem[]): MemoryConfig {
  return parseSection(raw, path, memoryConfigSchema, problems);
}
