import { pino } from "pino";

export type LogFields = Record<string, unknown>;

/** One JSON line per event; the event name is snake_case, message text never goes in at info. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createPinoLogger(level: string): Logger {
  // pino writes asynchronously-buffered lines to stdout, so logging stays off the hot path's critical time.
  const base = pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: "event",
    formatters: { level: (label) => ({ level: label }) },
  });
  return {
    debug: (event, fields) => base.debug(fields ?? {}, event),
    info: (event, fields) => base.info(fields ?? {}, event),
    warn: (event, fields) => base.warn(fields ?? {}, event),
    error: (event, fields) => base.error(serialiseErrors(fields), event),
  };
}

function serialiseErrors(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
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
