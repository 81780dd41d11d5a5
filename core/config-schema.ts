import { TesseraError } from './errors.js';

/** One problem found while validating configuration, with the dotted path of the key. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown with every problem at once (code ERR_CONFIG_INVALID, details = ConfigProblem[]). */
export function configError(problems: readonly ConfigProblem[]): TesseraError {
  const text = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new TesseraError('ERR_CONFIG_INVALID', `invalid configuration: ${text}`, { details: problems });
}

type FieldSpec =
  | { type: 'string'; default: string; oneOf?: readonly string[] }
  | { type: 'int'; default: number; min?: number; max?: number }
  | { type: 'bool'; default: boolean }
  | { type: 'duration'; default: string }
  | { type: 'size'; default: string }
  | { type: 'strings'; default: readonly string[] };

/** A section schema: kebab-case TOML key -> spec. */
export type SectionSchema = Readonly<Record<string, FieldSpec>>;

type ValueOf<S extends FieldSpec> = S extends { type: 'string' }
  ? string
  : S extends { type: 'int' }
    ? number
    : S extends { type: 'bool' }
      ? boolean
      : S extends { type: 'duration' }
        ? number
        : S extends { type: 'size' }
          ? number
          : readonly string[];

/** The parsed section: durations in milliseconds, sizes in bytes; keys stay as in TOML. */
export type SectionValue<S extends SectionSchema> = { readonly [K in keyof S]: ValueOf<S[K]> };

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a Go-style duration string ("5s", "1h30m", "250ms") to milliseconds; undefined if invalid. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2]!] ?? Number.NaN);
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 };

/** Parses a size ("512MiB", "1g", "100000") to bytes; undefined if invalid. */
export function parseSizeBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}

/**
 * Validates one section against its schema: applies defaults, rejects unknown keys, collects every
 * problem (with `path` prefix) into `problems`. Returns a frozen value (meaningful only when no problem
 * was added).
 */
export function parseSection<S extends SectionSchema>(
  raw: unknown,
  path: string,
  schema: S,
  problems: ConfigProblem[],
): SectionValue<S> {
  const out: Record<string, unknown> = {};
  const given: Record<string, unknown> = {};
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push({ path, message: 'must be a table' });
    } else {
      Object.assign(given, raw);
    }
  }
  for (const key of Object.keys(given)) {
    if (!(key in schema)) problems.push({ path: `${path}.${key}`, message: 'unknown key' });
  }
  for (const [key, spec] of Object.entries(schema)) {
    const p = `${path}.${key}`;
    const value = key in given ? given[key] : spec.default;
    out[key] = checkValue(value, spec, p, problems);
  }
  return Object.freeze(out) as SectionValue<S>;
}

function checkValue(value: unknown, spec: FieldSpec, path: string, problems: ConfigProblem[]): unknown {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return bad(problems, path, 'must be a string', spec.default);
      if (spec.oneOf && !spec.oneOf.includes(value))
        return bad(problems, path, `must be one of ${spec.oneOf.join(', ')}`, spec.default);
      return value;
    case 'int': {
      // Strings come from environment overrides.
      const n =
        typeof value === 'bigint' ? Number(value) : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return bad(problems, path, 'must be an integer', spec.default);
      if (spec.min !== undefined && n < spec.min) return bad(problems, path, `must be >= ${spec.min}`, spec.default);
      if (spec.max !== undefined && n > spec.max) return bad(problems, path, `must be <= ${spec.max}`, spec.default);
      return n;
    }
    case 'bool':
      if (value === 'true' || value === 'false') return value === 'true';
      if (typeof value !== 'boolean') return bad(problems, path, 'must be true or false', spec.default);
      return value;
    case 'duration': {
      const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
      if (ms === undefined) return bad(problems, path, 'must be a duration such as "5s" or "1h30m"', 0);
      return ms;
    }
    case 'size': {
      const bytes = typeof value === 'string' || typeof value === 'number' ? parseSizeBytes(String(value)) : undefined;
      if (bytes === undefined) return bad(problems, path, 'must be a size such as "512MiB"', 0);
      return bytes;
    }
    case 'strings':
      if (typeof value === 'string') return Object.freeze(value === '' ? [] : value.split(',').map((v) => v.trim()));
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return bad(problems, path, 'must be an array of strings', spec.default);
      return Object.freeze([...value]);
  }
}

function bad(problems: ConfigProblem[], path: string, message: string, fallback: unknown): unknown {
  problems.push({ path, message });
  return fallback;
}
