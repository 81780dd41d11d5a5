import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConsistency } from '../cluster/consistency.js';
import type { PointsWriter } from '../cluster/points-writer.js';
import { hasCode } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  combineDrops, ParseCache, type ParseResult, parseLines, type Precision, parsePrecision, type WriteDrop, writeErrorMessage,
} from '../model/line-protocol.js';
import { type AuthResult, authorizeWrite, sendAuthError } from './auth.js';
import { BodyBuffers, BodyTooLargeError, readPooledBody } from './body.js';
import { sendError } from './respond.js';

export interface WriteHandlerDeps {
  readonly writer: Pick<PointsWriter, 'writePoints'>;
  readonly meta: { database(name: string): unknown };
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /**
   * Set when authentication is on: resolves the request's user (or a 401 text). /write then answers 401,
   * or 403 when the user may not write to the database, as InfluxDB 1.6.7 (after the 404 check).
   */
  readonly authenticate?: (req: IncomingMessage, url: URL) => AuthResult;
  /** Parser memo shared by this node's writes. */
  readonly parseCache?: ParseCache;
  /** The clock (ns); injectable for tests. */
  readonly nowNs?: () => bigint;
}

const defaultNow = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** Body buffers of this thread's /write requests (a body is dead once parsed). */
const bodyBuffers = new BodyBuffers();

/**
 * POST /write as InfluxDB 1.6.7 answers it: 204 on success; 400 `database is required`, 404
 * `database not found: "x"`, 500 `retention policy not found: x`, 400 `invalid consistency level`,
 * 413 for an oversized body, and 400 with the parse errors (valid lines of the batch are still written).
 */
export async function handleWrite(req: IncomingMessage, res: ServerResponse, url: URL, deps: WriteHandlerDeps): Promise<void> {
  let auth: AuthResult | undefined;
  if (deps.authenticate) {
    auth = deps.authenticate(req, url);
    if (!auth.ok) return sendAuthError(res, auth.error);
  }
  const params = url.searchParams;
  const db = params.get('db') ?? '';
  if (db === '') return sendError(res, 400, 'database is required');
  if (!deps.meta.database(db)) return sendError(res, 404, `database not found: "${db}"`);
  if (auth?.ok) {
    const refused = authorizeWrite(auth.user, db);
    if (refused !== undefined) return sendError(res, 403, refused);
  }
  const consistency = parseConsistency(params.get('consistency'));
  if (consistency === undefined) return sendError(res, 400, 'invalid consistency level');
  const precision = parsePrecision(params.get('precision'));
  const rp = params.get('rp') ?? '';

  const read = await readAndParse(req, deps, precision);
  if ('status' in read) return sendError(res, read.status, read.message);
  const { parsed, now } = read;
  const parsedPoints = parsed.points.length + parsed.rejected;
  let writeDrop: WriteDrop | undefined;
  if (parsed.points.length > 0) {
    // this frame must not hold the points while the write waits for durability: they die young
    const writing = deps.writer.writePoints(db, rp, consistency, parsed.points, now);
    parsed.points = [];
    try {
      const r = await writing;
      writeDrop = r.drop;
    } catch (err) {
      if (hasCode(err, 'ERR_META_DATABASE_NOT_FOUND')) return sendError(res, 404, (err as Error).message);
      if (hasCode(err, 'ERR_META_RP_NOT_FOUND')) return sendError(res, 500, (err as Error).message);
      deps.logger.error({ err, db }, 'write failed');
      return sendError(res, 500, (err as Error).message);
    }
  }
  const parserDrop = parsed.rejected > 0 ? { reason: parsed.rejectedReason, dropped: parsed.rejected } : undefined;
  const message = writeErrorMessage({
    parseErrors: parsed.errors,
    parsedPoints,
    drop: combineDrops(parserDrop, writeDrop),
  });
  if (message !== undefined) return sendError(res, 400, message);
  res.writeHead(204);
  res.end();
}

/**
 * Reads and parses the body; the body buffer stays in this call's frame only, so it is not held while the
 * points are written.
 */
async function readAndParse(
  req: IncomingMessage,
  deps: WriteHandlerDeps,
  precision: Precision,
): Promise<{ parsed: ParseResult; now: bigint } | { status: number; message: string }> {
  let read;
  try {
    read = await readPooledBody(req, deps.maxBodyBytes, bodyBuffers);
  } catch (err) {
    return { status: err instanceof BodyTooLargeError ? 413 : 400, message: (err as Error).message };
  }
  const now = (deps.nowNs ?? defaultNow)();
  try {
    // the points hold copies (strings, numbers): the body buffer is free again afterwards
    const parsed = parseLines(read.body, deps.parseCache ? { precision, nowNs: now, cache: deps.parseCache } : { precision, nowNs: now });
    return { parsed, now };
  } finally {
    read.release();
  }
}
