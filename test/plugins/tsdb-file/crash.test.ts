import test from 'ava';
import { crashRun } from './crash-run.js';

test('SIGKILL at random moments (10 cycles): every acknowledged batch is there after restart', async (t) => {
  t.timeout(600_000);
  const result = await crashRun(10, 7);
  t.log(`${result.acked} batches acknowledged over ${result.cycles} kills`);
  t.true(result.acked > 0);
  t.deepEqual(result.missing, []);
});
