/**
 * The map side of a query. A MapRequest is a plain, serializable value (it travels to other nodes
 * unchanged over the cluster port); a Mapper runs it against one shard and streams chunks of partial
 * results that the reducer merges.
 *
 * The shapes of MapRequest and MapChunk are owned by the query engine: SelectMapRequest and
 * SelectMapChunk in core/query/select/map-request.ts (JSON-able with `encodeWire`/`decodeWire`, bigints
 * included). Storage plugins do not interpret them: they hand their ShardReader to core's
 * `createLocalMapper` (exported by core/index.ts), or override with their own pushdown.
 */
export interface MapRequest {
  /** Version of this shape; a mapper refuses a request of another version. */
  readonly version: number;
  /** Opaque to storage: the query engine's description of what to compute. */
  readonly [key: string]: unknown;
}

/** One chunk of partial results. Opaque to storage and transport; serializable. */
export interface MapChunk {
  readonly [key: string]: unknown;
}

export interface Mapper {
  open(): Promise<void>;
  /** Tag sets (group-by keys) this mapper will emit, after open(). */
  tagSets(): string[];
  /** Field names this mapper will emit, after open(). */
  fields(): string[];
  /** The next chunk, or null when done. */
  nextChunk(): Promise<MapChunk | null>;
  close(): Promise<void>;
}
