import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from './sim/script.js';

// Scripts live next to the TypeScript sources (tsc does not copy .txt files into dist/).
const here = path.dirname(fileURLToPath(import.meta.url));
const TESTDATA = path.resolve(here, '../../../../../test/plugins/meta-raft/raft/testdata');

for (const file of readdirSync(TESTDATA).filter((f) => f.endsWith('.txt')).sort()) {
  test(`script ${file}`, (t) => {
    const { failures, sim } = runScript(readFileSync(path.join(TESTDATA, file), 'utf8'));
    t.deepEqual(
      failures.map((f) => `line ${f.line}: ${f.text}: ${f.problem}`),
      [],
      sim ? sim.trace.slice(-40).join('\n') : '',
    );
  });
}
