import { type ConfigProblem, definePlugin, parseSection, TSDBStore } from 'tessera';
import { ToyTSDBStore } from './toy-tsdb-store.js';

export { ToyTSDBStore } from './toy-tsdb-store.js';

/** A third-party TSDBStore plugin: load it with `plugins = ["./examples/toy-tsdb/index.js"]` (no options). */
export const toyTsdbPlugin = definePlugin<Record<string, never>>({
  manifest: { name: 'toy-tsdb', version: '0.1.0', core: '^0.1.0', provides: [TSDBStore], requires: [] },
  parseConfig(raw: unknown, path: string, problems: ConfigProblem[]) {
    return parseSection(raw, path, {}, problems) as Record<string, never>;
  },
  register(container) {
    let store: ToyTSDBStore | undefined;
    container.register(TSDBStore, { useFactory: () => (store ??= new ToyTSDBStore()) });
  },
});

export default toyTsdbPlugin;
