import test from 'ava';
import { runNodeCrashCycles } from './node-crash-run.js';

test.serial('kill -9 at random moments: every acknowledged write survives (10 cycles)', async (t) => {
  t.timeout(300_000);
  const r = await runNodeCrashCycles({ cycles: 10, seed: 42, log: (s) => t.log(s) });
  t.true(r.acknowledgedBatches > 0, 'the writer got acknowledgements');
  t.is(r.missing, 0);
  t.log(`restart times (ms): ${r.restartMs.join(', ')}`);
});
