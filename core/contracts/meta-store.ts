import type { Service } from '../lifecycle.js';
import { createToken } from '../tokens.js';

/** A node of the cluster. `address` is its cluster-port address (host:port). */
export interface NodeInfo {
  readonly id: number;
  readonly address: string;
  /** HTTP address (host:port), when known. */
  readonly httpAddress?: string;
}

export interface ShardInfo {
  readonly id: number;
  /** Node IDs that hold a copy of the shard. */
  readonly owners: readonly number[];
}

export interface ShardGroupInfo {
  readonly id: number;
  /** Inclusive start, ns since the epoch. */
  readonly startTime: bigint;
  /** Exclusive end, ns since the epoch. */
  readonly endTime: bigint;
  /** Soft delete: set when the group was deleted (ns); deleted groups are skipped by every lookup. */
  readonly deletedAt?: bigint;
  readonly shards: readonly ShardInfo[];
}

export interface RetentionPolicyInfo {
  readonly name: string;
  readonly replicaN: number;
  /** 0n = infinite. */
  readonly durationNs: bigint;
  readonly shardGroupDurationNs: bigint;
  /**
   * Sorted as InfluxDB sorts them (by endTime, then startTime: the same as by startTime unless the shard
   * duration changed); includes soft-deleted groups (tombstones).
   */
  readonly shardGroups: readonly ShardGroupInfo[];
}

export interface ContinuousQueryInfo {
  readonly name: string;
  /** The full `CREATE CONTINUOUS QUERY ...` text, as SHOW CONTINUOUS QUERIES prints it. */
  readonly query: string;
}

export type Privilege = 'READ' | 'WRITE' | 'ALL' | 'NO PRIVILEGES';

export interface UserInfo {
  readonly name: string;
  readonly hash: string;
  readonly admin: boolean;
  readonly privileges: Readonly<Record<string, Privilege>>;
}

export interface DatabaseInfo {
  readonly name: string;
  /**
   * '' when the database has no default policy. As in InfluxDB 1.x, dropping the default policy leaves its
   * name here (a policy re-created under that name is the default again): resolve the default with
   * `retentionPolicy(db, '')`, which is undefined then.
   */
  readonly defaultRetentionPolicy: string;
  readonly retentionPolicies: readonly RetentionPolicyInfo[];
  readonly continuousQueries: readonly ContinuousQueryInfo[];
}

/** The applied, immutable meta state. Treat every part as read-only. */
export interface MetaData {
  /** Index of the last applied command (raft index). */
  readonly index: number;
  readonly term: number;
  readonly clusterId: string;
  readonly nodes: readonly NodeInfo[];
  readonly databases: readonly DatabaseInfo[];
  readonly users: readonly UserInfo[];
  readonly maxNodeId: number;
  readonly maxShardGroupId: number;
  readonly maxShardId: number;
}

/**
 * A policy as a statement gives it. Leave out what the statement does not say: for CREATE DATABASE ... WITH
 * an absent field matches any existing value, a given one must be equal (InfluxDB's Spec.Matches).
 */
export interface RetentionPolicySpec {
  readonly name: string;
  /** Default 0n (infinite) for CREATE DATABASE; required for CREATE RETENTION POLICY. */
  readonly durationNs?: bigint;
  readonly replicaN?: number;
  /** 0n or absent = computed from the duration (InfluxDB's rules). */
  readonly shardGroupDurationNs?: bigint;
}

export interface RetentionPolicyUpdate {
  readonly name?: string;
  readonly durationNs?: bigint;
  readonly replicaN?: number;
  readonly shardGroupDurationNs?: bigint;
}

export type MetaChangeListener = (data: MetaData) => void;

/**
 * The cluster's metadata, replicated (meta-raft). Reads are local and cheap; every mutation is one
 * replicated command and resolves once it is applied on this node. Errors are TesseraErrors with
 * ERR_META_* codes (messages worded as InfluxDB words them).
 */
export interface MetaStore extends Service {
  readonly supports: MetaStoreSupports;
  /** This node's ID (assigned by the meta store, never reused). */
  nodeId(): number;
  data(): MetaData;
  database(name: string): DatabaseInfo | undefined;
  /** rp '' = the database's default policy. */
  retentionPolicy(db: string, rp: string): RetentionPolicyInfo | undefined;
  /** Non-deleted groups overlapping [tmin, tmax] (both inclusive), in stored order; [] when db/rp is missing. */
  shardGroupsByTimeRange(db: string, rp: string, tmin: bigint, tmax: bigint): ShardGroupInfo[];
  /**
   * Returns the non-deleted group containing t: a local read on a hit; on a miss one command, shared by
   * concurrent misses for the same group. ERR_META_DATABASE_NOT_FOUND / ERR_META_RP_NOT_FOUND otherwise.
   */
  createShardGroupIfNotExists(db: string, rp: string, t: bigint): Promise<ShardGroupInfo>;
  deleteShardGroup(db: string, rp: string, id: number): Promise<void>;
  /**
   * DROP SHARD: removes the shard from its group (dropping a group's last shard soft-deletes the group);
   * an unknown ID is not an error. The caller deletes this node's copy from its TSDBStore.
   */
  dropShard(id: number): Promise<void>;

  /**
   * Without `rp`: creates the database with `autogen` (infinite, replication 1, 7d groups) as its default;
   * a no-op when it exists. With `rp` (CREATE DATABASE ... WITH; name '' = autogen): the policy is always
   * made the default (`makeDefault` is ignored, as in InfluxDB 1.x); idempotent only when that policy
   * exists with the same options and is the default, else ERR_META_RP_CONFLICT.
   */
  createDatabase(name: string, rp?: RetentionPolicySpec & { makeDefault?: boolean }): Promise<DatabaseInfo>;
  /** Dropping a missing database is not an error (InfluxDB 1.x). */
  dropDatabase(name: string): Promise<void>;
  createRetentionPolicy(db: string, spec: RetentionPolicySpec, makeDefault: boolean): Promise<RetentionPolicyInfo>;
  alterRetentionPolicy(db: string, name: string, update: RetentionPolicyUpdate, makeDefault: boolean): Promise<void>;
  dropRetentionPolicy(db: string, name: string): Promise<void>;
  createContinuousQuery(db: string, name: string, query: string): Promise<void>;
  dropContinuousQuery(db: string, name: string): Promise<void>;
  /**
   * A no-op when the user exists with the same `hash` and `admin`, else ERR_META_USER_EXISTS. InfluxDB makes
   * CREATE USER idempotent for the same *password*: with salted hashes the caller checks the password
   * against the stored hash first and skips the call when it matches.
   */
  createUser(name: string, hash: string, admin: boolean): Promise<void>;
  dropUser(name: string): Promise<void>;
  setUserPassword(name: string, hash: string): Promise<void>;
  setAdminPrivilege(name: string, admin: boolean): Promise<void>;
  /** Records the user's privilege on db (REVOKE = the remaining privilege, or 'NO PRIVILEGES'); user checked before db. */
  setPrivilege(name: string, db: string, privilege: Privilege): Promise<void>;

  addNode(address: string, httpAddress?: string): Promise<NodeInfo>;
  /** InfluxDB's DeleteNode rules (reference §5.6): owners are dropped, nothing is re-replicated. */
  removeNode(id: number, force: boolean): Promise<void>;

  /** Linearizable barrier: resolves once this node has applied everything committed before the call. */
  sync(): Promise<void>;
  /** Called with each newly applied snapshot; returns an unsubscribe function. */
  onChange(listener: MetaChangeListener): () => void;
}

export const MetaStore = createToken<MetaStore>('tessera.core.MetaStore');

/** What a MetaStore implementation can do; read by callers and the conformance suite. */
export interface MetaStoreSupports {
  /** State survives a restart (same node dir). */
  readonly persistent: boolean;
  /** More than one member. */
  readonly replicated: boolean;
}
