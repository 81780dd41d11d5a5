import { parseSection, type ConfigProblem, type SectionValue } from '../../core/config-schema.js';

/** The `[meta-raft]` section: option -> type and default. */
export const metaRaftConfigSchema = {
  /** Commands between snapshots of the meta state (the log is emptied after each). */
  'snapshot-interval': { type: 'int', default: 1000, min: 1, max: 10_000_000 },
  /** Raft tick in ms: heartbeats every 2 ticks, election timeout 10–20 ticks. */
  'tick-ms': { type: 'int', default: 50, min: 1, max: 10_000 },
  /**
   * Forced recovery after losing a quorum for good: this node becomes the only voter, keeping its own
   * state. An operator action: set it for one start, then remove it and re-add other nodes with `join`.
   */
  'recover-as-sole-voter': { type: 'bool', default: false },
} as const;

/** The validated, frozen `[meta-raft]` section. */
export type MetaRaftConfig = SectionValue<typeof metaRaftConfigSchema>;

/** Validates the `[meta-raft]` section (undefined = all defaults); problems go to `problems`. */
export function parseMetaRaftConfig(raw: unknown, path: string, problems: ConfigProblem[]): MetaRaftConfig {
  return parseSection(raw, path, metaRaftConfigSchema, problems);
}
