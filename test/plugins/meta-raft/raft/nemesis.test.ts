import test from 'ava';
import { runNemesis } from './sim/nemesis.js';

const SEEDS = Number(process.env.RAFT_SEEDS ?? 300);

test(`randomized nemesis keeps safety and regains a leader (${SEEDS} seeds)`, (t) => {
  let acked = 0;
  let reads = 0;
  let worstRecovery = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const out = runNemesis(seed);
    if (out.errors.length > 0) {
      t.fail(`${out.errors.join('\n')}\n--- replay: npm run test:raft-soak -- --from ${seed} --seeds 1 ---\n${out.trace.slice(-80).join('\n')}`);
      return;
    }
    acked += out.acked;
    reads += out.reads;
    worstRecovery = Math.max(worstRecovery, out.recoveryMs);
  }
  t.log(`acked ${acked} commands, ${reads} linearizable reads, worst recovery ${worstRecovery} virtual ms`);
  t.true(acked > SEEDS * 10, 'the workload made progress');
});
