// Open TCP connections to the app port per address (MAX_TCP_CONNECTIONS_PER_IP, transport review).
// MAX_CONNECTIONS_PER_IP counts Socket.IO sessions, which exist only once a handshake went through; a connection
// that sends nothing, or only plain HTTP, was counted nowhere, so one address could hold a descriptor per
// connection until the process had none left. This counts every accepted connection by its TCP peer's address
// (IPv6 by network, as every per-address limit) and closes at once the ones past the cap.
//
// Behind a proxy TRUST_PROXY trusts, every client arrives on the proxy's connections: those are not counted (the
// proxy's own per-client limit does that job: nginx's limit_conn, docs/operations.md), while a peer that is not
// the proxy still is.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { addressKey } from "../shared/address-key.js";
import { OpenCounts } from "./open-counts.js";

export interface TcpConnectionCapOptions {
  /** Connections one address key may hold open; 0 = no cap (nothing is counted). */
  maxPerAddress: number;
  ipv6PrefixLength: number;
  isTrustedProxy(address: string): boolean;
  /** A connection was closed for being one too many (its address key). */
  onRefused(key: string): void;
}

export function capTcpConnectionsPerAddress(server: Server, opts: TcpConnectionCapOptions): void {
  if (opts.maxPerAddress === 0) return;
  const open = new OpenCounts<Socket>();
  function release(this: Socket): void {
    open.closed(this);
  }
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || opts.isTrustedProxy(address)) return; // gone already, or the proxy
    const key = addressKey(address, opts.ipv6PrefixLength);
    if (open.count(key) >= opts.maxPerAddress) {
      socket.destroy();
      opts.onRefused(key);
      return;
    }
    open.opened(socket, key);
    socket.on("close", release); // a socket emits "close" once
  });
}
