// "host:port" as given on a command line: IPv4, [IPv6] or a DNS name (a Kubernetes Service).
import { isIP } from 'node:net';

export interface XdsAddress {
  host: string;
  port: number;
  /** True for an IP literal, false for a name Envoy has to resolve. */
  isIp: boolean;
}

export function parseXdsAddress(text: string): XdsAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`xDS address must be HOST:PORT (e.g. 127.0.0.1:18000 or portico.portico-system.svc:18000), got "${text}"`);
  }
  return { host, port, isIp: isIP(host) !== 0 };
}
