/**
 * The long nemesis run: `npm run test:raft-soak -- --seeds 10000 [--from 1]`. Prints each failing seed
 * with its trace (replay one with `--from <seed> --seeds 1`) and exits 1 if any failed.
 */
import { runNemesis } from './sim/nemesis.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const seeds = arg('seeds', 1000);
const from = arg('from', 1);
const started = Date.now();
let failed = 0;
let acked = 0;
let worst = 0;
for (let seed = from; seed < from + seeds; seed++) {
  const out = runNemesis(seed);
  acked += out.acked;
  worst = Math.max(worst, out.recoveryMs);
  if (out.errors.length > 0) {
    failed++;
    process.stdout.write(`FAIL ${out.errors.join('\n')}\n${out.trace.slice(-100).join('\n')}\n\n`);
  }
  if ((seed - from + 1) % 1000 === 0) process.stdout.write(`${seed - from + 1} seeds, ${failed} failed\n`);
}
process.stdout.write(
  `${seeds} seeds from ${from}: ${failed} failed, ${acked} acknowledged commands, worst recovery ${worst} virtual ms, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
process.exitCode = failed > 0 ? 1 : 0;
