// At most one push per browser session and room per NOTIFY_INTERVAL_MS, as the page does for its desktop
// notifications: the first goes at once, the next ones within the interval are held and, when it ends, go as one
// summary (or are summed into the next message if that comes first). One node keeps the gates in memory;
// several share them in Redis (cluster/redis-push.ts), so two nodes storing messages of one room still send one.
// What is held is ids (held.ts): the summary is built when it leaves, from the messages as they are then.
import { hold, type HeldBatch, type HeldRef } from "./held.js";

export type GateAnswer = { send: HeldBatch } | { held: true };

export interface PushGate {
  /** Push now (the message with whatever was held), or hold it: `onDue` gets the held batch when the interval ends. */
  offer(sessionKey: string, room: string, ref: HeldRef): Promise<GateAnswer>;
  /** Stops the timers; what is held is dropped (a summary is a courtesy, never a promise). */
  close(): void;
}

/** Called with a held batch once its interval has ended; the gate counts that push as the start of the next interval. */
export type OnDue = (sessionKey: string, room: string, batch: HeldBatch) => void;

interface Gate {
  timer: NodeJS.Timeout;
  held: HeldBatch | null;
}

/** One node: a timer per (session, room) with something pushed in the last interval. */
export function createMemoryGate(intervalMs: number, onDue: OnDue): PushGate {
  const gates = new Map<string, Gate>();
  const keyOf = (sessionKey: string, room: string): string => `${sessionKey}\u0000${room}`;

  const open = (key: string, sessionKey: string, room: string): Gate => {
    const gate: Gate = {
      held: null,
      timer: setTimeout(() => {
        gates.delete(key);
        if (gate.held === null) return;
        const batch = gate.held;
        gates.set(key, open(key, sessionKey, room)); // the summary starts the next interval
        onDue(sessionKey, room, batch);
      }, intervalMs),
    };
    gate.timer.unref();
    return gate;
  };

  return {
    offer(sessionKey, room, ref) {
      if (intervalMs === 0) return Promise.resolve({ send: hold(null, ref) });
      const key = keyOf(sessionKey, room);
      const gate = gates.get(key);
      if (gate !== undefined) {
        gate.held = hold(gate.held, ref);
        return Promise.resolve({ held: true });
      }
      gates.set(key, open(key, sessionKey, room));
      return Promise.resolve({ send: hold(null, ref) });
    },
    close() {
      for (const gate of gates.values()) clearTimeout(gate.timer);
      gates.clear();
    },
  };
}
