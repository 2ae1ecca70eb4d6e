import type { ClientSocket } from "./app.js";
import type { ServerToClientEvents } from "../../src/protocol.js";

type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** The next `event` on `socket` that matches `where`; fails after `timeoutMs` instead of hanging. */
export function waitFor<E extends EventName>(socket: ClientSocket, event: E, where: (p: Payload<E>) => boolean = () => true, timeoutMs = 5000): Promise<Payload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (payload: Payload<E>): void => {
      if (!where(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    socket.on(event, listener as never);
  });
}

/** Collects every `event` from now on, in arrival order. */
export function collect<E extends EventName>(socket: ClientSocket, event: E): Payload<E>[] {
  const seen: Payload<E>[] = [];
  socket.on(event, ((p: Payload<E>) => seen.push(p)) as never);
  return seen;
}

/** Every `event` from now on up to and including the first that matches `until`, in arrival order. */
export function collectUntil<E extends EventName>(
  socket: ClientSocket,
  event: E,
  until: (p: Payload<E>) => boolean,
  timeoutMs = 5000,
): Promise<Payload<E>[]> {
  const seen: Payload<E>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}; saw ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const listener = (payload: Payload<E>): void => {
      seen.push(payload);
      if (!until(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(seen);
    };
    socket.on(event, listener as never);
  });
}
