// Tests that start child processes (nodes, crash cycles, clusters): one file at a time, so they never
// compete for ports, CPU or the disk with each other. The rest of the suite is in package.json's "ava".
export default {
  files: [
    'test/integration/node-process.test.ts',
    'test/integration/node-crash.test.ts',
    'test/integration/meta-raft-cluster.test.ts',
    'test/integration/cluster-*.test.ts',
    'test/plugins/tsdb-file/crash.test.ts',
    'test/plugins/tsdb-file/node.test.ts',
    'test/bench/harness.test.ts',
  ],
  typescript: { rewritePaths: { 'test/': 'dist/test/' }, compile: false },
  nodeArguments: ['--enable-source-maps'],
  timeout: '300s',
  concurrency: 1,
  workerThreads: false,
};
