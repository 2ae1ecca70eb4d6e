// What engine.io keeps per connection that the app does not need (issue 20), taken out where engine.io 6.6 makes it.
//
// - Its Socket wires each transport with five functions of its own (three `bind`s, an arrow, a bound function
//   with an argument; two of them in `once` wrappers) and a cleanup closure in an array that grows to 17 slots:
//   about 0.8 KB per connection. `setTransport` and `clearTransport` are replaced here by versions whose five
//   listeners are shared by every connection: the transport (the listeners' `this`) points back at its socket.
// - Its `sentCallbackFn` queue grows to 17 slots on the first packet sent and never shrinks: it is started again
//   once a send has drained it.
// - Its WebSocket transport is replaced by ./lean-websocket.ts (the same protocol, no closure per connection).
//
// These reach into engine.io's private methods, so they are made only for the version they were written against
// and read against (node_modules/engine.io/build/socket.js, transports/websocket.js, server.js). Another version
// leaves engine.io as it is, says so in the log, and fails test/http.lean-engine.test.ts, which is the reminder
// to read the new version and move VERIFIED_VERSION.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Socket as EngineSocket, type Server as EngineServer, type Transport } from "engine.io";
import type { Logger } from "../log.js";
import { LeanWebSocket } from "./lean-websocket.js";

export const VERIFIED_VERSION = "6.6.12";

/** The socket a transport serves, as a property of that transport. */
const OWNER = Symbol("messenger-room engine socket");

/** engine.io's Socket, with the private members this file replaces or calls. */
interface Wired {
  transport: Transport & { [OWNER]?: Wired };
  pingTimeoutTimer: NodeJS.Timeout | null;
  sentCallbackFn: unknown[];
  onError(err: unknown): void;
  onPacket(packet: unknown): void;
  onDrain(): void;
  onClose(reason: string): void;
  flush(): void;
}

type Owned = Transport & { [OWNER]: Wired };

// The five listeners every socket puts on its transport, shared; "error" and "close" are heard once.
function onTransportError(this: Owned, err: unknown): void {
  this.removeListener("error", onTransportError);
  this[OWNER].onError(err);
}
function onTransportReady(this: Owned): void {
  this[OWNER].flush();
}
function onTransportPacket(this: Owned, packet: unknown): void {
  this[OWNER].onPacket(packet);
}
function onTransportDrain(this: Owned): void {
  this[OWNER].onDrain();
}
function onTransportClose(this: Owned): void {
  this.removeListener("close", onTransportClose);
  this[OWNER].onClose("transport close");
}
/** A discarded transport's errors go nowhere (engine.io adds such a listener so they are not thrown). */
function ignoreDiscardedError(): void {}

function setTransport(this: Wired, transport: Transport): void {
  const owned = transport as Owned;
  owned[OWNER] = this;
  this.transport = owned;
  owned.on("error", onTransportError);
  owned.on("ready", onTransportReady);
  owned.on("packet", onTransportPacket);
  owned.on("drain", onTransportDrain);
  owned.on("close", onTransportClose);
}

function clearTransport(this: Wired): void {
  const transport = this.transport;
  transport.removeListener("error", onTransportError);
  transport.removeListener("ready", onTransportReady);
  transport.removeListener("packet", onTransportPacket);
  transport.removeListener("drain", onTransportDrain);
  transport.removeListener("close", onTransportClose);
  transport.on("error", ignoreDiscardedError);
  transport.close(); // so it cannot stay open
  clearTimeout(this.pingTimeoutTimer ?? undefined);
  this.pingTimeoutTimer = null;
}

let patched: boolean | null = null;

/** Replaces the Socket's transport wiring once per process, if engine.io is the version read; says whether it did. */
function patchSockets(): boolean {
  if (patched !== null) return patched;
  patched = installedVersion() === VERIFIED_VERSION;
  if (!patched) return false;
  const proto = EngineSocket.prototype as unknown as Wired & Record<string, unknown>;
  const drain = proto.onDrain;
  proto.setTransport = setTransport;
  proto.clearTransport = clearTransport;
  proto.onDrain = function onDrain(this: Wired): void {
    drain.call(this);
    if (this.sentCallbackFn.length === 0) this.sentCallbackFn = [];
  };
  return true;
}

/** engine.io's version, from its package.json (its exports map does not list it, so read from beside its entry). */
export function installedVersion(): string {
  const entry = createRequire(import.meta.url).resolve("engine.io");
  const manifest = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

/**
 * Makes this engine's connections lean: the Socket patch (once per process) and the WebSocket transport for
 * every connection this engine opens or upgrades. Returns whether engine.io was the version read.
 */
export function useLeanConnections(engine: EngineServer, log: Logger): boolean {
  if (!patchSockets()) {
    log.warn("lean_connections_off", { engineIo: installedVersion(), verified: VERIFIED_VERSION });
    return false;
  }
  const server = engine as unknown as { createTransport(name: string, req: unknown): Transport };
  const create = server.createTransport.bind(engine);
  server.createTransport = (name, req) =>
    name === "websocket" ? new LeanWebSocket(req as ConstructorParameters<typeof LeanWebSocket>[0]) : create(name, req);
  return true;
}
