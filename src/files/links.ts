// Where a file is served (issue 18), and what a message with files says to the original's clients, which know
// nothing of attachments: the caption, then one line per file with its link.
import type { WireAttachment } from "../protocol.js";
import type { StoredAttachment } from "../storage/files.js";

export const filePath = (id: string, name: string): string => `/files/${id}/${encodeURIComponent(name)}`;
export const thumbPath = (id: string): string => `/files/${id}/-/thumb`;
export const displayPath = (id: string): string => `/files/${id}/-/display`;

export function toWireAttachment(a: StoredAttachment): WireAttachment {
  const wire: WireAttachment = { id: a.id, name: a.name, type: a.type, size: a.size, url: filePath(a.id, a.name) };
  if (a.width !== undefined && a.height !== undefined) Object.assign(wire, { width: a.width, height: a.height });
  if (a.thumbSha256 !== undefined) wire.thumbUrl = thumbPath(a.id);
  if (a.displaySha256 !== undefined) wire.displayUrl = displayPath(a.id);
  if (a.animated === true) wire.animated = true;
  return wire;
}

/** The caption and one line per file, `base` (PUBLIC_URL, or "" for paths) before each link. */
export function legacyContent(caption: string, files: readonly WireAttachment[], base: string): string {
  const lines = files.map((f) => `${f.name}: ${base}${f.url}`);
  return [...(caption === "" ? [] : [caption]), ...lines].join("\n");
}
