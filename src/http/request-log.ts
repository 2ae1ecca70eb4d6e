import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "../log.js";

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** One log line per HTTP request, with an id that a proxy may pass in as X-Request-Id. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get("x-request-id");
    const id = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.set("X-Request-Id", id);
    const started = performance.now();
    res.on("finish", () => {
      const fields = { requestId: id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round((performance.now() - started) * 100) / 100 };
      // Probes and static files are the bulk of requests; keep them out of the info stream.
      if (req.path === "/healthz" || req.path === "/metrics" || res.statusCode === 304) log.debug("http_request", fields);
      else log.info("http_request", fields);
    });
    next();
  };
}
