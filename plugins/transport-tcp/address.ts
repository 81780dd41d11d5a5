/** A parsed `host:port` address (IPv6 hosts in brackets: `[::1]:8088`). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `:port` (host defaults to 127.0.0.1, loopback, as the cluster port
 * is unauthenticated by default). Throws a TypeError on a malformed address: that is a caller's mistake.
 */
export function parseHostPort(address: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new TypeError(`invalid address "${address}": expected host:port`);
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]!);
  return { host, port };
}

/** Formats host and port back to an address string, bracketing IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
