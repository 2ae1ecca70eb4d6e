// POST /api/uploads (issue 18): one file per request, streamed (busboy) to a spool file while it is hashed, then
// stored by the file library (files/library.ts). Only this site's pages (Origin) with a browser session may
// upload; the session's hourly bytes (UPLOAD_BYTES_PER_HOUR), the whole store (MAX_STORAGE_BYTES) and each
// file (MAX_FILE_BYTES) are bounded. A file over the limit is cut off there: the connection is closed rather
// than the rest read. The answer is the upload, to name in send_message's `attachments`.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import busboy from "busboy";
import express, { type Request, type Response, type Router } from "express";
import type { RedisClient } from "../cluster/redis.js";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.js";
import { safeFileName } from "../files/file-names.js";
import type { FileLibrary, Spooled } from "../files/library.js";
import { toWireAttachment } from "../files/links.js";
import { SNIFF_BYTES } from "../files/sniff.js";
import type { Logger } from "../log.js";
import type { ErrorCode } from "../protocol.js";
import type { UploadAnswer } from "../http-api.js";
import type { FileStore } from "../storage/files.js";
import { isSameOrigin } from "./same-origin.js";
import { browserSessionKey, sessionFromRequest } from "./session.js";

/** Room for the multipart envelope (boundaries, headers) around the file itself. */
const ENVELOPE_BYTES = 16 * 1024;
const HOUR_S = 3600;

export interface UploadRouteDeps {
  config: Config;
  files: FileLibrary;
  store: FileStore;
  log: Logger;
  /** Several nodes: the hourly budget is counted once for the cluster. */
  redis?: RedisClient;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function answer(res: Response, status: number, body: UploadAnswer): void {
  res.status(status).set("Cache-Control", "no-store").json(body);
}

/**
 * The disk filled while the upload was spooled or stored: the server's state, not a bug, so it is answered in the
 * API's shape (507 storage_full, as for MAX_STORAGE_BYTES) rather than as a bare text 500.
 */
function diskFull(err: unknown): Refused | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== "ENOSPC" && code !== "EDQUOT") return null;
  return new Refused(507, "storage_full", "The server's disk is full: no files can be uploaded right now; try again later.");
}

/** The hourly budget of a browser session, in bytes; none when UPLOAD_BYTES_PER_HOUR is 0. */
function hourlyBudget(config: Config, redis?: RedisClient): RateLimiterAbstract | null {
  const points = config.files.uploadBytesPerHour;
  if (points === 0) return null;
  const opts = { points, duration: HOUR_S, keyPrefix: "mr:upload" };
  return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: new RateLimiterMemory(opts) }) : new RateLimiterMemory(opts);
}

export function uploadRoutes(deps: UploadRouteDeps): Router {
  const router = express.Router();
  const { config } = deps;
  const budget = hourlyBudget(config, deps.redis);

  router.post("/api/uploads", async (req, res) => {
    let spool: string | null = null;
    let budgetHold: BudgetHold | null = null;
    let releaseStorage: (() => void) | null = null;
    try {
      const key = checkRequest(req, config);
      const declared = Number(req.get("content-length") ?? NaN);
      if (Number.isFinite(declared) && declared > config.files.maxFileBytes + ENVELOPE_BYTES) throw tooBig(config);
      // Held from before the reading until the file is stored or refused, so uploads sent at once cannot each pass
      // a check that sees only what earlier ones stored: the declared body (the file and its multipart headers), or
      // the most a file may be when the body's length is not declared.
      const holding = Number.isFinite(declared) ? Math.min(declared, config.files.maxFileBytes) : config.files.maxFileBytes;
      budgetHold = await holdBudget(budget, key, holding, config);
      releaseStorage = await deps.files.reserve(holding);
      if (releaseStorage === null) throw new Refused(507, "storage_full", "The server's file storage is full: no new files can be uploaded until some are deleted.");
      spool = join(deps.store.spoolDir(), `upload-${randomBytes(8).toString("hex")}`);
      const { spooled, name } = await receive(req, spool, config, () => deps.log.debug("upload_receiving", {}));
      const stored = await deps.files.add(spooled, safeFileName(name), key);
      if ("code" in stored) throw new Refused(stored.code === "image_refused" ? 422 : 415, stored.code, stored.message);
      await budgetHold.keep(spooled.size);
      budgetHold = null;
      deps.log.info("file_uploaded", { file: stored.id, type: stored.type, bytes: stored.size });
      answer(res, 201, { ok: true, upload: toWireAttachment(stored) });
    } catch (caught) {
      const err = caught instanceof Refused ? caught : diskFull(caught);
      if (err === null) throw caught;
      if (err !== caught) deps.log.error("upload_failed", { err: caught });
      deps.log.info("upload_refused", { code: err.code, status: err.status, reason: err.message });
      if (req.socket.destroyed) return; // the client went away mid-body: nobody to answer
      // Whatever of the body was not read is never read: the connection goes after the answer.
      const isUnread = !req.complete;
      if (isUnread) res.set("Connection", "close");
      answer(res, err.status, { ok: false, error: { code: err.code, message: err.message } });
      if (isUnread) res.once("finish", () => req.socket.destroySoon());
    } finally {
      releaseStorage?.();
      await budgetHold?.refund();
      if (spool !== null) await rm(spool, { force: true });
    }
  });

  return router;
}

/** Bytes taken from a session's hourly budget before its upload is read: what is kept once the file's size is known, or all given back. */
interface BudgetHold {
  keep(bytes: number): Promise<void>;
  refund(): Promise<void>;
}

const NO_HOLD: BudgetHold = { keep: async () => undefined, refund: async () => undefined };

/**
 * Takes `bytes` of the session's hour (429 upload_quota when they do not fit). consume() counts and checks in one
 * step (in Redis too, for the cluster), so concurrent uploads cannot all fit; a refused one is given back, as
 * consume() counts it anyway.
 */
async function holdBudget(budget: RateLimiterAbstract | null, key: string, bytes: number, config: Config): Promise<BudgetHold> {
  if (budget === null || bytes === 0) return NO_HOLD;
  try {
    await budget.consume(key, bytes);
  } catch (err) {
    if (err instanceof Error) throw err; // the limiter's store failed, not the budget
    await budget.reward(key, bytes);
    throw new Refused(429, "upload_quota", `This browser has uploaded its ${mib(config.files.uploadBytesPerHour)} for this hour; try again later.`);
  }
  const giveBack = async (n: number): Promise<void> => {
    if (n > 0) await budget.reward(key, n).catch(() => undefined);
  };
  return { keep: (used) => giveBack(bytes - used), refund: () => giveBack(bytes) };
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;
const tooBig = (config: Config): Refused => new Refused(413, "file_too_big", `This file is larger than ${mib(config.files.maxFileBytes)}, the most one file may be.`);
const invalid = (message: string): Refused => new Refused(400, "invalid_payload", message);
const NOT_MULTIPART = "The upload is not valid multipart/form-data.";

/** The browser session's key, when the request is a same-origin multipart post from a page with its cookie. */
function checkRequest(req: Request, config: Config): string {
  if (!isSameOrigin(req, config)) throw new Refused(403, "not_allowed", "Files are uploaded from this site's own page.");
  const id = sessionFromRequest(config.secretKey, req);
  if (id === null) throw new Refused(400, "session_required", "Uploading needs the page's cookie: reload the page and try again.");
  if (!req.is("multipart/form-data")) throw new Refused(400, "invalid_payload", "Send the file as multipart/form-data, in a field named file.");
  return browserSessionKey(config.secretKey, id);
}

/**
 * Streams the one file of the request to `path`, hashing it and keeping its first bytes. Settles once: with the
 * file when the body ended and the file is on disk; refused (and the reading stopped there, the spool file's
 * stream closed) for a file over MAX_FILE_BYTES, a part that is not the one file, a malformed or cut-off body, or
 * a client that went away; with the error when the disk write failed.
 */
function receive(req: Request, path: string, config: Config, onFile: () => void): Promise<{ spooled: Spooled; name: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // UTF-8 names (browsers send them so); busboy keeps only the last path segment.
      parser = busboy({ headers: req.headers, defParamCharset: "utf8", limits: { files: 1, fileSize: config.files.maxFileBytes, fields: 4, parts: 5, headerPairs: 20 } });
    } catch {
      reject(invalid(NOT_MULTIPART));
      return;
    }
    let isSettled = false;
    let out: WriteStream | null = null;
    let written: { spooled: Spooled; name: string } | null = null;
    let isParsed = false;
    const fail = (err: Error): void => {
      if (isSettled) return;
      isSettled = true;
      req.unpipe(parser);
      req.pause();
      out?.destroy();
      reject(err);
    };
    const finish = (): void => {
      if (isSettled || !isParsed) return;
      if (out === null) return fail(invalid("The upload has no file: send it in a field named file."));
      if (written === null) return; // the file's last bytes are still being written
      isSettled = true;
      resolve(written);
    };
    // A client gone mid-body sends nothing more: busboy would wait for ever, and the spool file stay open.
    req.on("close", () => {
      if (!req.complete) fail(invalid("The upload was cut off before its end."));
    });
    parser.on("file", (field, stream, info) => {
      // Anything but the one file is refused at once, not read to its end and thrown away.
      if (field !== "file" || out !== null) {
        stream.resume();
        return fail(invalid("Send one file per upload, in a field named file."));
      }
      onFile();
      const hash = createHash("sha256");
      const head: Buffer[] = [];
      let size = 0;
      let headSize = 0;
      const file = createWriteStream(path);
      out = file;
      stream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        if (headSize < SNIFF_BYTES) {
          head.push(chunk.subarray(0, SNIFF_BYTES - headSize));
          headSize += Math.min(chunk.length, SNIFF_BYTES - headSize);
        }
      });
      // busboy reports a body that ends inside the file ("Unexpected end of form") on the file's own stream.
      stream.on("error", () => fail(invalid(NOT_MULTIPART)));
      stream.on("limit", () => fail(tooBig(config)));
      file.on("finish", () => {
        written = { spooled: { path, size, sha256: hash.digest("hex"), head: Buffer.concat(head) }, name: info.filename ?? "" };
        finish();
      });
      file.on("error", fail);
      stream.pipe(file);
    });
    for (const limit of ["filesLimit", "partsLimit", "fieldsLimit"] as const) parser.on(limit, () => fail(invalid("Send one file per upload, in a field named file.")));
    parser.on("error", () => fail(invalid(NOT_MULTIPART)));
    parser.on("close", () => {
      isParsed = true;
      finish();
    });
    req.pipe(parser);
  });
}
