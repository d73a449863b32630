import { BlockList, isIP } from 'node:net';

// Node's BlockList also matches IPv4-mapped IPv6 addresses such as ::ffff:127.0.0.1 against
// IPv4 subnets, so one list covers both families.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * Returns whether `hostname` is a loopback host: `localhost`, 127.0.0.0/8 or ::1.
 *
 * Accepts the form of `URL.hostname`, where an IPv6 address keeps its brackets. Subdomains of
 * `localhost` are not counted, because the operating system may resolve them elsewhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') {
    return true;
  }

  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(address);
  if (family === 4) {
    return loopback.check(address, 'ipv4');
  }
  if (family === 6) {
    return loopback.check(address, 'ipv6');
  }
  return false;
}
