import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Conn } from '../contracts/transport.js';
import { TesseraError } from '../errors.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * The cluster-port handshake, run right after the mux byte on every service, whatever the transport:
 *
 *   client -> server  HELLO   "TSRH" | version u16 | auth u8 | client nonce (32)
 *   server -> client  WELCOME "TSRH" | version u16 | status u8 | server nonce (32) | server proof (32)
 *   client -> server  PROOF   client proof (32)                      (only when auth is on)
 *   server -> client  RESULT  status u8                              (only when auth is on)
 *
 * status: 0 ok, 1 version mismatch, 2 auth mismatch (one side has a secret, the other not), 3 bad proof.
 * Proofs are HMAC-SHA256(secret, role | client nonce | server nonce), so both sides prove they know the
 * secret without sending it, and a recorded exchange cannot be replayed (fresh nonces). Without a secret
 * the proofs are zeros and only the version is checked. Mismatches fail on both sides with
 * ERR_CLUSTER_VERSION_MISMATCH / ERR_CLUSTER_AUTH_FAILED; a peer that stalls: ERR_CLUSTER_TIMEOUT.
 */
export const HANDSHAKE_MAGIC = Buffer.from('TSRH');

const NONCE = 32;
const PROOF = 32;
const HELLO_BYTES = 4 + 2 + 1 + NONCE;
const WELCOME_BYTES = 4 + 2 + 1 + NONCE + PROOF;

const STATUS_OK = 0;
const STATUS_VERSION = 1;
const STATUS_AUTH_MISMATCH = 2;
const STATUS_BAD_PROOF = 3;

/** Settings of both handshake sides. */
export interface HandshakeOptions {
  /** The shared cluster secret; empty/absent = no authentication. */
  readonly secret?: string | Buffer;
  /** Defaults to SCHEMA_VERSION (tests override it to simulate an old peer). */
  readonly schemaVersion?: number;
  /** Deadline for the whole handshake. */
  readonly timeoutMs: number;
}

function secretOf(options: HandshakeOptions): Buffer | undefined {
  const s = options.secret;
  if (s === undefined || s.length === 0) return undefined;
  return typeof s === 'string' ? Buffer.from(s) : s;
}

function proof(secret: Buffer | undefined, role: 'client' | 'server', clientNonce: Buffer, serverNonce: Buffer): Buffer {
  if (!secret) return Buffer.alloc(PROOF);
  return createHmac('sha256', secret).update(role).update(clientNonce).update(serverNonce).digest();
}

/** Dialling side: sends HELLO, checks the server's version and proof, proves itself. Resolves when accepted. */
export async function clientHandshake(conn: Conn, options: HandshakeOptions): Promise<void> {
  const secret = secretOf(options);
  const version = options.schemaVersion ?? SCHEMA_VERSION;
  const reader = new ExactReader(conn, options.timeoutMs);
  try {
    const clientNonce = randomBytes(NONCE);
    const hello = Buffer.alloc(HELLO_BYTES);
    HANDSHAKE_MAGIC.copy(hello, 0);
    hello.writeUInt16BE(version, 4);
    hello[6] = secret ? 1 : 0;
    clientNonce.copy(hello, 7);
    conn.write(hello);
    const welcome = await reader.read(WELCOME_BYTES);
    if (!welcome.subarray(0, 4).equals(HANDSHAKE_MAGIC)) throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', 'peer did not answer the cluster handshake');
    const peerVersion = welcome.readUInt16BE(4);
    const status = welcome[6]!;
    if (status === STATUS_VERSION || peerVersion !== version) throw versionError(version, peerVersion);
    if (status === STATUS_AUTH_MISMATCH)
      throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', secret ? 'peer has no cluster secret configured' : 'peer requires a cluster secret');
    if (status !== STATUS_OK) throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', `handshake refused (status ${status})`);
    if (!secret) return;
    const serverNonce = welcome.subarray(7, 7 + NONCE);
    const expected = proof(secret, 'server', clientNonce, serverNonce);
    if (!timingSafeEqual(expected, welcome.subarray(7 + NONCE))) {
      // A proof that cannot match lets the server report the failure too, instead of a closed connection.
      conn.write(Buffer.alloc(PROOF));
      await reader.read(1).catch(() => undefined);
      throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', 'peer does not know the cluster secret');
    }
    conn.write(proof(secret, 'client', clientNonce, serverNonce));
    const result = (await reader.read(1))[0];
    if (result !== STATUS_OK) throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', 'peer rejected our cluster secret');
  } catch (err) {
    conn.destroy();
    throw err;
  } finally {
    reader.close();
  }
}

/** Accepting side: reads HELLO, answers, checks the client's proof. Resolves when the client is accepted. */
export async function serverHandshake(conn: Conn, options: HandshakeOptions): Promise<void> {
  const secret = secretOf(options);
  const version = options.schemaVersion ?? SCHEMA_VERSION;
  const reader = new ExactReader(conn, options.timeoutMs);
  try {
    const hello = await reader.read(HELLO_BYTES);
    if (!hello.subarray(0, 4).equals(HANDSHAKE_MAGIC)) throw new TesseraError('ERR_CLUSTER_FRAME_INVALID', 'peer did not start the cluster handshake');
    const peerVersion = hello.readUInt16BE(4);
    const peerAuth = hello[6] === 1;
    const clientNonce = hello.subarray(7, 7 + NONCE);
    const serverNonce = randomBytes(NONCE);
    const welcome = Buffer.alloc(WELCOME_BYTES);
    HANDSHAKE_MAGIC.copy(welcome, 0);
    welcome.writeUInt16BE(version, 4);
    let status = STATUS_OK;
    if (peerVersion !== version) status = STATUS_VERSION;
    else if (peerAuth !== (secret !== undefined)) status = STATUS_AUTH_MISMATCH;
    welcome[6] = status;
    serverNonce.copy(welcome, 7);
    if (status === STATUS_OK) proof(secret, 'server', clientNonce, serverNonce).copy(welcome, 7 + NONCE);
    conn.write(welcome);
    if (status === STATUS_VERSION) throw versionError(version, peerVersion);
    if (status === STATUS_AUTH_MISMATCH)
      throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', secret ? 'peer sent no cluster secret proof' : 'peer expects a cluster secret');
    if (!secret) return;
    const clientProof = await reader.read(PROOF);
    const ok = timingSafeEqual(proof(secret, 'client', clientNonce, serverNonce), clientProof);
    conn.write(Buffer.of(ok ? STATUS_OK : STATUS_BAD_PROOF));
    if (!ok) throw new TesseraError('ERR_CLUSTER_AUTH_FAILED', 'peer does not know the cluster secret');
  } catch (err) {
    // Let the answer reach the peer before closing, so it can report the reason.
    conn.end();
    setTimeout(() => conn.destroy(), 1000).unref();
    throw err;
  } finally {
    reader.close();
  }
}

function versionError(ours: number, theirs: number): TesseraError {
  return new TesseraError(
    'ERR_CLUSTER_VERSION_MISMATCH',
    `peer speaks cluster schema version ${theirs}, this node speaks ${ours}`,
    { details: { ours, theirs } },
  );
}

/**
 * Reads exact byte counts from a stream in paused mode (`read(n)`), so whatever follows the handshake
 * stays buffered in the stream for the next reader. One deadline covers every read.
 */
class ExactReader {
  private readonly deadline: number;
  private cleanup: (() => void) | undefined;

  constructor(
    private readonly conn: Conn,
    timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  read(n: number): Promise<Buffer> {
    const conn = this.conn;
    return new Promise<Buffer>((resolve, reject) => {
      const attempt = (): void => {
        const b = conn.read(n) as Buffer | null;
        if (b === null) return;
        done();
        // At the end of the stream read(n) hands out fewer bytes than asked.
        if (b.length < n) reject(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed during the cluster handshake'));
        else resolve(b);
      };
      const onEnd = (): void => {
        done();
        reject(new TesseraError('ERR_TRANSPORT_CLOSED', 'connection closed during the cluster handshake'));
      };
      const onError = (err: Error): void => {
        done();
        reject(new TesseraError('ERR_TRANSPORT_CLOSED', `connection failed during the cluster handshake: ${err.message}`, { cause: err }));
      };
      const timer = setTimeout(
        () => {
          done();
          reject(new TesseraError('ERR_CLUSTER_TIMEOUT', 'cluster handshake timed out'));
        },
        Math.max(0, this.deadline - Date.now()),
      );
      const done = (): void => {
        clearTimeout(timer);
        conn.removeListener('readable', attempt);
        conn.removeListener('end', onEnd);
        conn.removeListener('close', onEnd);
        conn.removeListener('error', onError);
        this.cleanup = undefined;
      };
      this.cleanup = done;
      conn.on('readable', attempt);
      conn.once('end', onEnd);
      conn.once('close', onEnd);
      conn.once('error', onError);
      attempt();
    });
  }

  close(): void {
    this.cleanup?.();
  }
}
