// Pure helpers about files (issue 18): a size in words ("1.4 MB"), a friendly word for a file's kind from its
// MIME type or, when the bytes proved nothing, its name's extension ("PDF document", "Text file"), an image's
// size fitted in a box, and what a message with files says in one line (announcements, notifications). No DOM.

/** @import { WireAttachment, WireMessage } from "../../src/protocol.js" */

const UNITS = ["KB", "MB", "GB"];

/**
 * "512 bytes", "12 KB", "1.4 MB": powers of 1024, as the server words its limits; one decimal below 10.
 * @param {number} bytes
 */
export function humanSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes) || 0)} ${bytes === 1 ? "byte" : "bytes"}`;
  let value = bytes;
  let unit = "";
  for (const u of UNITS) {
    value /= 1024;
    unit = u;
    if (value < 1024) break;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${unit}`;
}

/** What the server's sniffing names, as a person would say it. */
/** @type {Record<string, string>} */
const BY_TYPE = {
  "application/pdf": "PDF document",
  "application/zip": "ZIP archive",
  "application/gzip": "GZIP archive",
  "application/x-7z-compressed": "7-Zip archive",
  "application/x-rar-compressed": "RAR archive",
  "application/x-tar": "TAR archive",
  "application/msword": "Word document",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
  "application/vnd.ms-excel": "Excel spreadsheet",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
  "application/vnd.ms-powerpoint": "PowerPoint presentation",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
  "application/vnd.oasis.opendocument.text": "OpenDocument text",
  "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
  "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
  "application/rtf": "RTF document",
  "application/epub+zip": "EPUB book",
  "image/jpeg": "JPEG image",
  "image/png": "PNG image",
  "image/gif": "GIF image",
  "image/webp": "WebP image",
  "image/avif": "AVIF image",
  "image/heic": "HEIC image",
  "image/tiff": "TIFF image",
  "image/bmp": "BMP image",
};

/** Files whose bytes prove nothing (text formats): the extension is all there is to go on. */
/** @type {Record<string, string>} */
const BY_EXTENSION = {
  txt: "Text file",
  md: "Markdown text",
  csv: "CSV table",
  tsv: "TSV table",
  json: "JSON file",
  xml: "XML file",
  yaml: "YAML file",
  yml: "YAML file",
  html: "HTML file",
  htm: "HTML file",
  svg: "SVG image",
  log: "Log file",
  ics: "Calendar file",
  vcf: "Contact card",
  js: "JavaScript file",
  ts: "TypeScript file",
  py: "Python file",
  css: "CSS file",
  sql: "SQL file",
};

/**
 * A friendly word for a file's kind: from its MIME type (what its bytes are), else from the extension of its
 * name (text formats have no magic number), else "File".
 * @param {string} type @param {string} name
 */
export function fileKind(type, name) {
  const known = BY_TYPE[type.toLowerCase()];
  if (known) return known;
  const [major, minor = ""] = type.toLowerCase().split("/");
  if (major === "audio" || major === "video") return `${minor.replace(/^x-/, "").toUpperCase()} ${major}`;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : "";
  if (BY_EXTENSION[ext]) return /** @type {string} */ (BY_EXTENSION[ext]);
  if (/^[a-z0-9]{1,8}$/.test(ext)) return `${ext.toUpperCase()} file`;
  return "File";
}

/**
 * A size scaled down (never up) to fit in a `box` × `box` square, in whole pixels, at least 1.
 * @param {number} width @param {number} height @param {number} box
 * @returns {{ width: number, height: number }}
 */
export function fitWithin(width, height, box) {
  if (!(width > 0 && height > 0)) return { width: box, height: box };
  const scale = Math.min(1, box / width, box / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** An image the page shows as such (a thumbnail with its size known). @param {WireAttachment} a */
export function isImage(a) {
  return typeof a.thumbUrl === "string" && typeof a.width === "number" && typeof a.height === "number";
}

/**
 * The text a message shows: with files, its caption alone (the wire's `content` then ends with a line per file
 * with its link, for the original's clients, which the page never draws).
 * @param {{ content?: string, caption?: string }} msg
 */
export function captionOf(msg) {
  return typeof msg.caption === "string" ? msg.caption : (msg.content ?? "");
}

/** A message's files, or undefined when it has none. @param {{ attachments?: WireAttachment[] }} msg */
export function filesOf(msg) {
  return msg.attachments && msg.attachments.length > 0 ? msg.attachments : undefined;
}

/**
 * A message in one line, never its file links: the caption, then its files' names ("photo.png"; "3 files").
 * @param {Pick<WireMessage, "content" | "caption" | "attachments">} msg
 */
export function messageSummary(msg) {
  const files = msg.attachments ?? [];
  const text = captionOf(msg);
  if (files.length === 0) return text;
  const names = files.length === 1 ? (files[0]?.name ?? "a file") : `${files.length} files`;
  return text === "" ? `📎 ${names}` : `${text} 📎 ${names}`;
}
