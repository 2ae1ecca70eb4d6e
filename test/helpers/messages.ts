// Small builders and predicates for chat messages in tests.
import { isNotice, type MessageEvent, type Notice, type WireMessage } from "../../src/protocol.js";
import type { ChatMessage, MessageRepository } from "../../src/storage/repository.js";

export const isChat = (m: MessageEvent): m is WireMessage => !isNotice(m);
export const isNoticeWith = (content: string) => (m: MessageEvent): m is Notice => isNotice(m) && m.content === content;
export const isChatWith = (content: string) => (m: MessageEvent): m is WireMessage => isChat(m) && m.content === content;

/** Stores `count` messages in `room` straight through the repository (no socket, no rate limit), one second apart. */
export async function seedMessages(
  repo: MessageRepository,
  room: string,
  count: number,
  { sender = "seed", start = new Date("2025-06-01T12:00:00.000Z"), prefix = "m" }: { sender?: string; start?: Date; prefix?: string } = {},
): Promise<ChatMessage[]> {
  const pending = Array.from({ length: count }, (_, i) =>
    repo.append({ room, sender, content: `${prefix}${i + 1}`, sentAt: new Date(start.getTime() + i * 1000) }),
  );
  return (await Promise.all(pending)).map((r) => r.message);
}
