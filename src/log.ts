import { isatty } from "node:tty";
import { pino } from "pino";
import { flushAtExit, stdoutLines, type LineSink } from "./stdout-lines.js";
import type { Clock } from "./clock.js";
import { redactInviteTokens } from "./access/invite-token.js";
import { redactPrivateAddresses } from "./access/room-address.js";

export type LogFields = Record<string, unknown>;

/** One JSON line per event; the event name is snake_case, message text never goes in at info. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** `node` (NODE_ID) goes into every line, so the lines of several nodes can be told apart once merged. */
export function createPinoLogger(level: string, node?: string): Logger {
  // pino writes asynchronously-buffered lines to stdout, so logging stays off the hot path's critical time.
  const base = pino(
    {
      level,
      base: node === undefined ? undefined : { node },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "event",
      formatters: { level: (label) => ({ level: label }) },
    },
    stdoutUntilItBreaks(),
  );
  return {
    debug: (event, fields) => base.debug(fields ?? {}, event),
    info: (event, fields) => base.info(fields ?? {}, event),
    warn: (event, fields) => base.warn(fields ?? {}, event),
    error: (event, fields) => base.error(serialiseErrors(fields), event),
  };
}

/**
 * stdout, given up once a write fails: a closed terminal (EIO) or a reader gone (EPIPE) must not stop the drain
 * nor the exit after it (stdout-lines.ts). On a terminal, lines are written at once, so a closed one shows at the
 * first line; elsewhere (a pipe, journald) they are written from the thread pool, off the hot path, and what is
 * still waiting at exit is written then.
 */
function stdoutUntilItBreaks(): LineSink {
  const out = stdoutLines(1, { isSync: isatty(1) });
  flushAtExit(out);
  return out;
}

function serialiseErrors(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

/** Longest string a log line carries; clients can send ~16 KB headers and payloads, and each would be a line. */
export const LOG_STRING_MAX_CHARS = 200;

export interface LogGuardOptions {
  clock: Clock;
  /** One line per this many ms for each kind of warning, with the count of the ones left out; 0 logs every one. */
  warnIntervalMs: number;
}

/**
 * Keeps a hostile client from flooding the log: every string field is cut to LOG_STRING_MAX_CHARS (with its
 * original length, so the cut is visible), and a warning repeated within warnIntervalMs is counted instead of
 * written; the next one written says how many were left out (`suppressed`). Keeps secrets out of it as well
 * (issue 17): a private room's address is cut to its first characters and an invite token is masked, wherever
 * they appear (a room field, a request path). Applied once, around the app's logger, so no call site has to remember.
 */
export function guardLog(inner: Logger, opts: LogGuardOptions): Logger {
  const lastWarn = new Map<string, { atMs: number; suppressed: number }>();
  return {
    debug: (event, fields) => inner.debug(event, clip(fields)),
    info: (event, fields) => inner.info(event, clip(fields)),
    error: (event, fields) => inner.error(event, clip(fields)),
    warn(event, fields) {
      if (opts.warnIntervalMs === 0) return inner.warn(event, clip(fields));
      const now = opts.clock.monotonicMs();
      const last = lastWarn.get(event);
      if (last !== undefined && now - last.atMs < opts.warnIntervalMs) {
        last.suppressed++;
        return;
      }
      lastWarn.set(event, { atMs: now, suppressed: 0 });
      const suppressed = last?.suppressed ?? 0;
      inner.warn(event, suppressed > 0 ? { ...clip(fields), suppressed } : clip(fields));
    },
  };
}

/** `text` cut to `max` characters, marked with its full length. */
export function clipString(text: string, max = LOG_STRING_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[truncated, ${text.length} chars]`;
}

function clip(fields: LogFields | undefined): LogFields | undefined {
  return fields === undefined ? undefined : (clipValue(fields, 0) as LogFields);
}

/** Private addresses cut, invite tokens masked: a log line never lets its reader into a room. */
export function redactSecrets(text: string): string {
  return redactPrivateAddresses(redactInviteTokens(text));
}

/** Strings anywhere in plain objects and arrays (a few levels deep); errors and other objects are left to the serialiser. */
function clipValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return clipString(redactSecrets(value));
  if (depth > 4 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => clipValue(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: LogFields = {};
  for (const [key, v] of Object.entries(value)) out[key] = clipValue(v, depth + 1);
  return out;
}

export interface LogLine extends LogFields {
  level: "debug" | "info" | "warn" | "error";
  event: string;
}

/** For tests: keeps every line in memory. */
export function createCapturingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (event: string, fields?: LogFields) => {
    lines.push({ ...fields, level, event });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
