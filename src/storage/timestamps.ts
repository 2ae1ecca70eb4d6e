// The Flask app stored naive UTC datetimes the way SQLAlchemy writes them on SQLite.

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function dateAndTime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`: SQLAlchemy's SQLite DateTime storage format, which the Flask app reads back. */
export function toStoredTimestamp(d: Date): string {
  return `${dateAndTime(d)}.${pad(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** `YYYY-MM-DD HH:MM:SS`: the original's wire format. */
export function toWireTimestamp(d: Date): string {
  return dateAndTime(d);
}

const STORED = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?/;

/** Reads what either app wrote; a missing or unreadable value (the column is nullable) becomes the epoch. */
export function fromStoredTimestamp(value: unknown): Date {
  if (typeof value !== "string") return new Date(0);
  const m = STORED.exec(value);
  if (!m) return new Date(0);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.floor(Number(frac.padEnd(6, "0")) / 1000) : 0;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms));
}

/**
 * The stored text when fromStoredTimestamp cannot read it as the date and time written: NULL (""), a date alone
 * (`2024-05-06`, read as the epoch), fields out of range (`2024-13-45 99:99:99`, which Date.UTC rolls over to another
 * date) or other text. Undefined when it reads exactly, as everything this app and the Flask app wrote does. Such a
 * row keeps its text and its wire `timestamp` as they were; the page shows this instead (never a wrong date).
 */
export function unreadableTimestamp(value: unknown): string | undefined {
  if (typeof value !== "string") return "";
  const m = STORED.exec(value);
  if (!m) return value;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((f) => Number(f ?? 0)) as [number, number, number, number, number, number];
  const read = fromStoredTimestamp(value);
  const isExact = read.getUTCFullYear() === y && read.getUTCMonth() === mo - 1 && read.getUTCDate() === d && read.getUTCHours() === h && read.getUTCMinutes() === mi && read.getUTCSeconds() === s;
  return isExact ? undefined : value;
}
