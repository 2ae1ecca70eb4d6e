// The text of a restart-storm message says whose it is and when it was composed: `<run> r<room> #<seq> @<ms>`.
// A receiver in any worker reads its room's sequence number and its latency (storm-clock.ts) from the text
// alone, so no per-message table has to cross between threads. The run tag keeps any stray message out.

export interface StormContent {
  roomIndex: number;
  /** The room's sender numbers its messages 0, 1, 2, ... */
  seq: number;
  /** nowMs() when the sender composed it (a retry keeps the text, so this is the first attempt's time). */
  composedAtMs: number;
}

export function composeContent(runTag: string, c: StormContent): string {
  return `${runTag} r${c.roomIndex} #${c.seq} @${c.composedAtMs.toFixed(1)}`;
}

/** The parts of one of this run's messages, or null for any other text. */
export function parseContent(runTag: string, content: string): StormContent | null {
  const parts = content.split(" ");
  if (parts.length !== 4 || parts[0] !== runTag) return null;
  const [, room, seq, at] = parts as [string, string, string, string];
  if (room[0] !== "r" || seq[0] !== "#" || at[0] !== "@") return null;
  const roomIndex = Number(room.slice(1));
  const seqNumber = Number(seq.slice(1));
  const composedAtMs = Number(at.slice(1));
  if (!Number.isSafeInteger(roomIndex) || !Number.isSafeInteger(seqNumber) || !Number.isFinite(composedAtMs)) return null;
  return { roomIndex, seq: seqNumber, composedAtMs };
}
