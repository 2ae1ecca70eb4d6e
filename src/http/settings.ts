// The HTTP transport's settings (read by loadConfig in src/config.ts, as src/push/settings.ts reads push's): how long
// a request may take, and how many connections one address may hold.

export interface TransportSettings {
  /**
   * A connection that has not sent a complete request head this long after it opened (or, kept alive, after its
   * next request began) is closed; one that never sends a byte included.
   */
  headersTimeoutMs: number;
  /** A request's head and body must have arrived within this long: a MAX_FILE_BYTES upload on a slow link must fit. */
  requestTimeoutMs: number;
  /**
   * Open TCP connections to the app port from one address (IPv6: one IPV6_PREFIX_LENGTH network); 0 = no cap.
   * Counted by the TCP peer, so connections from a TRUST_PROXY proxy are never counted.
   */
  maxTcpConnectionsPerIp: number;
  /** An Engine.IO connection that has not joined Socket.IO (sent its CONNECT) within this long is closed. */
  socketIoConnectTimeoutMs: number;
}

type IntReader = (name: string, fallback: number, min: number, max: number) => number;

/** Each Socket.IO session holds one TCP connection on WebSocket and two on long-polling; page loads open a few more. */
const TCP_CONNECTIONS_PER_SESSION = 2;
const TCP_CONNECTIONS_FOR_PAGE_LOADS = 20;

export function transportSettings(
  maxConnectionsPerIp: number,
  int: IntReader,
  problems: string[],
): TransportSettings {
  // 25 MiB in 600 s is 0.35 Mbit/s: a poor mobile uplink still gets an upload through (Node's own 300 s needs 0.7).
  const requestTimeoutMs = int("HTTP_REQUEST_TIMEOUT_MS", 600_000, 1000, 24 * 3600_000);
  // Browsers send the head as soon as the connection is open; 15 s leaves a slow link plenty, and a browser whose
  // speculative (preconnected, unused) socket is closed meanwhile simply opens another.
  const headersTimeoutMs = int("HTTP_HEADERS_TIMEOUT_MS", 15_000, 1000, 600_000);
  // Node refuses a head timeout above the request's (the head is part of the request).
  if (headersTimeoutMs > requestTimeoutMs) problems.push(`HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be above HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  // Follows MAX_CONNECTIONS_PER_IP unless set: off with it (0), else room for every session on long-polling plus page loads.
  const tcpDefault = maxConnectionsPerIp === 0 ? 0 : maxConnectionsPerIp * TCP_CONNECTIONS_PER_SESSION + TCP_CONNECTIONS_FOR_PAGE_LOADS;
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    maxTcpConnectionsPerIp: int("MAX_TCP_CONNECTIONS_PER_IP", tcpDefault, 0, 100_000_000),
    // The page sends its CONNECT as soon as the connection opens; Socket.IO's own 45 s let a connection that never
    // joins sit on one of its address's MAX_CONNECTIONS_PER_IP places for that long.
    socketIoConnectTimeoutMs: int("SOCKETIO_CONNECT_TIMEOUT_MS", 10_000, 1000, 600_000),
  };
}
