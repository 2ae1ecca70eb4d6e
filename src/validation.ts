// Runtime checks for every client payload: unknown in, a typed value or a Failure out. Pure, no I/O.
import {
  LIMITS,
  type ErrorCode,
  type Failure,
  type FetchHistoryPayload,
  type JoinPayload,
  type LeavePayload,
  type SendPayload,
  type TypingPayload,
} from "./protocol.js";
import { hasInvisibleCharacters } from "./chat/names.js";

export type Result<T> = { ok: true; value: T } | Failure;

export function fail(code: ErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } };
}

type Fields = Record<string, unknown>;

/** A plain object: not null, not an array, not a class instance or a Buffer. */
function asFields(raw: unknown): Fields | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const proto: unknown = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) return null;
  return raw as Fields;
}

/** Own property only, so a "__proto__" or "constructor" key can never stand in for a field. */
function field(fields: Fields, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
}

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

// C0 and C1 control characters, DEL, and the line/paragraph separators that break layouts.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// Content may hold newlines and tabs; nothing else from the control ranges.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTENT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Cheap upper bound before any normalisation work: a 1 MB string is refused without scanning it twice. */
const MAX_RAW_UTF16 = 4 * LIMITS.contentMaxChars + 64;

function parseLabel(value: unknown, what: "name" | "room", maxChars: number): Result<string> {
  const code = what === "name" ? "invalid_name" : "invalid_room";
  const label = what === "name" ? "username" : "room";
  if (typeof value !== "string") return fail(code, `${label} must be a string`);
  if (value.length > MAX_RAW_UTF16) return fail(code, `${label} must be 1-${maxChars} characters`);
  const text = value.normalize("NFC").trim();
  const n = codePoints(text);
  if (n === 0 || n > maxChars) return fail(code, `${label} must be 1-${maxChars} characters`);
  if (CONTROL.test(text)) return fail(code, `${label} must not contain control characters`);
  if (hasInvisibleCharacters(text)) return fail(code, `${label} must not contain invisible or text-direction characters`);
  return { ok: true, value: text };
}

export const parseName = (value: unknown): Result<string> => parseLabel(value, "name", LIMITS.nameMaxChars);
export const parseRoom = (value: unknown): Result<string> => parseLabel(value, "room", LIMITS.roomMaxChars);

export function parseContent(value: unknown): Result<string> {
  const max = LIMITS.contentMaxChars;
  if (typeof value !== "string") return fail("invalid_content", "content must be a string");
  if (value.length > MAX_RAW_UTF16) return fail("invalid_content", `content must be 1-${max} characters`);
  const text = value.replace(/\r\n?/g, "\n").normalize("NFC").trim();
  const n = codePoints(text);
  if (n === 0 || n > max) return fail("invalid_content", `content must be 1-${max} characters`);
  if (CONTENT_CONTROL.test(text)) return fail("invalid_content", "content must not contain control characters");
  return { ok: true, value: text };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseClientId(value: unknown): Result<string | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== "string" || !UUID.test(value)) return fail("invalid_client_id", "clientId must be a UUID");
  return { ok: true, value: value.toLowerCase() };
}

function parseId(value: unknown, name: string): Result<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    return fail("invalid_cursor", `${name} must be a message id (a whole number >= 0)`);
  }
  return { ok: true, value };
}

function objectOrFail(raw: unknown): Fields | Failure {
  return asFields(raw) ?? fail("invalid_payload", "payload must be an object");
}

const isFailure = (x: Fields | Failure | Result<unknown>): x is Failure => (x as Failure).ok === false;

export function parseJoin(raw: unknown): Result<Required<Pick<JoinPayload, "username" | "room">> & Pick<JoinPayload, "since">> {
  const fields = objectOrFail(raw);
  if (isFailure(fields)) return fields;
  const username = parseName(field(fields, "username"));
  if (!username.ok) return username;
  const room = parseRoom(field(fields, "room"));
  if (!room.ok) return room;
  const since = parseId(field(fields, "since"), "since");
  if (!since.ok) return since;
  return { ok: true, value: { username: username.value, room: room.value, since: since.value } };
}

export function parseSend(raw: unknown): Result<SendPayload> {
  const fields = objectOrFail(raw);
  if (isFailure(fields)) return fields;
  const room = parseRoom(field(fields, "room"));
  if (!room.ok) return room;
  const username = parseName(field(fields, "username"));
  if (!username.ok) return username;
  const content = parseContent(field(fields, "content"));
  if (!content.ok) return content;
  const clientId = parseClientId(field(fields, "clientId"));
  if (!clientId.ok) return clientId;
  const value: SendPayload = { room: room.value, username: username.value, content: content.value };
  if (clientId.value !== undefined) value.clientId = clientId.value;
  return { ok: true, value };
}

export function parseLeave(raw: unknown): Result<LeavePayload> {
  const fields = objectOrFail(raw);
  if (isFailure(fields)) return fields;
  const room = parseRoom(field(fields, "room"));
  if (!room.ok) return room;
  // The name a socket left with is the one it joined with; a given username is only checked for shape.
  const rawName = field(fields, "username");
  if (rawName !== undefined) {
    const username = parseName(rawName);
    if (!username.ok) return username;
  }
  return { ok: true, value: { room: room.value } };
}

export function parseFetchHistory(raw: unknown): Result<Required<Pick<FetchHistoryPayload, "room" | "limit">> & Pick<FetchHistoryPayload, "before" | "after">> {
  const fields = objectOrFail(raw);
  if (isFailure(fields)) return fields;
  const room = parseRoom(field(fields, "room"));
  if (!room.ok) return room;
  const before = parseId(field(fields, "before"), "before");
  if (!before.ok) return before;
  const after = parseId(field(fields, "after"), "after");
  if (!after.ok) return after;
  if (before.value !== undefined && after.value !== undefined) {
    return fail("invalid_cursor", "give before or after, not both");
  }
  const rawLimit = field(fields, "limit");
  let limit: number = LIMITS.fetchDefaultLimit;
  if (rawLimit !== undefined && rawLimit !== null) {
    if (typeof rawLimit !== "number" || !Number.isSafeInteger(rawLimit) || rawLimit < 1 || rawLimit > LIMITS.historyMaxLimit) {
      return fail("invalid_payload", `limit must be a whole number from 1 to ${LIMITS.historyMaxLimit}`);
    }
    limit = rawLimit;
  }
  return { ok: true, value: { room: room.value, before: before.value, after: after.value, limit } };
}

export function parseTyping(raw: unknown): Result<Required<TypingPayload>> {
  const fields = objectOrFail(raw);
  if (isFailure(fields)) return fields;
  const room = parseRoom(field(fields, "room"));
  if (!room.ok) return room;
  const isTyping = field(fields, "isTyping");
  if (isTyping !== undefined && typeof isTyping !== "boolean") return fail("invalid_payload", "isTyping must be true or false");
  return { ok: true, value: { room: room.value, isTyping: isTyping ?? true } };
}

/** Who owns a name in a room; the rules live in chat/names.ts. */
export { nameKey } from "./chat/names.js";
