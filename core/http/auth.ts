import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetaStore, UserInfo } from '../contracts/meta-store.js';
import { authorizeDatabase } from '../query/authorize.js';
import { verifyPassword } from '../query/ddl/password.js';
import { goJsonString } from '../query/go-format.js';
import { parseGoQuery } from './go-form.js';

/** Outcome of authenticate: the user (undefined = none required yet), or a 401 with InfluxDB's text. */
export type AuthResult = { readonly ok: true; readonly user: UserInfo | undefined } | { readonly ok: false; readonly error: string };

/** Options of authenticate. */
export interface AuthOptions {
  /** `[http] shared-secret` for JWT bearer tokens ('' = bearer auth off). */
  readonly sharedSecret?: string;
  /** Clock for token expiry, seconds since the epoch (default: now). */
  readonly nowSeconds?: () => number;
}

type Credentials = { method: 'user'; username: string; password: string } | { method: 'bearer'; token: string };

/** InfluxDB's parseCredentials: `u`/`p` URL parameters first, then `Bearer`, then Basic. */
function parseCredentials(req: IncomingMessage, url: URL): Credentials | undefined {
  const q = parseGoQuery(url.search.slice(1));
  if (q.get('u') !== '' && q.get('p') !== '') return { method: 'user', username: q.get('u'), password: q.get('p') };
  const header = req.headers.authorization ?? '';
  if (header === '') return undefined;
  const parts = header.split(' ');
  if (parts.length === 2 && parts[0] === 'Bearer') return { method: 'bearer', token: parts[1]! };
  const m = /^basic\s+(\S+)$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { method: 'user', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function base64url(b: Buffer): string {
  return b.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A JWT signed with HS256/384/512 and the shared secret; its claims, or the reason it is refused. */
function verifyJwt(token: string, secret: string): { claims: Record<string, unknown> } | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'token contains an invalid number of segments' };
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { error: 'invalid character in token' };
  }
  const algs: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
  const alg = typeof header.alg === 'string' && Object.hasOwn(algs, header.alg) ? algs[header.alg]! : undefined;
  if (alg === undefined) return { error: `unexpected signing method: ${String(header.alg)}` };
  const expected = Buffer.from(base64url(createHmac(alg, secret).update(`${parts[0]}.${parts[1]}`).digest()));
  const actual = Buffer.from(parts[2]!);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { error: 'signature is invalid' };
  return { claims };
}

/**
 * InfluxDB 1.6.7's authentication for an auth-enabled node (call it for /query and /write): until an
 * admin user exists nobody needs credentials (the query authorizer then only allows creating the first
 * admin); after that `u`/`p`, Basic or (with a shared secret) a JWT bearer token must name a user.
 * Failures carry InfluxDB's texts; answer them with sendAuthError (401 + WWW-Authenticate).
 */
export function authenticate(req: IncomingMessage, url: URL, meta: Pick<MetaStore, 'data'>, options: AuthOptions = {}): AuthResult {
  const users = meta.data().users;
  if (!users.some((u) => u.admin)) return { ok: true, user: undefined };
  const creds = parseCredentials(req, url);
  if (creds === undefined) return { ok: false, error: 'unable to parse authentication credentials' };
  if (creds.method === 'user') {
    if (creds.username === '') return { ok: false, error: 'username required' };
    const user = users.find((u) => u.name === creds.username);
    if (user === undefined || !verifyPassword(creds.password, user.hash)) return { ok: false, error: 'authorization failed' };
    return { ok: true, user };
  }
  const secret = options.sharedSecret ?? '';
  // The misspelling is InfluxDB 1.6.7's own.
  if (secret === '') return { ok: false, error: 'bearer auth disabld' };
  const verified = verifyJwt(creds.token, secret);
  if ('error' in verified) return { ok: false, error: verified.error };
  const exp = verified.claims['exp'];
  if (typeof exp !== 'number' || exp <= 0) return { ok: false, error: 'token expiration required' };
  if (exp < (options.nowSeconds?.() ?? Date.now() / 1000)) return { ok: false, error: 'Token is expired' };
  const username = verified.claims['username'];
  if (typeof username !== 'string') return { ok: false, error: 'username in token must be a string' };
  if (username === '') return { ok: false, error: 'token must contain a username' };
  const user = users.find((u) => u.name === username);
  if (user === undefined) return { ok: false, error: 'user not found' };
  return { ok: true, user };
}

/** The 401 InfluxDB answers for an authentication failure (JSON error, WWW-Authenticate, no X-Influxdb-Error). */
export function sendAuthError(res: ServerResponse, error: string): void {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('WWW-Authenticate', 'Basic realm="InfluxDB"');
  res.writeHead(401);
  res.end(`{"error":${goJsonString(error)}}\n`);
}

/**
 * /write authorization with authentication on: undefined when `user` may write to `db`, else the 403
 * text InfluxDB 1.6.7 answers. 1.6.7 checks it after authentication and after `database not found`
 * (404), before parsing the body.
 */
export function authorizeWrite(user: UserInfo | undefined, db: string): string | undefined {
  if (user === undefined) return `user is required to write to database ${JSON.stringify(db)}`;
  if (authorizeDatabase(user, 'WRITE', db)) return undefined;
  return `${JSON.stringify(user.name)} user is not authorized to write to database ${JSON.stringify(db)}`;
}
