import { type ConfigProblem, parseSection, type SectionValue } from '../../core/index.js';

/** The `[transport-tcp]` section: TOML keys, durations in milliseconds after parsing. */
export const transportTcpSchema = {
  /** Default dial timeout when a caller gives none. */
  'dial-timeout': { type: 'duration', default: '5s' },
  /** How long an accepted connection may take to send its mux byte before it is closed (InfluxDB: 30s). */
  'mux-timeout': { type: 'duration', default: '30s' },
  /** TCP keep-alive probe delay; "0" turns keep-alive off. */
  'keep-alive': { type: 'duration', default: '15s' },
  /** Disable Nagle's algorithm (small request frames go out at once). */
  'no-delay': { type: 'bool', default: true },
  /** Mutual TLS: this node's certificate, key and the cluster CA (PEM files); all three or none. */
  'tls-cert': { type: 'string', default: '' },
  'tls-key': { type: 'string', default: '' },
  'tls-ca': { type: 'string', default: '' },
  /** Also check the peer certificate's names against the dialled host. */
  'tls-verify-hostname': { type: 'bool', default: false },
} as const;

/** Parsed `[transport-tcp]` config. */
export type TransportTcpConfig = SectionValue<typeof transportTcpSchema>;

/** Validates the `[transport-tcp]` section (undefined = all defaults). */
export function parseTransportTcpConfig(raw: unknown, path: string, problems: ConfigProblem[]): TransportTcpConfig {
  const cfg = parseSection(raw, path, transportTcpSchema, problems);
  if (cfg['dial-timeout'] <= 0 && !problems.some((p) => p.path === `${path}.dial-timeout`)) problems.push({ path: `${path}.dial-timeout`, message: 'must be > 0' });
  if (cfg['mux-timeout'] <= 0 && !problems.some((p) => p.path === `${path}.mux-timeout`)) problems.push({ path: `${path}.mux-timeout`, message: 'must be > 0' });
  const tlsKeys = ['tls-cert', 'tls-key', 'tls-ca'] as const;
  const set = tlsKeys.filter((k) => cfg[k] !== '');
  if (set.length > 0 && set.length < 3)
    for (const k of tlsKeys) if (cfg[k] === '') problems.push({ path: `${path}.${k}`, message: 'required when TLS is configured' });
  return cfg;
}
