// Emitting outside the typed contract: the Flask original's clients (no ack) and malformed payloads.
import type { Socket } from "socket.io-client";
import type { Ack, ClientEventName } from "../../src/protocol.js";
import type { ClientSocket } from "./app.js";

const untyped = (socket: ClientSocket): Socket => socket as unknown as Socket;

/** Emits like the Flask app's page did: a payload and no ack callback. */
export function legacyEmit(socket: ClientSocket, event: ClientEventName, ...args: unknown[]): void {
  untyped(socket).emit(event, ...args);
}

/** Emits any arguments with an ack callback; fails fast if no answer comes. */
export function call<T extends object = object>(socket: ClientSocket, event: ClientEventName, ...args: unknown[]): Promise<Ack<T>> {
  return untyped(socket).timeout(3000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** A fresh v4 UUID, as the browser client makes for clientId. */
export const newClientId = (): string => crypto.randomUUID();
