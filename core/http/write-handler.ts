import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConsistency } from '../cluster/consistency.js';
import type { PointsWriter } from '../cluster/points-writer.js';
import { hasCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { combineDrops, ParseCache, parseLines, parsePrecision, type WriteDrop, writeErrorMessage } from '../model/line-protocol.js';
import { type AuthResult, authorizeWrite, sendAuthError } from './auth.js';
import { BodyTooLargeError, readBody } from './body.js';
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

  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return sendError(res, 413, err.message);
    return sendError(res, 400, (err as Error).message);
  }
  const now = (deps.nowNs ?? defaultNow)();
  const parsed = parseLines(body, deps.parseCache ? { precision, nowNs: now, cache: deps.parseCache } : { precision, nowNs: now });
  let writeDrop: WriteDrop | undefined;
  if (parsed.points.length > 0) {
    try {
      const r = await deps.writer.writePoints(db, rp, consistency, parsed.points, now);
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
    parsedPoints: parsed.points.length + parsed.rejected,
    drop: combineDrops(parserDrop, writeDrop),
  });
  if (message !== undefined) return sendError(res, 400, message);
  res.writeHead(204);
  res.end();
}
