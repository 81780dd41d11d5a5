// The load client: pushes pre-generated line-protocol batches over keep-alive connections (undici Pool).
import { Pool } from 'undici';

export interface PushResult {
  readonly seconds: number;
  readonly points: number;
  readonly pointsPerSecond: number;
  readonly failures: number;
  readonly firstError?: string;
}

/** POSTs every batch to `${url}/write?...` with `concurrency` requests in flight; counts non-204s. */
export async function pushBatches(
  url: string,
  query: string,
  batches: readonly Buffer[],
  linesPerBatch: readonly number[],
  concurrency: number,
): Promise<PushResult> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000, bodyTimeout: 600_000, headersTimeout: 600_000 });
  let next = 0;
  let failures = 0;
  let firstError: string | undefined;
  let points = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= batches.length) return;
      const r = await pool.request({ path: `/write?${query}`, method: 'POST', body: batches[i] });
      const text = await r.body.text();
      if (r.statusCode !== 204) {
        failures++;
        firstError ??= `${r.statusCode} ${text.slice(0, 200)}`;
      } else points += linesPerBatch[i]!;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, points, pointsPerSecond: points / seconds, failures, ...(firstError ? { firstError } : {}) };
}

/** GET /query; returns latency in ms (throws on a non-200 or an error in the results). */
export async function timedQuery(pool: Pool, db: string, q: string): Promise<number> {
  const path = `/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}`;
  const t0 = performance.now();
  const r = await pool.request({ path, method: 'GET' });
  const text = await r.body.text();
  const ms = performance.now() - t0;
  if (r.statusCode !== 200 || text.includes('"error"')) throw new Error(`query failed (${r.statusCode}): ${q}: ${text.slice(0, 300)}`);
  return ms;
}
