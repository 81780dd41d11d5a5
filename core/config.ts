import { parse as parseToml } from 'smol-toml';
import { type ConfigProblem, configError, parseSection, type SectionValue } from './config-schema.js';

/** Schemas of the core sections. Plugin sections are named after the plugin and validated by the plugin. */
export const CORE_SCHEMA = {
  node: {
    dir: { type: 'string', default: './data' },
    'log-level': { type: 'string', default: 'info', oneOf: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    'start-timeout': { type: 'duration', default: '30s' },
    'stop-timeout': { type: 'duration', default: '30s' },
  },
  http: {
    'bind-address': { type: 'string', default: '127.0.0.1:8086' },
    'max-body-size': { type: 'size', default: '25000000' },
    'max-concurrent-write-limit': { type: 'int', default: 0, min: 0 },
    'log-enabled': { type: 'bool', default: false },
    'auth-enabled': { type: 'bool', default: false },
    'shared-secret': { type: 'string', default: '' },
  },
  cluster: {
    'bind-address': { type: 'string', default: '127.0.0.1:8088' },
    'shared-secret': { type: 'string', default: '' },
    'write-timeout': { type: 'duration', default: '10s' },
  },
  meta: {
    peers: { type: 'strings', default: [] },
    join: { type: 'strings', default: [] },
  },
  plugins: {
    meta: { type: 'string', default: 'meta-raft' },
    tsdb: { type: 'string', default: 'tsdb-file' },
    transport: { type: 'string', default: 'transport-tcp' },
    pool: { type: 'string', default: 'pool-channel' },
    extra: { type: 'strings', default: [] },
  },
} as const;

type CoreSchema = typeof CORE_SCHEMA;
export type CoreConfig = { readonly [K in keyof CoreSchema]: SectionValue<CoreSchema[K]> };

/** Raw configuration: TOML tables by section name, after environment overrides. */
export type RawConfig = Record<string, Record<string, unknown>>;

/** Reads TOML text into a raw config; a syntax error becomes ERR_CONFIG_INVALID naming the line. */
export function readToml(text: string, source: string): RawConfig {
  try {
    const doc = parseToml(text) as Record<string, unknown>;
    const problems: ConfigProblem[] = [];
    const raw: RawConfig = {};
    for (const [section, value] of Object.entries(doc)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push({ path: section, message: 'must be a table ([section])' });
      } else {
        raw[section] = { ...(value as Record<string, unknown>) };
      }
    }
    if (problems.length) throw configError(problems);
    return raw;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_CONFIG_INVALID') throw err;
    throw configError([{ path: source, message: (err as Error).message.split('\n')[0] ?? String(err) }]);
  }
}

const norm = (s: string): string => s.toUpperCase().replace(/[-.]/g, '_');

/**
 * Applies `TESSERA_<SECTION>_<KEY>` environment variables to the sections named in `sections`
 * (section and key upper case, `-` and `.` as `_`; the longest matching section wins). A key already in
 * the raw table with the same normalized form is overwritten; otherwise the key is taken as kebab-case.
 * Values stay strings; section parsers accept strings for numbers, booleans and comma-separated arrays.
 */
export function applyEnvOverrides(raw: RawConfig, env: NodeJS.ProcessEnv, sections: readonly string[]): RawConfig {
  const bySection = [...sections].sort((a, b) => b.length - a.length);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TESSERA_') || value === undefined) continue;
    const rest = name.slice('TESSERA_'.length);
    const section = bySection.find((s) => rest.startsWith(`${norm(s)}_`));
    if (section === undefined) continue;
    const keyNorm = rest.slice(norm(section).length + 1);
    if (keyNorm === '') continue;
    const table = (raw[section] ??= {});
    const existing = Object.keys(table).find((k) => norm(k) === keyNorm);
    table[existing ?? keyNorm.toLowerCase().replace(/_/g, '-')] = value;
  }
  return raw;
}

/** Validates the core sections (all problems collected into `problems`). */
export function parseCoreConfig(raw: RawConfig, problems: ConfigProblem[]): CoreConfig {
  const out: Record<string, unknown> = {};
  for (const [section, schema] of Object.entries(CORE_SCHEMA)) {
    out[section] = parseSection(raw[section], section, schema, problems);
  }
  return Object.freeze(out) as CoreConfig;
}

/** Names of the core sections. */
export const CORE_SECTIONS: readonly string[] = Object.keys(CORE_SCHEMA);
