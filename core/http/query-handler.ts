import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip, type Gzip } from 'node:zlib';
import type { UserInfo } from '../contracts/meta-store.js';
import { hasCode } from '../errors.js';
import type { ExecuteOptions, QueryExecutor } from '../query/executor.js';
import { CsvFormatter } from '../query/format-csv.js';
import { formatJson, formatJsonParts, type QueryResponse } from '../query/format-json.js';
import { mergeResult } from '../query/format-merge.js';
import { formatMsgpack } from '../query/format-msgpack.js';
import type { StatementResult } from '../query/result.js';
import { FormValues, parseGoQuery, parseMultipart } from './go-form.js';
import { ParamsError, parseBindParams } from './query-params.js';

/** Rows per chunk when the request does not set chunk_size (InfluxDB's DefaultChunkSize). */
export const DEFAULT_CHUNK_SIZE = 10000;
const MAX_FORM_BYTES = 32 << 20;

/** Renders responses in the format the request's Accept header picks (exact match, as 1.6.7). */
interface ResponseFormatter {
  readonly contentType: string;
  write(resp: QueryResponse): string | Buffer;
  /** The same bytes in parts (large answers are written without one giant string). */
  parts(resp: QueryResponse): Iterable<string | Buffer>;
}

function pickFormatter(req: IncomingMessage, url: URL, epoch: string): ResponseFormatter {
  const accept = req.headers.accept ?? '';
  if (accept === 'application/csv' || accept === 'text/csv') {
    const csv = new CsvFormatter(epoch);
    return { contentType: 'text/csv', write: (r) => csv.write(r), parts: (r) => [csv.write(r)] };
  }
  if (accept === 'application/x-msgpack') {
    return { contentType: 'application/x-msgpack', write: (r) => formatMsgpack(r, epoch), parts: (r) => [formatMsgpack(r, epoch)] };
  }
  // pretty is read from the URL only (InfluxDB reads r.URL.Query(), not the form).
  const pretty = parseGoQuery(url.search.slice(1)).get('pretty') === 'true';
  return {
    contentType: 'application/json',
    write: (r) => formatJson(r, { epoch, pretty }),
    parts: (r) => formatJsonParts(r, { epoch, pretty }),
  };
}

/** A header value as Go writes it: UTF-8 bytes, CR/LF as spaces, cut at `max` bytes. */
function headerText(msg: string, max: number): string {
  const bytes = Buffer.from(msg, 'utf8').subarray(0, max);
  return bytes.toString('latin1').replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_FORM_BYTES) break;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Form values (body first for urlencoded, URL first for multipart, as Go's ParseForm) and the `q` file. */
async function readForm(req: IncomingMessage, url: URL): Promise<{ form: FormValues; qFile?: string }> {
  const urlValues = parseGoQuery(url.search.slice(1));
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return { form: urlValues };
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    const body = await readBody(req);
    const form = parseGoQuery(body.toString('utf8'));
    form.addAll(urlValues);
    return { form };
  }
  if (ct.startsWith('multipart/form-data')) {
    const body = await readBody(req);
    const parsed = parseMultipart(body, req.headers['content-type'] ?? '');
    if (parsed === undefined) return { form: urlValues };
    urlValues.addAll(parsed.values);
    const file = parsed.files.get('q')?.[0];
    return file === undefined ? { form: urlValues } : { form: urlValues, qFile: file.content.toString('utf8') };
  }
  return { form: urlValues };
}

/** Answers up to this size are written at once with a Content-Length. */
const WHOLE_LIMIT = 1 << 20;
/** Default of QueryHandlerOptions.headFlushMs. */
const HEAD_FLUSH_MS = 50;

class Output {
  private readonly gzip: Gzip | undefined;
  /** Settles when the connection closes (normally after the end, or early when the client leaves). */
  private readonly gone: Promise<void>;
  private headTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly formatter: ResponseFormatter,
  ) {
    this.gone = new Promise((resolve) => res.once('close', () => resolve()));
    const ae = req.headers['accept-encoding'];
    this.gzip = typeof ae === 'string' && ae.includes('gzip') ? createGzip() : undefined;
  }

  head(status: number, extra: Record<string, string> = {}): void {
    this.res.setHeader('Content-Type', this.formatter.contentType);
    for (const [k, v] of Object.entries(extra)) this.res.setHeader(k, v);
    if (this.gzip !== undefined) {
      this.res.setHeader('Content-Encoding', 'gzip');
      this.gzip.pipe(this.res);
    }
    this.res.writeHead(status);
    this.res.flushHeaders();
  }

  /** Resolves on `event` of the response, or at once / on close when the client has gone away. */
  private settle(event: 'drain' | 'finish'): Promise<void> {
    return new Promise((resolve) => {
      if (this.res.destroyed) return resolve();
      const done = (): void => {
        this.res.off(event, done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once(event, done);
      this.res.once('close', done);
    });
  }

  /** Writes and flushes one piece (a chunk reaches the client as soon as it is produced). */
  async write(text: string | Buffer): Promise<void> {
    if (text.length === 0 || this.res.destroyed) return;
    if (this.gzip !== undefined) {
      const gz = this.gzip;
      gz.write(text);
      // A flush can wait on a client that stopped reading: give up when the connection closes.
      await Promise.race([new Promise<void>((resolve) => gz.flush(() => resolve())), this.gone]);
      if (this.res.writableNeedDrain) await this.settle('drain');
    } else if (!this.res.write(text)) await this.settle('drain');
  }

  /**
   * Sends the headers after `ms` unless the answer is written first: InfluxDB flushes them at once so a
   * client knows a long query was accepted; a quick answer instead goes out in one write (see whole).
   */
  headSoon(status: number, ms: number): void {
    if (ms <= 0) return this.head(status);
    this.headTimer = setTimeout(() => {
      this.headTimer = undefined;
      if (!this.res.headersSent && !this.res.destroyed) this.head(status);
    }, ms);
    this.headTimer.unref();
  }

  private cancelHeadSoon(): void {
    if (this.headTimer !== undefined) clearTimeout(this.headTimer);
    this.headTimer = undefined;
  }

  /**
   * Writes a whole (non-chunked) answer: up to WHOLE_LIMIT bytes go out in one write with the headers
   * and a Content-Length (one syscall, one packet for a small answer); a larger one, or one whose
   * headers already went out, streams.
   */
  async whole(status: number, parts: Iterable<string | Buffer>): Promise<void> {
    this.cancelHeadSoon();
    if (this.gzip !== undefined || this.res.headersSent) {
      if (!this.res.headersSent) this.head(status);
      for (const part of parts) await this.write(part);
      return this.end();
    }
    // Strings stay strings: the socket encodes them as it writes (a Buffer.from copy per answer cost a
    // new 8 KiB pool slab every other query, and the external-memory GCs that come with them).
    const held: Array<string | Buffer> = [];
    let total = 0;
    let allStrings = true;
    let streaming = false;
    for (const part of parts) {
      if (streaming) {
        await this.write(part);
        continue;
      }
      held.push(part);
      if (typeof part === 'string') total += Buffer.byteLength(part, 'utf8');
      else {
        total += part.length;
        allStrings = false;
      }
      if (total > WHOLE_LIMIT) {
        streaming = true;
        this.head(status);
        for (const h of held) await this.write(h);
        held.length = 0;
      }
    }
    if (streaming) return this.end();
    if (this.res.destroyed) return;
    this.res.setHeader('Content-Type', this.formatter.contentType);
    this.res.setHeader('Content-Length', total);
    this.res.writeHead(status);
    const finished = this.settle('finish');
    let body: string | Buffer;
    if (held.length === 1) body = held[0]!;
    else if (allStrings) body = (held as string[]).join('');
    else body = Buffer.concat(held.map((h) => (typeof h === 'string' ? Buffer.from(h, 'utf8') : h)), total);
    this.res.end(body);
    return finished;
  }

  end(): Promise<void> {
    this.cancelHeadSoon();
    if (this.res.writableFinished || this.res.destroyed) return Promise.resolve();
    const finished = this.settle('finish');
    if (this.gzip !== undefined) this.gzip.end();
    else this.res.end();
    return finished;
  }

  async error(status: number, message: string): Promise<void> {
    this.head(status, { 'X-Influxdb-Error': headerText(message, 1024) });
    await this.write(this.formatter.write({ error: message }));
    await this.end();
  }
}

/** Per-request options of handleQuery. */
export interface QueryHandlerOptions {
  /**
   * Set when authentication is on, with the user the server authenticated (undefined = none given):
   * the query is authorized as InfluxDB 1.6.7 does, a refusal is 403 `error authorizing query: ...`.
   */
  auth?: { user: UserInfo | undefined };
  /**
   * A non-chunked query still running after this many ms gets its 200 and headers sent (default 50;
   * 0 = at once, as InfluxDB does). A query done sooner is answered in one write with a Content-Length.
   */
  headFlushMs?: number;
}

/**
 * Serves InfluxDB 1.x's `/query` (GET and POST): `q` from the URL, a urlencoded form body or a
 * multipart file, `db`, `rp`, `epoch`, `pretty`, `chunked`, `chunk_size`, `params`, `async`; JSON,
 * CSV or MessagePack (`Accept`), gzip when accepted. Parse and parameter errors are HTTP 400 with the error JSON and
 * `X-Influxdb-Error`; statement errors are 200 with `results[i].error`, as InfluxDB 1.6.7 answers.
 * The router adds X-Influxdb-Version/Build and handles CORS and other methods.
 */
export async function handleQuery(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  executor: Pick<QueryExecutor, 'execute'>,
  options: QueryHandlerOptions = {},
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.setHeader('Allow', 'OPTIONS, GET, POST');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.writeHead(405);
    res.end('Method Not Allowed\n');
    return;
  }
  const { form, qFile } = await readForm(req, url);
  const epoch = form.get('epoch').trim();
  const out = new Output(req, res, pickFormatter(req, url, epoch));

  let text = form.get('q').trim();
  if (text === '' && qFile !== undefined) text = qFile;
  if (text === '') return out.error(400, 'missing required parameter "q"');

  let params: Record<string, unknown> | undefined;
  const rawParams = form.get('params');
  if (rawParams !== '') {
    try {
      params = parseBindParams(rawParams);
    } catch (err) {
      if (err instanceof ParamsError) return out.error(400, err.message);
      throw err;
    }
  }

  const chunked = form.get('chunked') === 'true';
  let chunkSize = DEFAULT_CHUNK_SIZE;
  if (chunked) {
    const n = /^[+-]?\d+$/.test(form.get('chunk_size')) ? Number(form.get('chunk_size')) : NaN;
    if (Number.isSafeInteger(n) && n > 0) chunkSize = n;
  }
  // set when the client goes away (a plain flag: an AbortController costs ~6 µs per request)
  const abort = { aborted: false };
  const execOptions: ExecuteOptions = {
    db: form.get('db'),
    rp: form.get('rp'),
    readOnly: req.method === 'GET',
    chunkSize,
    signal: abort,
  };
  if (params !== undefined) execOptions.params = params;
  if (options.auth !== undefined) execOptions.auth = options.auth;

  let results: AsyncIterable<StatementResult>;
  try {
    results = executor.execute(text, execOptions);
  } catch (err) {
    if (hasCode(err, 'ERR_QUERY_PARSE')) return out.error(400, err.message);
    if (hasCode(err, 'ERR_QUERY_UNAUTHORIZED')) return out.error(403, err.message);
    throw err;
  }

  if (form.get('async') === 'true') {
    void (async () => {
      for await (const _ of results) {
        // drained in the background, as InfluxDB's async mode
      }
    })().catch(() => undefined);
    res.writeHead(204);
    res.end();
    return;
  }

  const onClose = (): void => {
    abort.aborted = true;
  };
  res.once('close', onClose);
  if (chunked) out.head(200);
  else out.headSoon(200, options.headFlushMs ?? HEAD_FLUSH_MS);
  const buffered: StatementResult[] = [];
  try {
    for await (const r of results) {
      if (abort.aborted) break; // the client went away: stop the query, write nothing more
      if (chunked) await out.write(out.formatter.write({ results: [r] }));
      else mergeResult(buffered, r);
    }
  } catch (err) {
    // The executor reports statement failures as results; anything else still ends the body as JSON.
    const r: StatementResult = { statement_id: buffered.length, error: (err as Error).message };
    if (chunked) await out.write(out.formatter.write({ results: [r] }));
    else mergeResult(buffered, r);
  }
  res.off('close', onClose);
  if (!chunked && !abort.aborted) return out.whole(200, out.formatter.parts({ results: buffered }));
  await out.end();
}
