import type { MetaStore, UserInfo } from '../contracts/meta-store.js';
import { authorizeQuery } from './authorize.js';
import type { TSDBStore } from '../contracts/tsdb-store.js';
import { TesseraError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Point } from '../model/point.js';
import type { SelectStatement, Statement } from './ast.js';
import { statementError, type StatementContext } from './context.js';
import { deleteSeries, dropMeasurement } from './ddl/delete-statements.js';
import { executeMetaStatement } from './ddl/meta-statements.js';
import { single, type Piece } from './emit.js';
import { normalizeSelect } from './normalize.js';
import { parseQuery } from './parser.js';
import { printStatement } from './printer.js';
import type { Series, StatementResult, Value } from './result.js';
import { sameSeries } from './format-merge.js';
import { executeSelect, type ShardMapperLike } from './select/index.js';
import { showCardinality } from './show/show-cardinality.js';
import { showFieldKeys, showMeasurements, showSeries, showTagKeys, showTagValues } from './show/show-data.js';
import { goDuration } from './go-format.js';

/** What the executor runs against. */
export interface QueryExecutorDeps {
  meta: MetaStore;
  tsdb: TSDBStore;
  shardMapper: ShardMapperLike;
  logger: Logger;
  /** Writes points for SELECT ... INTO (the cluster's PointsWriter). */
  writePoints?: (db: string, rp: string, points: readonly Point[]) => Promise<void>;
}

/** Options of one /query request. */
export interface ExecuteOptions {
  /** `db` parameter ('' = none). */
  db: string;
  /** `rp` parameter ('' = the database's default). */
  rp: string;
  /** Bind parameters (`params`). */
  params?: Record<string, unknown>;
  /** now() for the whole query (default: the clock when execute is called). */
  nowNs?: bigint;
  /** True for GET: write statements still run but get InfluxDB's deprecation warning. */
  readOnly: boolean;
  /** Rows per emitted piece (default 10000, InfluxDB's DefaultChunkSize). */
  chunkSize?: number;
  /** Aborts the remaining statements (client went away) once `aborted` turns true; an AbortSignal will do. */
  signal?: { readonly aborted: boolean };
  /**
   * Set when authentication is on: the authenticated user (undefined = no credentials). The query is
   * then authorized as InfluxDB 1.6.7 does (execute throws ERR_QUERY_UNAUTHORIZED, an HTTP 403) and
   * SHOW DATABASES lists only the databases the user may read or write.
   */
  auth?: { user: UserInfo | undefined };
}

/** Statements that change state: with GET they carry the `deprecated use of ...` warning (DELETE does not, as in 1.6.7). */
const WRITE_STATEMENTS = new Set<Statement['kind']>([
  'AlterRetentionPolicyStatement',
  'CreateContinuousQueryStatement',
  'CreateDatabaseStatement',
  'CreateRetentionPolicyStatement',
  'CreateSubscriptionStatement',
  'CreateUserStatement',
  'DropContinuousQueryStatement',
  'DropDatabaseStatement',
  'DropMeasurementStatement',
  'DropSeriesStatement',
  'DropRetentionPolicyStatement',
  'DropShardStatement',
  'DropSubscriptionStatement',
  'DropUserStatement',
  'GrantStatement',
  'GrantAdminStatement',
  'RevokeStatement',
  'RevokeAdminStatement',
  'SetPasswordUserStatement',
]);

const SYSTEM_SOURCES: Record<string, string> = {
  _fieldKeys: 'SHOW FIELD KEYS',
  _measurements: 'SHOW MEASUREMENTS',
  _series: 'SHOW SERIES',
  _tagKeys: 'SHOW TAG KEYS',
  _tags: 'SHOW TAG VALUES',
};

interface RunningQuery {
  readonly id: number;
  readonly text: string;
  readonly db: string;
  readonly startNs: bigint;
  killed: boolean;
}

function readOnlyWarning(statement: string): string {
  return `deprecated use of '${statement}' in a read only context, please use a POST request instead`;
}

function withPartial(s: Series, partial: boolean): Series {
  const out: Series = { ...s };
  if (partial) out.partial = true;
  else delete out.partial;
  return out;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Runs InfluxQL queries the way InfluxDB 1.6.7's query executor does: statements in order, meta
 * statements through the MetaStore, SHOW/DELETE statements over this node's shards, SELECT through
 * executeSelect. Results stream as StatementResults (several per statement when a SELECT is chunked,
 * `partial` on all but the last); the handler merges them for non-chunked responses.
 */
/** How long a query waits for a linearizable meta read before answering from local meta. */
export const META_SYNC_WAIT_MS = 1000;

export class QueryExecutor {
  private nextQueryId = 1;
  private readonly running = new Map<number, RunningQuery>();

  constructor(private readonly deps: QueryExecutorDeps) {}

  /**
   * Parses `text` at once — throwing TesseraError ERR_QUERY_PARSE (`error parsing query: ...`, an HTTP
   * 400) — and returns the results. After a statement fails, InfluxDB 1.6.7 sends `not executed` for
   * each later statement but under the failed statement's id, so a non-chunked answer shows the failed
   * statement as `not executed` and drops the rest; this reproduces it.
   */
  execute(text: string, options: ExecuteOptions): AsyncIterable<StatementResult> {
    const statements = parseQuery(text, options.params);
    if (options.auth !== undefined) {
      const denied = authorizeQuery(statements, options.auth.user, options.db, this.deps.meta.data().users.length);
      if (denied !== undefined) throw new TesseraError('ERR_QUERY_UNAUTHORIZED', `error authorizing query: ${denied}`);
    }
    return this.run(text, statements, options);
  }

  private async *run(text: string, statements: Statement[], options: ExecuteOptions): AsyncGenerator<StatementResult> {
    const query: RunningQuery = { id: this.nextQueryId++, text, db: options.db, startNs: nowNs(), killed: false };
    this.deps.logger.debug({ qid: query.id, db: options.db, query: text }, 'executing query');
    this.running.set(query.id, query);
    const ctx: StatementContext = {
      meta: this.deps.meta,
      tsdb: this.deps.tsdb,
      logger: this.deps.logger,
      db: options.db,
      rp: options.rp,
      nowNs: options.nowNs ?? nowNs(),
      chunkSize: options.chunkSize !== undefined && options.chunkSize > 0 ? options.chunkSize : 10000,
      readOnly: options.readOnly,
      ...(options.auth?.user !== undefined ? { user: options.auth.user } : {}),
    };
    try {
      // Read what the cluster has committed (shard groups created by another node's write a moment
      // ago): a ReadIndex round when meta is replicated. Without a leader, answer from local meta.
      if (this.deps.meta.supports?.replicated) await this.syncMeta();
      for (let i = 0; i < statements.length; i++) {
        if (options.signal?.aborted === true) return;
        const stmt = statements[i]!;
        try {
          if (query.killed) throw statementError('query killed');
          for await (const piece of this.executeStatement(stmt, ctx)) {
            yield { statement_id: i, ...piece };
            // A statement still streaming (more pieces to come) stops at once when killed.
            if (query.killed && piece.partial === true) throw statementError('query killed');
          }
        } catch (err) {
          if (!(err instanceof TesseraError)) this.deps.logger.error({ err, statement: i }, 'statement failed');
          yield { statement_id: i, error: (err as Error).message };
          for (let j = i; j < statements.length - 1; j++) yield { statement_id: i, error: 'not executed' };
          return;
        }
      }
    } finally {
      this.running.delete(query.id);
    }
  }

  /**
   * A ReadIndex round, bounded: with no quorum (a partition, most members down) the query answers from
   * this node's meta after META_SYNC_WAIT_MS instead of waiting for a leader.
   */
  private async syncMeta(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), META_SYNC_WAIT_MS)));
    try {
      const r = await Promise.race([this.deps.meta.sync().then(() => 'ok' as const), timeout]);
      if (r === 'timeout') this.deps.logger.warn('meta sync before query timed out; answering from local meta');
    } catch (err) {
      this.deps.logger.warn({ err }, 'meta sync before query failed; answering from local meta');
    } finally {
      clearTimeout(timer);
    }
  }

  private async *executeStatement(stmt: Statement, ctx: StatementContext): AsyncGenerator<Piece> {
    if (stmt.kind === 'SelectStatement') {
      yield* this.executeSelectStatement(stmt, ctx);
      return;
    }
    const messages = ctx.readOnly && WRITE_STATEMENTS.has(stmt.kind)
      ? [{ level: 'warning', text: readOnlyWarning(printStatement(this.normalizeForPrint(stmt, ctx))) }]
      : undefined;
    const pieces = await this.executeOther(stmt, ctx);
    for (const [i, p] of pieces.entries()) yield i === 0 && messages !== undefined ? { ...p, messages } : p;
  }

  /** The statement as InfluxDB prints it after normalization (CQ sources qualified). */
  private normalizeForPrint(stmt: Statement, ctx: StatementContext): Statement {
    if (stmt.kind !== 'CreateContinuousQueryStatement') return stmt;
    const db = ctx.db !== '' ? ctx.db : stmt.database;
    return { ...stmt, source: normalizeSelect(stmt.source, db, ctx.rp, this.deps.meta) };
  }

  private async *executeSelectStatement(stmt: SelectStatement, ctx: StatementContext): AsyncGenerator<Piece> {
    for (const src of stmt.sources) {
      if (src.kind !== 'Measurement') continue;
      const command = Object.hasOwn(SYSTEM_SOURCES, src.name) ? SYSTEM_SOURCES[src.name] : undefined;
      if (command !== undefined) throw statementError(`unable to use system source '${src.name}': use ${command} instead`);
      const db = src.database !== '' ? src.database : ctx.db;
      if (src.regex === null && src.name === '') throw statementError('invalid measurement');
      if (db === '') throw statementError('database name required');
      const info = this.deps.meta.database(db);
      if (info === undefined) throw statementError(`database not found: ${db}`);
      // The policy read: the source's, the request's or the default (which may name a dropped policy).
      const rp = src.retentionPolicy !== '' ? src.retentionPolicy : ctx.rp !== '' ? ctx.rp : info.defaultRetentionPolicy;
      if (!info.retentionPolicies.some((p) => p.name === rp)) throw statementError(`retention policy not found: ${rp}`);
    }
    let db = ctx.db;
    if (db === '') {
      const first = stmt.sources.find((s) => s.kind === 'Measurement' && s.database !== '');
      if (first !== undefined && first.kind === 'Measurement') db = first.database;
    }
    const selectCtx = {
      db,
      rp: ctx.rp,
      meta: this.deps.meta,
      shardMapper: this.deps.shardMapper,
      nowNs: ctx.nowNs,
      chunkSize: ctx.chunkSize,
      logger: this.deps.logger,
      ...(this.deps.writePoints !== undefined ? { writePoints: this.deps.writePoints } : {}),
    };
    // Hold one piece back so the last one of the statement goes out without `partial`.
    // A series piece is `partial` exactly when the next piece continues the same series (InfluxDB's
    // emitter), whatever flags the pieces came with; empty pieces are dropped.
    let held: Series | undefined;
    for await (const series of executeSelect(stmt, selectCtx)) {
      if (series.values.length === 0) continue;
      if (held !== undefined) yield { series: [withPartial(held, sameSeries(held, series))], partial: true };
      held = series;
    }
    const last: Piece = held === undefined ? {} : { series: [withPartial(held, false)] };
    if (stmt.target !== null && ctx.readOnly) {
      // SELECT ... INTO over GET: InfluxDB prints the normalized statement in the warning.
      const printed = printStatement(normalizeSelect(stmt, db, ctx.rp, this.deps.meta));
      last.messages = [{ level: 'warning', text: readOnlyWarning(printed) }];
    }
    yield last;
  }

  private async executeOther(stmt: Statement, ctx: StatementContext): Promise<Piece[]> {
    const meta = await executeMetaStatement(stmt, ctx);
    if (meta !== undefined) return meta;
    switch (stmt.kind) {
      case 'ShowMeasurementsStatement':
        return showMeasurements(stmt, ctx);
      case 'ShowSeriesStatement':
        return showSeries(stmt, ctx);
      case 'ShowTagKeysStatement':
        return showTagKeys(stmt, ctx);
      case 'ShowTagValuesStatement':
        return showTagValues(stmt, ctx);
      case 'ShowFieldKeysStatement':
        return showFieldKeys(stmt, ctx);
      case 'ShowMeasurementCardinalityStatement':
      case 'ShowSeriesCardinalityStatement':
      case 'ShowTagKeyCardinalityStatement':
      case 'ShowTagValuesCardinalityStatement':
      case 'ShowFieldKeyCardinalityStatement':
        return showCardinality(stmt, ctx);
      case 'DropSeriesStatement':
      case 'DeleteSeriesStatement':
        return deleteSeries(stmt, ctx);
      case 'DropMeasurementStatement':
        return dropMeasurement(stmt, ctx);
      case 'DropShardStatement':
        return this.dropShard(Number(stmt.id), ctx);
      case 'ShowQueriesStatement':
        return this.showQueries();
      case 'KillQueryStatement': {
        const target = this.running.get(Number(stmt.queryId));
        if (target === undefined || stmt.queryId > BigInt(Number.MAX_SAFE_INTEGER)) throw statementError(`no such query id: ${stmt.queryId}`);
        target.killed = true;
        return [{}];
      }
      case 'ShowSubscriptionsStatement':
      case 'ShowDiagnosticsStatement':
      case 'ShowStatsStatement':
        return [{}];
      default:
        throw statementError(`${stmt.kind.replace(/Statement$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()} is not supported`);
    }
  }

  /**
   * DROP SHARD: an unknown id is not an error (1.6.7). Meta can only delete whole shard groups, so a
   * group whose only shard this is goes from meta; a shard of a larger group is removed from this node only.
   */
  private async dropShard(id: number, ctx: StatementContext): Promise<Piece[]> {
    for (const db of ctx.meta.data().databases) {
      for (const rp of db.retentionPolicies) {
        for (const g of rp.shardGroups) {
          if (g.deletedAt !== undefined || !g.shards.some((sh) => sh.id === id)) continue;
          if (g.shards.length === 1) await ctx.meta.deleteShardGroup(db.name, rp.name, g.id);
        }
      }
    }
    if (ctx.tsdb.shardIds().includes(id)) await ctx.tsdb.deleteShard(id);
    return [{}];
  }

  private showQueries(): Piece[] {
    const now = nowNs();
    const values = [...this.running.values()].map((q): Value[] => [BigInt(q.id), q.text, q.db, goDuration(((now - q.startNs) / 1000n) * 1000n), 'running']);
    return single([{ name: '', columns: ['qid', 'query', 'database', 'duration', 'status'], values }]);
  }
}
