// Differential check of parseLines against a real InfluxDB 1.6.7 (INFLUX_URL, default http://127.0.0.1:18086):
// writes each body to a fresh database `lp_diff`, compares status and error text with writeErrorMessage,
// and the stored series/fields with the parsed points. Needs `npx tsc -p .` first (imports dist/).
// Usage: node test/model/recorder/influx-diff.mjs test/model/recorder/cases-hand.json
import { parseLines, parsePrecision, writeErrorMessage } from '../../../dist/core/model/line-protocol.js';
import { FieldScan, scanFieldSection } from '../../../dist/core/model/line-protocol-fields.js';
const BASE = process.env.INFLUX_URL ?? 'http://127.0.0.1:18086';
const DB = 'lp_diff';
async function q(s, db = DB) {
  const r = await fetch(`${BASE}/query?${new URLSearchParams({ q: s, db, epoch: 'ns' })}`, { method: 'POST' });
  return JSON.parse(await r.text());
}
async function w(body, precision) {
  const p = new URLSearchParams({ db: DB }); if (precision != null) p.set('precision', precision);
  const r = await fetch(`${BASE}/write?${p}`, { method: 'POST', body });
  const t = await r.text();
  return { status: r.status, error: t ? JSON.parse(t).error : undefined };
}
const big = (k, v) => typeof v === 'bigint' ? `${v}n` : v;
export async function check(body, precision) {
  const buf = Buffer.from(body);
  const nowNs = BigInt(Date.now()) * 1000000n;
  const mine = parseLines(buf, { precision: parsePrecision(precision), nowNs });
  const msg = writeErrorMessage({ parseErrors: mine.errors, parsedPoints: mine.points.length + mine.rejected,
    drop: mine.rejected ? { reason: mine.rejectedReason, dropped: mine.rejected } : undefined });
  await q(`DROP DATABASE ${DB}`); await q(`CREATE DATABASE ${DB}`);
  const theirs = await w(buf, precision);
  const problems = [];
  const myStatus = msg === undefined ? 204 : 400;
  if (theirs.status !== myStatus) problems.push(`status ${theirs.status} vs mine ${myStatus}`);
  if ((theirs.error ?? '') !== (msg ?? '')) problems.push(`error:\n   influx: ${JSON.stringify(theirs.error)}\n   mine:   ${JSON.stringify(msg)}`);
  if (theirs.status === 204 || (theirs.error ?? '').startsWith('partial write')) {
    const ss = await q('SHOW SERIES');
    const keys = new Set((ss.results[0].series?.[0]?.values ?? []).map((v) => v[0]));
    const myKeys = new Set(mine.points.map((p) => p.key));
    const a = [...keys].sort().join('|'), b = [...myKeys].sort().join('|');
    if (a !== b && mine.rejected === 0) problems.push(`series: influx ${JSON.stringify([...keys])} mine ${JSON.stringify([...myKeys])}`);
    const series = [];
    for (const m of new Set(mine.points.map((p) => p.measurement))) {
      const sel = await q(`SELECT * FROM "${m.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}" GROUP BY *`);
      series.push(...(sel.results?.[0]?.series ?? []));
    }
    const seenPT = new Set();
    for (const p of [...mine.points].reverse()) {
      if (seenPT.has(p.key + ' ' + p.time)) continue;
      seenPT.add(p.key + ' ' + p.time);
      const s = series.find((s) => s.name === p.measurement && p.tags.every(([k, v]) => s.tags?.[k] === v)
        && Object.entries(s.tags ?? {}).every(([k, v]) => v === '' || p.tags.some(([a, b]) => a === k && b === v)));
      if (!s) { problems.push(`no series for ${JSON.stringify(p, big)}: ${JSON.stringify(series.map((s) => [s.name, s.tags]))}`); continue; }
      const row = s.values.find((r) => r[0] === Number(p.time)) ?? s.values.find((r) => p.time > 10n ** 18n && Math.abs(r[0] - Number(p.time)) < 5e9) ?? (s.values.length === 1 && Math.abs(s.values[0][0] - Number(p.time)) < 60e9 ? s.values[0] : undefined);
      if (!row) { problems.push(`no row at ${p.time} in ${JSON.stringify(s.values)}`); continue; }
      for (const [f, v] of p.fields) {
        const c = s.columns.indexOf(f);
        if (c < 0) { problems.push(`field ${JSON.stringify(f)} missing in ${JSON.stringify(s.columns)}`); continue; }
        const got = row[c];
        const ok = typeof v === 'bigint' ? Math.abs(Number(v) - got) <= Math.abs(Number(v)) * 1e-15 : got === v;
        if (!ok) problems.push(`field ${f}: influx ${JSON.stringify(got)} mine ${JSON.stringify(v, big)}`);
      }
      const nfields = s.columns.length - 1;
      const present = s.columns.slice(1).filter((c, i) => row[i + 1] !== null);
      if (present.length !== p.fields.length) problems.push(`fields influx ${JSON.stringify(present)} mine ${JSON.stringify(p.fields.map((f) => f[0]))}`);
    }
  }
  return { mine, theirs, problems };
}
export function goWalk(line) {
  // true when the parser would take its slow path for this line's field section (avoid sending those)
  const b = Buffer.from(line);
  const fs = new FieldScan();
  for (const part of line.split('\n')) {
    const b = Buffer.from(part);
    let i = 1;
    while (i < b.length && !(b[i] === 0x20 && b[i - 1] !== 0x5c)) i++;
    scanFieldSection(b, i, b.length, fs);
    if (fs.goWalk) return true;
  }
  return false;
}
if (process.argv[1].endsWith('influx-diff.mjs')) {
  const cases = JSON.parse((await import('node:fs')).readFileSync(process.argv[2], 'utf8'));
  let bad = 0;
  for (const c of cases) {
    const [body, precision] = Array.isArray(c) ? c : [c, undefined];
    const r = await check(body, precision);
    if (r.problems.length) { bad++; console.log('MISMATCH', JSON.stringify(body), precision ?? '', '\n  ' + r.problems.join('\n  ')); }
  }
  console.log(`${cases.length} cases, ${bad} mismatches`);
  await q(`DROP DATABASE ${DB}`);
}
