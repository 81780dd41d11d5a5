// Line-protocol parsing throughput on DevOps-style data (measurement cpu, 10 tags, 10 float fields, one
// point per host every 10 s, time-major, precision s), against a trivial split-based parser on the same
// bytes, plus FNV-1a 64 over the series keys. Run: node dist/bench/line-protocol.bench.js [--hosts N]
// [--points N] [--batch N] [--repeat N]. About a fifth of parseLines' time is young-generation GC (every
// point, field tuple and boxed float survives until the batch is written): node --max-semi-space-size=32
// (or 64) measured 35-45% more lines/s.
import { pathToFileURL } from 'node:url';
import { fnv1a64, shardIndexFor } from '../core/model/hash.js';
import { ParseCache, parseLines } from '../core/model/line-protocol.js';

/** Options of run(). */
export interface LineProtocolBenchOptions {
  /** Hosts (series); default 1000. */
  readonly hosts?: number;
  /** Points per host; default 50. */
  readonly points?: number;
  /** Lines per body; default 5000. */
  readonly batch?: number;
  /** Timed passes over all bodies (the best is kept); default 3. */
  readonly repeat?: number;
  readonly seed?: number;
}

const FIELDS = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq',
  'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice'];

/** Deterministic DevOps cpu bodies (Buffers of `batch` lines) and the series key of each host. */
export function devopsBodies(o: Required<LineProtocolBenchOptions>): { bodies: Buffer[]; keys: string[]; lines: number } {
  let state = o.seed >>> 0;
  const rand = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const regions = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1',
    'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'];
  const keys: string[] = [];
  const values: Float64Array[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const region = pick(regions);
    keys.push(`cpu,hostname=host_${h},region=${region},datacenter=${region}${pick(['a', 'b', 'c'])},`
      + `rack=${Math.floor(rand() * 100)},os=${pick(['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'])},`
      + `arch=${pick(['x64', 'x86'])},team=${pick(['SF', 'NYC', 'LON', 'CHI'])},service=${Math.floor(rand() * 20)},`
      + `service_version=${Math.floor(rand() * 2)},service_environment=${pick(['production', 'staging', 'test'])}`);
    values.push(Float64Array.from(FIELDS, () => rand() * 100));
  }
  const bodies: Buffer[] = [];
  let lines: string[] = [];
  for (let p = 0; p < o.points; p++) {
    const ts = 1451606400 + p * 10;
    for (let h = 0; h < o.hosts; h++) {
      const v = values[h]!;
      let line = `${keys[h]} `;
      for (let f = 0; f < FIELDS.length; f++) {
        v[f] = Math.min(100, Math.max(0, v[f]! + (rand() + rand() + rand() - 1.5) * 2));
        line += `${f > 0 ? ',' : ''}${FIELDS[f]}=${v[f]}`;
      }
      lines.push(`${line} ${ts}`);
      if (lines.length === o.batch) {
        bodies.push(Buffer.from(`${lines.join('\n')}\n`));
        lines = [];
      }
    }
  }
  if (lines.length > 0) bodies.push(Buffer.from(`${lines.join('\n')}\n`));
  return { bodies, keys, lines: o.hosts * o.points };
}

/** A trivial split-based parser (no escapes, no validation): the floor to compare parseLines with. */
export function splitParse(body: Buffer): number {
  let sum = 0;
  for (const line of body.toString('latin1').split('\n')) {
    if (line === '' || line.charCodeAt(0) === 35) continue;
    const sp1 = line.indexOf(' ');
    const sp2 = line.indexOf(' ', sp1 + 1);
    const parts = line.slice(0, sp1).split(',');
    for (let k = 1; k < parts.length; k++) sum += parts[k]!.indexOf('=');
    for (const f of line.slice(sp1 + 1, sp2 < 0 ? undefined : sp2).split(',')) {
      const eq = f.indexOf('=');
      sum += Number(f.slice(eq + 1)) + eq;
    }
    if (sp2 > 0) sum += Number(line.slice(sp2 + 1));
  }
  return sum;
}

// CPU time of the process (user + system), not wall time: the machine is shared, so wall time mostly
// measures the other tenants; the best of `repeat` passes is kept.
function best(repeat: number, pass: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeat; r++) {
    const c0 = process.cpuUsage();
    pass();
    const c = process.cpuUsage(c0);
    min = Math.min(min, (c.user + c.system) / 1e6);
  }
  return min;
}

/**
 * Runs the benchmark (rates per CPU-second of this process, single thread); returns: parse_mb_s / parse_lines_s (fresh cache per body, as
 * an HTTP server without a shared cache), parse_shared_cache_*, split_* (trivial parser), fnv_keys_s /
 * fnv_mb_s (fnv1a64 -> bigint), shard_index_keys_s (shardIndexFor, no BigInt), plus the data size.
 */
export async function run(options: LineProtocolBenchOptions = {}): Promise<Record<string, number>> {
  const o: Required<LineProtocolBenchOptions> = {
    hosts: options.hosts ?? 1000, points: options.points ?? 50, batch: options.batch ?? 5000,
    repeat: options.repeat ?? 3, seed: options.seed ?? 12345,
  };
  const { bodies, keys, lines } = devopsBodies(o);
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const mb = bytes / 1e6;
  let sink = 0;
  const parse = (cache?: ParseCache) => () => {
    for (const b of bodies) sink += parseLines(b, { precision: 's', nowNs: 0n, cache }).points.length;
  };
  parse()(); // warm-up
  const parseS = best(o.repeat, parse());
  const shared = new ParseCache();
  parse(shared)();
  const sharedS = best(o.repeat, parse(shared));
  const splitS = best(o.repeat, () => {
    for (const b of bodies) sink += splitParse(b);
  });
  const allKeys: string[] = [];
  for (let i = 0; i < lines; i++) allKeys.push(keys[i % keys.length]!);
  const keyBytes = allKeys.reduce((n, k) => n + k.length, 0);
  const fnvS = best(o.repeat, () => {
    for (const k of allKeys) sink += Number(fnv1a64(k) & 1n);
  });
  const shardS = best(o.repeat, () => {
    for (const k of allKeys) sink += shardIndexFor(k, 7);
  });
  if (sink === -1) throw new Error('unreachable');
  return {
    lines,
    mb,
    parse_mb_s: mb / parseS,
    parse_lines_s: lines / parseS,
    parse_shared_cache_mb_s: mb / sharedS,
    parse_shared_cache_lines_s: lines / sharedS,
    split_mb_s: mb / splitS,
    split_lines_s: lines / splitS,
    fnv_keys_s: lines / fnvS,
    fnv_mb_s: keyBytes / 1e6 / fnvS,
    shard_index_keys_s: lines / shardS,
  };
}

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run({
    hosts: argValue('hosts'), points: argValue('points'), batch: argValue('batch'), repeat: argValue('repeat'),
  });
  for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(28)} ${v.toFixed(v < 100 ? 2 : 0)}\n`);
}
