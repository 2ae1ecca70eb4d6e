// POST /api/uploads (issue 18): one file per request, streamed (busboy) to a spool file while it is hashed, then
// stored by the file library (files/library.ts). Only this site's pages (Origin) with a browser session may
// upload; the session's hourly bytes (UPLOAD_BYTES_PER_HOUR), the whole store (MAX_STORAGE_BYTES) and each
// file (MAX_FILE_BYTES) are bounded. A file over the limit is cut off there: the connection is closed rather
// than the rest read. The answer is the upload, to name in send_message's `attachments`.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
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
    try {
      const key = checkRequest(req, config);
      const declared = Number(req.get("content-length") ?? NaN);
      if (Number.isFinite(declared) && declared > config.files.maxFileBytes + ENVELOPE_BYTES) throw tooBig(config);
      // Before reading (from the declared size) and again once the file's real size is known.
      await checkBudget(budget, key, Number.isFinite(declared) ? Math.max(0, declared - ENVELOPE_BYTES) : 0, config);
      if (await deps.files.isFull(Number.isFinite(declared) ? declared : 0)) throw new Refused(507, "storage_full", "The server's file storage is full: no new files can be uploaded until some are deleted.");
      spool = join(deps.store.spoolDir(), `upload-${randomBytes(8).toString("hex")}`);
      const { spooled, name } = await receive(req, spool, config, () => deps.log.debug("upload_receiving", {}));
      await checkBudget(budget, key, spooled.size, config);
      const stored = await deps.files.add(spooled, safeFileName(name), key);
      if ("code" in stored) throw new Refused(stored.code === "image_refused" ? 422 : 415, stored.code, stored.message);
      await budget?.penalty(key, spooled.size);
      deps.log.info("file_uploaded", { file: stored.id, type: stored.type, bytes: stored.size });
      answer(res, 201, { ok: true, upload: toWireAttachment(stored) });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      deps.log.info("upload_refused", { code: err.code, status: err.status });
      if (err.status === 413) res.set("Connection", "close"); // the rest of the body is not read: the connection goes after the answer
      answer(res, err.status, { ok: false, error: { code: err.code, message: err.message } });
      if (err.status === 413) res.once("finish", () => req.socket.destroySoon());
    } finally {
      if (spool !== null) await rm(spool, { force: true });
    }
  });

  return router;
}

/** Refuses (429 upload_quota) when `bytes` more would take the session over its hour's budget. */
async function checkBudget(budget: RateLimiterAbstract | null, key: string, bytes: number, config: Config): Promise<void> {
  if (budget === null) return;
  const used = (await budget.get(key))?.consumedPoints ?? 0;
  if (used + bytes > config.files.uploadBytesPerHour) throw new Refused(429, "upload_quota", `This browser has uploaded its ${mib(config.files.uploadBytesPerHour)} for this hour; try again later.`);
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;
const tooBig = (config: Config): Refused => new Refused(413, "file_too_big", `This file is larger than ${mib(config.files.maxFileBytes)}, the most one file may be.`);

/** The browser session's key, when the request is a same-origin multipart post from a page with its cookie. */
function checkRequest(req: Request, config: Config): string {
  if (!isSameOrigin(req, config)) throw new Refused(403, "not_allowed", "Files are uploaded from this site's own page.");
  const id = sessionFromRequest(config.secretKey, req);
  if (id === null) throw new Refused(400, "session_required", "Uploading needs the page's cookie: reload the page and try again.");
  if (!req.is("multipart/form-data")) throw new Refused(400, "invalid_payload", "Send the file as multipart/form-data, in a field named file.");
  return browserSessionKey(config.secretKey, id);
}

/**
 * Streams the one file of the request to `path`, hashing it and keeping its first bytes. A file over
 * MAX_FILE_BYTES stops the reading at the limit; a request without exactly one file is refused.
 */
function receive(req: Request, path: string, config: Config, onFile: () => void): Promise<{ spooled: Spooled; name: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // UTF-8 names (browsers send them so); busboy keeps only the last path segment.
      parser = busboy({ headers: req.headers, defParamCharset: "utf8", limits: { files: 1, fileSize: config.files.maxFileBytes, fields: 4, parts: 5, headerPairs: 20 } });
    } catch {
      reject(new Refused(400, "invalid_payload", "The upload is not valid multipart/form-data."));
      return;
    }
    let received: Promise<{ spooled: Spooled; name: string }> | null = null;
    const stop = (err: Refused): void => {
      req.unpipe(parser);
      req.pause();
      reject(err);
    };
    parser.on("file", (field, stream, info) => {
      if (field !== "file" || received !== null) {
        stream.resume();
        return;
      }
      onFile();
      const hash = createHash("sha256");
      const head: Buffer[] = [];
      let size = 0;
      let headSize = 0;
      const out = createWriteStream(path);
      stream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        if (headSize < SNIFF_BYTES) {
          head.push(chunk.subarray(0, SNIFF_BYTES - headSize));
          headSize += Math.min(chunk.length, SNIFF_BYTES - headSize);
        }
      });
      stream.on("limit", () => {
        out.destroy();
        stop(tooBig(config));
      });
      received = new Promise((done, fail) => {
        out.on("finish", () => done({ spooled: { path, size, sha256: hash.digest("hex"), head: Buffer.concat(head) }, name: info.filename ?? "" }));
        out.on("error", fail);
      });
      stream.pipe(out);
    });
    parser.on("error", () => stop(new Refused(400, "invalid_payload", "The upload is not valid multipart/form-data.")));
    parser.on("close", () => {
      if (received === null) reject(new Refused(400, "invalid_payload", "The upload has no file: send it in a field named file."));
      else received.then(resolve, reject);
    });
    req.pipe(parser);
  });
}
