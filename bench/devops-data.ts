// A deterministic DevOps-style data set, as influxdb-comparisons' `devops` use case: measurement `cpu`,
// 10 tags per host, 10 float fields (random walks clamped to [0, 100] with N(0,1) steps), one point per
// host every `intervalS` seconds, time-major order, precision = seconds.

export const CPU_FIELDS = [
  'usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait',
  'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice',
] as const;

const REGIONS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e']],
  ['us-west-1', ['us-west-1a', 'us-west-1b']],
  ['us-west-2', ['us-west-2a', 'us-west-2b', 'us-west-2c']],
  ['eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
  ['eu-central-1', ['eu-central-1a', 'eu-central-1b']],
  ['ap-southeast-1', ['ap-southeast-1a', 'ap-southeast-1b']],
  ['ap-southeast-2', ['ap-southeast-2a', 'ap-southeast-2b']],
  ['ap-northeast-1', ['ap-northeast-1a', 'ap-northeast-1c']],
  ['sa-east-1', ['sa-east-1a', 'sa-east-1b', 'sa-east-1c']],
];

export interface DevopsOptions {
  readonly hosts: number;
  /** Points per host. */
  readonly points: number;
  /** Lines per batch. */
  readonly batch: number;
  readonly seed: number;
  /** Start time, seconds since the epoch (default 2016-01-01T00:00:00Z). */
  readonly startS?: number;
  readonly intervalS?: number;
  /** Round values to this many decimals; -1 = full double precision. */
  readonly decimals?: number;
}

/** Small, fast, seedable PRNG (mulberry32) returning floats in [0, 1). */
import { prng } from '../core/testing/suite-harness.js';

export const seededRandom: (seed: number) => () => number = prng;

function normalFrom(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * rand();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/** The hosts: series key prefix (measurement + tags, in gen-load's order), tags, and random-walk state. */
export function devopsHosts(
  count: number,
  rand: () => number,
): { key: string; hostname: string; tags: [string, string][]; state: Float64Array }[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const out = [];
  for (let i = 0; i < count; i++) {
    const [region, dcs] = pick(REGIONS);
    const tags: [string, string][] = [
      ['hostname', `host_${i}`],
      ['region', region],
      ['datacenter', pick(dcs)],
      ['rack', String(Math.floor(rand() * 100))],
      ['os', pick(['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'])],
      ['arch', pick(['x64', 'x86'])],
      ['team', pick(['SF', 'NYC', 'LON', 'CHI'])],
      ['service', String(Math.floor(rand() * 20))],
      ['service_version', String(Math.floor(rand() * 2))],
      ['service_environment', pick(['production', 'staging', 'test'])],
    ];
    const state = new Float64Array(CPU_FIELDS.length);
    for (let f = 0; f < state.length; f++) state[f] = rand() * 100;
    out.push({ key: `cpu,${tags.map(([k, v]) => `${k}=${v}`).join(',')}`, hostname: `host_${i}`, tags, state });
  }
  return out;
}

/** One row of the data set: host index, time (s), the 10 field values (rounded per `decimals`). */
export interface DevopsRow {
  readonly host: number;
  readonly timeS: number;
  /** Reused between rows: copy what you keep. */
  readonly values: Float64Array;
}

/**
 * The rows in time-major order (all hosts at t, then t + interval...), with gen-load.mjs's RNG
 * consumption order, so the values match it: the first point of each host is its initial state, then each
 * field takes a clamped N(0,1) step per point.
 */
export function* devopsRows(o: Omit<DevopsOptions, 'batch'>): Generator<DevopsRow, void, undefined> {
  const rand = seededRandom(o.seed);
  const normal = normalFrom(rand);
  const hosts = devopsHosts(o.hosts, rand);
  const t0 = o.startS ?? 1451606400;
  const step = o.intervalS ?? 10;
  const decimals = o.decimals ?? -1;
  const scale = decimals >= 0 ? 10 ** decimals : 0;
  const values = new Float64Array(CPU_FIELDS.length);
  for (let p = 0; p < o.points; p++) {
    for (let h = 0; h < hosts.length; h++) {
      const st = hosts[h]!.state;
      for (let f = 0; f < st.length; f++) {
        if (p > 0) {
          let v = st[f]! + normal();
          v = v < 0 ? 0 : v > 100 ? 100 : v;
          st[f] = v;
        }
        values[f] = scale ? Math.round(st[f]! * scale) / scale : st[f]!;
      }
      yield { host: h, timeS: t0 + p * step, values };
    }
  }
}

/** Yields line-protocol batches (Buffers of `batch` lines), time-major, precision seconds. */
export function* devopsBatches(o: DevopsOptions): Generator<Buffer> {
  const hosts = devopsHosts(o.hosts, seededRandom(o.seed));
  let lines: string[] = [];
  for (const row of devopsRows(o)) {
    let line = `${hosts[row.host]!.key} `;
    for (let f = 0; f < CPU_FIELDS.length; f++) line += `${f ? ',' : ''}${CPU_FIELDS[f]}=${row.values[f]}`;
    lines.push(`${line} ${row.timeS}`);
    if (lines.length === o.batch) {
      yield Buffer.from(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) yield Buffer.from(`${lines.join('\n')}\n`);
}
