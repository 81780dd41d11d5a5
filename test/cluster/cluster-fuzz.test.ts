// Random and mutated frames thrown at a live cluster port (see cluster-fuzz-engine.ts). 20,000
// cases here (TESSERA_FUZZ_RUNS to change; npm run test:fuzz -- --runs 200000 for more)
import test from 'ava';
import { fuzzClusterPort } from './cluster-fuzz-engine.js';

const RUNS = Number(process.env.TESSERA_FUZZ_RUNS ?? 20000);
const SEED = Number(process.env.TESSERA_FUZZ_SEED ?? 20261126);

test(`${RUNS} random and mutated frames: no crash, every bad connection closed, good requests answered`, async (t) => {
  t.timeout(600_000);
  const r = await fuzzClusterPort({ runs: RUNS, seed: SEED });
  t.deepEqual(r.failures.slice(0, 5), [], `${r.failureCount} failures (seed ${SEED})`);
  t.is(r.closed + r.answered, RUNS);
  t.true(r.closed > RUNS / 2, `${r.closed} closed, ${r.answered} answered`);
  t.true((r.stats.badConnections ?? 0) + (r.stats.handshakeFailures ?? 0) > 0);
  t.true(r.aliveAfter, 'the node still serves a normal client afterwards');
  t.log(`${r.closed} bad connections closed, ${r.answered} good ones answered; service stats ${JSON.stringify(r.stats)}`);
});
