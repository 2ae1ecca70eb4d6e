// A file's name as its uploader gave it, made safe to store, show and send back: one line, no path, no control,
// invisible or text-reordering characters (a name like "cod\u202Egnp.exe" would read as "codexe.png"), at most
// 200 characters. It never decides the file's type: the bytes do (sniff.ts).
import { hasInvisibleCharacters } from "../shared/names.js";

export const MAX_NAME_CHARS = 200;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029/\\]/gu;

export function safeFileName(raw: string | undefined): string {
  let name = (raw ?? "").normalize("NFC").replace(UNSAFE, "_");
  if (hasInvisibleCharacters(name)) name = [...name].map((ch) => (hasInvisibleCharacters(ch) ? "_" : ch)).join("");
  name = name.trim().replace(/^\.+/, "_");
  const chars = [...name];
  if (chars.length > MAX_NAME_CHARS) {
    // Keep the extension: "a very long … name.pdf" rather than a name cut mid-way with none.
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 12 ? name.slice(dot) : "";
    name = chars.slice(0, MAX_NAME_CHARS - [...ext].length).join("") + ext;
  }
  return name === "" ? "file" : name;
}

/**
 * Content-Disposition for a file response (RFC 6266): the name in UTF-8 (filename*) and an ASCII fallback.
 * `inline` only for images shown as such; everything else downloads.
 */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
