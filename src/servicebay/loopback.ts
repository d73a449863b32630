import { isIP } from "node:net";

/**
 * Tells whether a URL hostname is this machine: `localhost`, 127.0.0.0/8 or ::1. Plain HTTP
 * is only acceptable to such hosts, because the API key travels in a header.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}
