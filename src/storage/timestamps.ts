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
