// GET /files/<id>/<name> (the file), /files/<id>/-/thumb and /files/<id>/-/display (an image's thumbnail and
// viewer size), issue 18. Only someone who may read the message gets its files: a public room's to anyone, a
// private room's to its members; an upload not yet sent to its uploader only; a deleted message's to nobody
// (404, the same answer as for no such file). Every answer is sandboxed (CSP sandbox, nosniff): images are shown
// inline as the type their bytes proved; everything else (SVG, HTML and all documents) downloads. The bytes
// behind an id never change, but who may read them does (a deleted message, a lost room): every file is
// revalidated on every use (a cheap 304), so the browser's cache never outlives the server's answer; all are
// served in ranges.
import { pipeline } from "node:stream";
import express, { type Request, type Response, type Router } from "express";
import rangeParser from "range-parser";
import { admission, memberBan } from "../access/policy.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { contentDisposition } from "../files/file-names.js";
import type { FileLibrary } from "../files/library.js";
import { isImageType } from "../files/sniff.js";
import type { FileRecord } from "../storage/files.js";
import type { EditsAndModeration } from "../storage/repository.js";
import { browserSessionKey, sessionFromRequest } from "./session.js";

export interface FileRouteDeps {
  config: Config;
  clock: Clock;
  store: EditsAndModeration;
  files: FileLibrary;
}

/**
 * Every file, a public room's too: the browser keeps it but asks with its ETag before each use. A 304 costs no
 * bytes; a deleted message's file gets the 404 (`no-store`) in place of the kept copy. Until 2026-12-07 a public
 * room's file was `max-age` a year, `immutable`: a message a moderator deleted still showed from the cache of every
 * browser that had loaded it (its address in the history, a shared computer). No max-age at all: any would leave
 * that window open for its length.
 */
const CACHE_CONTROL = "private, no-cache";
/** A file response can run nothing and load nothing, whatever it turns out to be. */
const SANDBOX = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'";

type Variant = "original" | "thumb" | "display";

function notFound(res: Response): void {
  res.status(404).set("Cache-Control", "no-store").set("Content-Security-Policy", SANDBOX).type("text/plain").send("No such file.\n");
}

export function fileRoutes(deps: FileRouteDeps): Router {
  const router = express.Router();

  /** The record, when this request may read it. */
  const readable = async (req: Request, id: string): Promise<FileRecord | null> => {
    const file = await deps.store.files.upload(id);
    if (file === null) return null;
    const cookie = sessionFromRequest(deps.config.secretKey, req);
    const key = cookie === null ? null : browserSessionKey(deps.config.secretKey, cookie);
    if (file.messageId === null) return key === file.sessionKey ? file : null;
    if (file.room === null) return null;
    const access = await admission(deps.store.access, file.room, { sessionKey: key ?? "", isBrowser: key !== null });
    if (access.kind === "outsider") return null;
    // A ban closes the room's files as it closes the room: a private room's own (its banned browser let back in by a
    // new link), a conversation's from the room it was opened in. Until the 2026-12-07 access review both still read them.
    if (access.kind === "member" && (await memberBan(deps.store, access.record, access.member.sessionKey, [access.member.name], deps.clock.now())) !== null) return null;
    return file;
  };

  const serve = (variant: Variant) => async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    const file = /^[A-Za-z0-9_-]{22}$/.test(id) ? await readable(req, id) : null;
    const sha256 = file === null ? undefined : variant === "original" ? file.sha256 : variant === "thumb" ? file.thumbSha256 : file.displaySha256;
    if (file === null || sha256 === undefined) return notFound(res);
    const isImage = variant !== "original" || isImageType(file.type);
    // A document downloads as bytes, whatever it is: no browser is ever asked to render XML, SVG or HTML from here.
    const type = variant !== "original" ? "image/webp" : isImage ? file.type : "application/octet-stream";
    const size = variant === "original" ? file.size : undefined;
    await send(req, res, deps.files, sha256, { type, size, disposition: contentDisposition(isImage ? "inline" : "attachment", variant === "original" ? file.name : `${file.name}.webp`) });
  };

  router.get("/files/:id/-/thumb", serve("thumb"));
  router.get("/files/:id/-/display", serve("display"));
  router.get("/files/:id/:name", serve("original"));
  return router;
}

interface SendOptions {
  type: string;
  /** Known for originals; a variant's size is read from its stream. */
  size: number | undefined;
  disposition: string;
}

async function send(req: Request, res: Response, files: FileLibrary, sha256: string, opts: SendOptions): Promise<void> {
  res.set({
    "Content-Type": opts.type,
    "Content-Disposition": opts.disposition,
    "Content-Security-Policy": SANDBOX,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": CACHE_CONTROL,
    ETag: `"${sha256}"`,
    "Accept-Ranges": "bytes",
  });
  if (req.get("if-none-match") === `"${sha256}"`) {
    res.status(304).end();
    return;
  }
  let range: { start: number; end: number } | undefined;
  const header = req.get("range");
  if (header !== undefined && opts.size !== undefined) {
    const parsed = rangeParser(opts.size, header, { combine: true });
    if (parsed === -1) {
      res.status(416).set("Content-Range", `bytes */${opts.size}`).end();
      return;
    }
    // One range (several would need multipart/byteranges, which no browser asks a media or download for).
    if (parsed !== -2 && parsed.type === "bytes" && parsed.length === 1) range = parsed[0];
  }
  const stream = await files.open(sha256, range);
  if (stream === null) return notFound(res);
  if (range !== undefined && opts.size !== undefined) {
    res.status(206).set("Content-Range", `bytes ${range.start}-${range.end}/${opts.size}`).set("Content-Length", String(range.end - range.start + 1));
  } else if (opts.size !== undefined) {
    res.set("Content-Length", String(opts.size));
  }
  if (req.method === "HEAD") {
    stream.destroy();
    res.end();
    return;
  }
  // pipeline, not pipe: a reader who goes away mid-file must close the file too (pipe leaves it open, and each
  // abandoned download would hold a descriptor until the process runs out); an error reading ends the response.
  pipeline(stream, res, () => undefined);
}
