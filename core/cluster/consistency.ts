/** Write consistency levels of InfluxDB's /write `consistency` parameter. */
export type ConsistencyLevel = 'any' | 'one' | 'quorum' | 'all';

/** Parses the `consistency` parameter ('' or absent = 'one'); undefined when invalid. */
export function parseConsistency(text: string | null | undefined): ConsistencyLevel | undefined {
  if (text === null || text === undefined || text === '') return 'one';
  switch (text.toLowerCase()) {
    case 'any':
      return 'any';
    case 'one':
      return 'one';
    case 'quorum':
      return 'quorum';
    case 'all':
      return 'all';
    default:
      return undefined;
  }
}

/** Acknowledgements needed from `owners` owners: any/one = 1, quorum = floor(n/2)+1, all = n. */
export function requiredAcks(level: ConsistencyLevel, owners: number): number {
  switch (level) {
    case 'any':
    case 'one':
      return Math.min(1, owners);
    case 'quorum':
      return Math.floor(owners / 2) + 1;
    case 'all':
      return owners;
  }
}
