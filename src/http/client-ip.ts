import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import type { Config } from "../config.js";

export type ClientIp = (req: IncomingMessage) => string;

/**
 * The address that counts for per-IP limits. Without TRUST_PROXY it is the TCP peer; with it,
 * X-Forwarded-For is followed through the trusted hops exactly as Express does for req.ip.
 */
export function createClientIp(trustProxy: Config["trustProxy"]): ClientIp {
  const trust = compileTrust(trustProxy);
  return (req) => proxyAddr(req, trust);
}

/**
 * Whether a TCP peer is a proxy TRUST_PROXY trusts (its connections carry many clients), asked as proxy-addr asks
 * of the nearest hop. Without TRUST_PROXY no peer is.
 */
export function createIsTrustedProxy(trustProxy: Config["trustProxy"]): (address: string) => boolean {
  const trust = compileTrust(trustProxy);
  return (address) => trust(address, 0);
}

function compileTrust(value: Config["trustProxy"]): (addr: string, i: number) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === "number") return (_addr, i) => i < value;
  return proxyAddr.compile(value.split(",").map((s) => s.trim()));
}
