import { hostname, networkInterfaces } from 'node:os';

const UNSPECIFIED = new Set(['', '0.0.0.0', '::', '[::]']);

function split(address: string): { host: string; port: string } {
  const at = address.lastIndexOf(':');
  return at < 0 ? { host: address, port: '' } : { host: address.slice(0, at), port: address.slice(at + 1) };
}

/** This machine's interface addresses (IPv4 and IPv6), its host name and the loopback names. */
export function localHosts(): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '::1', '[::1]', hostname()]);
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      hosts.add(i.address);
      if (i.family === 'IPv6') hosts.add(`[${i.address}]`);
    }
  }
  return hosts;
}

/**
 * The address other members dial to reach this node (its Raft member ID and meta node address). A bind
 * address with a concrete host is used as is. A wildcard bind (`0.0.0.0:8088`, `:8088`) is resolved: the
 * `[meta] peers` entry with the same port whose host is one of this machine's addresses, else the first
 * non-internal IPv4 address with the bind port. `hosts` is for tests.
 */
export function advertisedAddress(bind: string, peers: readonly string[], hosts: Set<string> = localHosts()): string {
  const { host, port } = split(bind);
  if (!UNSPECIFIED.has(host)) return bind;
  const mine = peers.filter((p) => {
    const s = split(p);
    return s.port === port && hosts.has(s.host);
  });
  if (mine.length === 1) return mine[0]!;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return `${i.address}:${port}`;
  }
  return `127.0.0.1:${port}`;
}
