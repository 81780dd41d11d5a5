// The DevOps `cpu` data set of /work/shared/tools/gen-load.mjs, as Points: 10 tags per host, 10 float
// fields (random walks clamped to [0, 100] with N(0,1) steps), one point per host every `intervalS`
// seconds, time-major order. Same RNG and consumption order as gen-load.mjs, so the values match it.
import type { Point, Tag } from '../core/index.js';
import { normalizeTags, seriesKey } from '../core/model/series-key.js';

/** The 10 cpu fields. */
export const STORAGE_CPU_FIELDS = [
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

/** Options of the generator. */
export interface StorageDataOptions {
  readonly hosts: number;
  /** Points per host. */
  readonly points: number;
  /** Points per batch. */
  readonly batch: number;
  readonly seed: number;
  /** -1 = full precision, else values rounded to this many decimals. */
  readonly decimals: number;
  readonly intervalS?: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Batches of Points, time-major (all hosts at t, then t + interval...). */
export function* storageBatches(o: StorageDataOptions): Generator<Point[]> {
  const rand = mulberry32(o.seed);
  const norm = normal(rand);
  const pick = <T>(arr: readonly T[]): T => arr[Math.floor(rand() * arr.length)]!;
  const hosts: Array<{ key: string; tags: Tag[]; state: Float64Array }> = [];
  for (let i = 0; i < o.hosts; i++) {
    const [region, dcs] = pick(REGIONS);
    const raw: Tag[] = [
      ['hostname', `host_${i}`], ['region', region], ['datacenter', pick(dcs)],
      ['rack', String(Math.floor(rand() * 100))], ['os', pick(['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10'])],
      ['arch', pick(['x64', 'x86'])], ['team', pick(['SF', 'NYC', 'LON', 'CHI'])],
      ['service', String(Math.floor(rand() * 20))], ['service_version', String(Math.floor(rand() * 2))],
      ['service_environment', pick(['production', 'staging', 'test'])],
    ];
    const state = new Float64Array(STORAGE_CPU_FIELDS.length);
    for (let f = 0; f < state.length; f++) state[f] = rand() * 100;
    const tags = normalizeTags(raw);
    hosts.push({ key: seriesKey('cpu', tags), tags, state });
  }
  const t0 = BigInt(Date.parse('2016-01-01T00:00:00Z')) * 1_000_000n;
  const step = BigInt(o.intervalS ?? 10) * 1_000_000_000n;
  const scale = o.decimals >= 0 ? 10 ** o.decimals : 0;
  let batch: Point[] = [];
  for (let p = 0; p < o.points; p++) {
    const time = t0 + BigInt(p) * step;
    for (const h of hosts) {
      const st = h.state;
      const fields: Array<[string, number]> = new Array(st.length);
      for (let f = 0; f < st.length; f++) {
        if (p > 0) {
          let v = st[f]! + norm();
          if (v < 0) v = 0;
          else if (v > 100) v = 100;
          st[f] = v;
        }
        // as gen-load.mjs: the printed value, parsed back
        fields[f] = [STORAGE_CPU_FIELDS[f]!, scale ? Number(String(Math.round(st[f]! * scale) / scale)) : st[f]!];
      }
      batch.push({ measurement: 'cpu', tags: h.tags, fields, time, key: h.key });
      if (batch.length === o.batch) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
