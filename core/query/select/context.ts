import type { Mapper, MapRequest } from '../../contracts/mapper.js';
import type { MetaStore, ShardInfo } from '../../contracts/meta-store.js';
import type { Logger } from '../../logger.js';
import type { Point } from '../../model/point.js';

/** What executeSelect needs from the shard mapper (core/cluster/shard-mapper.ts implements it). */
export interface ShardMapperLike {
  createMapper(shard: ShardInfo, request: MapRequest, chunkSize: number): Promise<Mapper>;
}

/** Everything a SELECT runs against. */
export interface SelectContext {
  /** Default database (the `db` parameter). */
  readonly db: string;
  /** Default retention policy; '' = the database's default. */
  readonly rp: string;
  readonly meta: Pick<MetaStore, 'database' | 'retentionPolicy' | 'shardGroupsByTimeRange'>;
  readonly shardMapper: ShardMapperLike;
  /** now() for this statement, ns. */
  readonly nowNs: bigint;
  /** Rows per mapper chunk and per yielded series piece. */
  readonly chunkSize: number;
  readonly logger: Logger;
  /** Writes points for SELECT ... INTO. */
  readonly writePoints?: (db: string, rp: string, points: readonly Point[]) => Promise<void>;
}
