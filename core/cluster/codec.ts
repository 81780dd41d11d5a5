import type { MapChunk, MapRequest } from '../contracts/mapper.js';
import { type ErrorCode, ErrorCodes, TesseraError } from '../errors.js';
import type { Point } from '../model/point.js';
import { decodePointBatch, encodePointBatch, type PointBatchRecord } from './codec-points.js';
import { decodeValue, encodeValue } from './codec-values.js';
import { encodeFrame, type Frame } from './framing.js';
import { isMessageType, MessageType, messageTypes } from './schema.js';

/** Write points to one shard on the receiving node. */
export interface WriteShardRequest {
  readonly shardId: number;
  readonly points: readonly Point[];
}

/** Outcome fields every response carries: code 0 = success; otherwise message and a TesseraError code when known. */
export interface ClusterResult {
  readonly code: number;
  readonly message: string;
  readonly errorCode: ErrorCode | null;
}

/**
 * Exactly one per WriteShardRequest. A write that stored some points and dropped others (field type
 * conflicts) is a success (code 0) with `dropped` > 0 and the reason in `message`.
 */
export interface WriteShardResponse extends ClusterResult {
  readonly dropped?: number;
}

/** Run a map request against one shard; the answer is a stream of MapShardResponse, the last without chunk. */
export interface MapShardRequest {
  readonly shardId: number;
  readonly request: MapRequest;
  readonly chunkSize: number;
}

/** One response of a map stream; the first carries tagSets and fields, the last has chunk = null. */
export interface MapShardResponse extends ClusterResult {
  readonly tagSets: readonly string[];
  readonly fields: readonly string[];
  readonly chunk: MapChunk | null;
}

/** A decoded cluster message, tagged by its frame type. */
export type ClusterMessage =
  | { readonly type: typeof MessageType.WRITE_SHARD_REQUEST; readonly body: WriteShardRequest }
  | { readonly type: typeof MessageType.WRITE_SHARD_RESPONSE; readonly body: WriteShardResponse }
  | { readonly type: typeof MessageType.MAP_SHARD_REQUEST; readonly body: MapShardRequest }
  | { readonly type: typeof MessageType.MAP_SHARD_RESPONSE; readonly body: MapShardResponse };

/** A success result (code 0). */
export const OK: ClusterResult = Object.freeze({ code: 0, message: '', errorCode: null });

/** The result for a failure: code 1 (as InfluxDB), the error's message, and its code when it is a TesseraError. */
export function errorResult(err: unknown): ClusterResult {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof TesseraError ? err.code : null;
  return { code: 1, message, errorCode: code };
}

/** The error a non-zero result stands for: a TesseraError with the remote code (ERR_CLUSTER_REMOTE if unknown). */
export function resultError(result: ClusterResult): TesseraError {
  const code = result.errorCode && result.errorCode in ErrorCodes ? result.errorCode : 'ERR_CLUSTER_REMOTE';
  return new TesseraError(code, result.message, { details: { remoteCode: result.code } });
}

/** Encodes a write-shard request as a complete frame. */
export function encodeWriteShardRequest(req: WriteShardRequest): Buffer {
  const body = messageTypes[MessageType.WRITE_SHARD_REQUEST].toBuffer({ shardId: req.shardId, points: encodePointBatch(req.points) });
  return encodeFrame(MessageType.WRITE_SHARD_REQUEST, body);
}

/** Encodes a write-shard response as a complete frame. */
export function encodeWriteShardResponse(res: WriteShardResponse): Buffer {
  const body = messageTypes[MessageType.WRITE_SHARD_RESPONSE].toBuffer({
    code: res.code,
    message: res.message,
    errorCode: res.errorCode,
    dropped: res.dropped ?? 0,
  });
  return encodeFrame(MessageType.WRITE_SHARD_RESPONSE, body);
}

/** Encodes a map-shard request as a complete frame. */
export function encodeMapShardRequest(req: MapShardRequest): Buffer {
  const body = messageTypes[MessageType.MAP_SHARD_REQUEST].toBuffer({
    shardId: req.shardId,
    request: encodeValue(req.request),
    chunkSize: req.chunkSize,
  });
  return encodeFrame(MessageType.MAP_SHARD_REQUEST, body);
}

/** Encodes one map-shard response as a complete frame. */
export function encodeMapShardResponse(res: MapShardResponse): Buffer {
  const body = messageTypes[MessageType.MAP_SHARD_RESPONSE].toBuffer({
    code: res.code,
    message: res.message,
    errorCode: res.errorCode,
    tagSets: res.tagSets,
    fields: res.fields,
    chunk: res.chunk === null ? null : encodeValue(res.chunk),
  });
  return encodeFrame(MessageType.MAP_SHARD_RESPONSE, body);
}

/**
 * Decodes a frame's body by its type. Unknown type, truncated or trailing bytes, or an inconsistent
 * point batch: ERR_CLUSTER_FRAME_INVALID (never another exception).
 */
export function decodeMessage(frame: Frame): ClusterMessage {
  const { type, body } = frame;
  if (!isMessageType(type))
    throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', `cluster service message type not found: ${type}`, { details: { reason: 'type' } });
  let value: Record<string, unknown>;
  try {
    const decoded = messageTypes[type].decode(body, 0);
    if (decoded.offset !== body.length) throw new Error(decoded.offset < 0 ? 'truncated body' : 'trailing bytes');
    value = decoded.value as Record<string, unknown>;
  } catch (err) {
    throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', `invalid message body (type ${type}): ${(err as Error).message}`, {
      cause: err,
      details: { reason: 'body' },
    });
  }
  switch (type) {
    case MessageType.WRITE_SHARD_REQUEST:
      return { type, body: { shardId: value.shardId as number, points: decodePointBatch(value.points as PointBatchRecord) } };
    case MessageType.WRITE_SHARD_RESPONSE:
      {
      // `dropped` only when non-zero, so a plain success decodes equal to OK.
      const dropped = value.dropped as number;
      return { type, body: dropped > 0 ? { ...result(value), dropped } : result(value) };
    }
    case MessageType.MAP_SHARD_REQUEST:
      return {
        type,
        body: { shardId: value.shardId as number, request: decodeValue(value.request as Buffer) as MapRequest, chunkSize: value.chunkSize as number },
      };
    case MessageType.MAP_SHARD_RESPONSE:
      return {
        type,
        body: {
          ...result(value),
          tagSets: value.tagSets as string[],
          fields: value.fields as string[],
          chunk: value.chunk === null ? null : (decodeValue(value.chunk as Buffer) as MapChunk),
        },
      };
  }
}

function result(value: Record<string, unknown>): ClusterResult {
  const errorCode = value.errorCode as string | null;
  return {
    code: value.code as number,
    message: value.message as string,
    errorCode: errorCode !== null && errorCode in ErrorCodes ? (errorCode as ErrorCode) : null,
  };
}
