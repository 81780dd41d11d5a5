import { type ConfigProblem, parseSection, type SectionValue } from '../../core/index.js';

/** The `[pool-channel]` section: TOML keys; durations in milliseconds after parsing. */
export const poolChannelSchema = {
  /** Connections dialled when a node's pool is created (on its first `get`). */
  initial: { type: 'int', default: 1, min: 0 },
  /** Live connections per node (idle + borrowed + dialling), InfluxDB's `max-remote-write-connections`. */
  max: { type: 'int', default: 3, min: 1 },
  /** Idle connections kept per node; 0 = same as `max`. */
  'max-idle': { type: 'int', default: 0, min: 0 },
  /** Live connections across all nodes. */
  'global-max': { type: 'int', default: 500, min: 1 },
  /** How long `get` waits for a free connection (also the dial timeout). */
  'get-timeout': { type: 'duration', default: '5s' },
  /** Idle connections older than this are closed; "0" = never. */
  'idle-timeout': { type: 'duration', default: '60s' },
  /** Run the cluster handshake (schema version, and HMAC proof when `secret` is set) on each new connection. */
  handshake: { type: 'bool', default: false },
  /** Shared cluster secret for the handshake; "" = no authentication. */
  secret: { type: 'string', default: '' },
  'handshake-timeout': { type: 'duration', default: '5s' },
} as const;

/** Parsed `[pool-channel]` config. */
export type PoolChannelConfig = SectionValue<typeof poolChannelSchema>;

/** Validates the `[pool-channel]` section (undefined = all defaults). */
export function parsePoolChannelConfig(raw: unknown, path: string, problems: ConfigProblem[]): PoolChannelConfig {
  const cfg = parseSection(raw, path, poolChannelSchema, problems);
  if (cfg.initial > cfg.max) problems.push({ path: `${path}.initial`, message: 'must be <= max' });
  if (cfg['get-timeout'] <= 0 && !problems.some((p) => p.path === `${path}.get-timeout`)) problems.push({ path: `${path}.get-timeout`, message: 'must be > 0' });
  return cfg;
}
