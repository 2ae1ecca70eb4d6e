import type { Notice, WireMessage } from "../protocol.js";
import type { ChatMessage } from "../storage/repository.js";
import { toWireTimestamp } from "../storage/timestamps.js";

export function toWire(m: ChatMessage): WireMessage {
  const wire: WireMessage = {
    id: m.id,
    room: m.room,
    sender: m.sender,
    content: m.content,
    timestamp: toWireTimestamp(m.sentAt),
    sentAt: m.sentAt.toISOString(),
  };
  if (m.clientId !== null) wire.clientId = m.clientId;
  if (m.mentions !== undefined && m.mentions.length > 0) wire.mentions = m.mentions;
  return wire;
}

// The sentences are the original's, word for word: legacy clients show `content` as it is.
export const joinedNotice = (room: string, username: string): Notice => ({
  content: `${username} has joined the chat.`,
  kind: "joined",
  username,
  room,
});

export const leftNotice = (room: string, username: string): Notice => ({
  content: `${username} has left the chat.`,
  kind: "left",
  username,
  room,
});
