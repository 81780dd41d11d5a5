import { applyCommand, emptyMetaData, type MetaCommand } from '../../core/meta/index.js';
import type { MetaData } from '../../core/contracts/meta-store.js';

/** Applies commands in order from `data` (default: empty), each at the next index; throws on a rejected command. */
export function run(cmds: readonly MetaCommand[], data: MetaData = emptyMetaData()): MetaData {
  for (const cmd of cmds) {
    const out = applyCommand(data, cmd, data.index + 1);
    if (out.error) throw out.error;
    data = out.data;
  }
  return data;
}

/** Applies one command at the next index and returns the whole outcome. */
export function step(data: MetaData, cmd: MetaCommand) {
  return applyCommand(data, cmd, data.index + 1);
}

/** Commands adding `n` nodes host0..host{n-1}. */
export function nodes(n: number): MetaCommand[] {
  return Array.from({ length: n }, (_, i) => ({ type: 'addNode' as const, address: `host${i}:8088` }));
}

/** ns since the epoch of an ISO date. */
export function iso(text: string): bigint {
  return BigInt(Date.parse(text)) * 1_000_000n;
}

export const H = 3_600_000_000_000n;
export const D = 24n * H;
