// REDIS_CLUSTER_NODES (issue 21, §2): the seed nodes of a Redis Cluster, parsed once at the edge like every other
// variable (config.ts calls it). Any reachable master is enough for ioredis to learn the whole cluster (CLUSTER
// SLOTS); listing several means start-up works while one of them is down.
//
// Each entry is `host:port`, or a redis:// / rediss:// URL when the cluster wants a password or TLS: the
// credentials and the scheme apply to every node (a Redis Cluster has one password and one TLS setting), so the
// entries must agree on them. REDIS_URL and REDIS_CLUSTER_NODES are mutually exclusive: one names a single server,
// the other a cluster, and a node must not guess which one the operator meant.

export interface RedisClusterSeed {
  host: string;
  port: number;
}

export interface RedisClusterSettings {
  seeds: RedisClusterSeed[];
  /** ACL user and password (AUTH), from the URLs; null when the entries carry none. */
  username: string | null;
  password: string | null;
  /** rediss:// entries: every node is reached over TLS. */
  isTls: boolean;
}

const EXAMPLE = "comma-separated list of host:port (or redis://:password@host:port) such as 10.0.0.1:7000,10.0.0.2:7000";

interface ParsedEntry extends RedisClusterSeed {
  username: string | null;
  password: string | null;
  isTls: boolean;
}

/** The settings, or null when unset; every bad entry is one problem naming the variable. */
export function parseRedisClusterNodes(raw: string | undefined, problems: string[]): RedisClusterSettings | null {
  const items = (raw ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) return null;
  const entries: ParsedEntry[] = [];
  for (const item of items) {
    const entry = parseEntry(item);
    if (entry === null) problems.push(`REDIS_CLUSTER_NODES has an invalid node "${redactEntry(item)}" (expected a ${EXAMPLE})`);
    else entries.push(entry);
  }
  const first = entries[0];
  if (first === undefined || entries.length < items.length) return null;
  const isUniform = entries.every((e) => e.isTls === first.isTls && e.password === first.password && e.username === first.username);
  if (!isUniform) {
    problems.push("REDIS_CLUSTER_NODES entries must agree on scheme and credentials (a Redis Cluster has one password and one TLS setting)");
    return null;
  }
  return { seeds: entries.map(({ host, port }) => ({ host, port })), username: first.username, password: first.password, isTls: first.isTls };
}

function parseEntry(item: string): ParsedEntry | null {
  const hasScheme = /^[a-z]+:\/\//i.test(item);
  let url: URL;
  try {
    url = new URL(hasScheme ? item : `redis://${item}`);
  } catch {
    return null;
  }
  if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "" || url.port === "") return null;
  if (url.pathname !== "" && url.pathname !== "/") return null; // a cluster has only database 0
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    username: url.username === "" ? null : decodeURIComponent(url.username),
    password: url.password === "" ? null : decodeURIComponent(url.password),
    isTls: url.protocol === "rediss:",
  };
}

/** An entry for an error line: its password never echoed. */
function redactEntry(item: string): string {
  return item.replace(/:\/\/([^:@/]*):[^@/]*@/, "://$1:***@");
}

/** host:port,... for logs: what the node connects to, without credentials. */
export function describeRedisCluster(settings: RedisClusterSettings): string {
  return settings.seeds.map((s) => `${s.host.includes(":") ? `[${s.host}]` : s.host}:${s.port}`).join(",");
}
