// Long cluster-port fuzz run (20,000+ cases): random, header-shaped and mutated frames against a live
// node; exits non-zero on any payload not handled as required (bad ones closed, good ones answered).
// Run: npx tsc -p . && node dist/bench/cluster-fuzz.js [--runs 20000] [--seed N]
import { fuzzClusterPort } from '../test/cluster/cluster-fuzz-engine.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = arg('--runs', 20_000);
const seed = arg('--seed', Date.now() % 2 ** 31);
const started = Date.now();
const r = await fuzzClusterPort({ runs, seed });
process.stdout.write(`${JSON.stringify({ ...r, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
if (r.failureCount > 0 || !r.aliveAfter) process.exitCode = 1;
