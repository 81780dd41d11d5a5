import type { ConfChange, ConfState, Entry, MemberId } from './types.js';

/** The membership after one change. */
export function nextConf(conf: ConfState, cc: ConfChange): ConfState {
  const without = (list: readonly MemberId[], id: MemberId): MemberId[] => list.filter((x) => x !== id);
  switch (cc.op) {
    case 'bootstrap':
      return { voters: [...cc.voters], learners: [] };
    case 'addLearner':
      return conf.voters.includes(cc.id) || conf.learners.includes(cc.id) ? conf : { voters: [...conf.voters], learners: [...conf.learners, cc.id] };
    case 'promote':
      return { voters: conf.voters.includes(cc.id) ? [...conf.voters] : [...conf.voters, cc.id], learners: without(conf.learners, cc.id) };
    case 'remove':
      return { voters: without(conf.voters, cc.id), learners: without(conf.learners, cc.id) };
  }
}

/** The bootstrap entry every initial member writes identically (index 1, term 1). */
export function bootstrapEntry(voters: readonly MemberId[]): Entry {
  const sorted = [...new Set(voters)].sort();
  return { term: 1, index: 1, kind: 'conf', data: JSON.stringify({ op: 'bootstrap', voters: sorted } satisfies ConfChange) };
}
