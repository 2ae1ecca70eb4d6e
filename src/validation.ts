// Runtime checks for every client payload: unknown in, a typed value or a Failure out. Pure, no I/O.
// The rules themselves are the schemas in payloads.ts; this file guards the object, picks the error code
// and keeps the Result shape the handlers use.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { z } from "zod";
import {
  banUserPayload,
  listBansPayload,
  unbanUserPayload,
  content,
  createInvitePayload,
  createRoomPayload,
  listInvitesPayload,
  myRoomsPayload,
  openDirectPayload,
  listMembersPayload,
  reactPayload,
  revokeInvitePayload,
  updateRoomPayload,
  deleteMessagePayload,
  editMessagePayload,
  kickUserPayload,
  fetchHistoryPayload,
  joinPayload,
  leavePayload,
  room,
  searchPayload,
  sendPayload,
  shownIds,
  typingPayload,
  username,
} from "./payloads.js";
import type { ErrorCode, Failure } from "./protocol.js";

export type Result<T> = { ok: true; value: T } | Failure;

export function fail(code: ErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } };
}

/** The error code of a bad field; the payload itself and the other fields (limit, isTyping) are invalid_payload. */
const FIELD_CODES: ReadonlyMap<string, ErrorCode> = new Map<string, ErrorCode>([
  ["username", "invalid_name"],
  ["room", "invalid_room"],
  ["title", "invalid_room"],
  ["content", "invalid_content"],
  ["clientId", "invalid_client_id"],
  ["since", "invalid_cursor"],
  ["before", "invalid_cursor"],
  ["after", "invalid_cursor"],
  ["around", "invalid_cursor"],
  ["attachments", "invalid_attachment"],
  ["emoji", "invalid_emoji"],
]);

/** A plain object: not null, not an array, not a class instance or a Buffer. */
function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const proto: unknown = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}

/**
 * The schema's fields, read as own properties only (a "__proto__" or "constructor" key never stands in
 * for a field; zod's object check would read inherited ones too). The keys are the schema's, never
 * "__proto__", so a plain object literal is safe to copy into.
 */
function ownFields(raw: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(raw, key)) picked[key] = raw[key];
  return picked;
}

type Issue = StandardSchemaV1.Issue;

/** The top-level field an issue is about; undefined for the payload itself. */
function fieldOf(issue: Issue): string | undefined {
  const segment = issue.path?.[0];
  if (segment === undefined) return undefined;
  return String(typeof segment === "object" ? segment.key : segment);
}

/** The issue of the field listed first in the schema (zod reports every bad field); the payload's own issues first. */
function firstIssue(issues: readonly Issue[], keys: readonly string[]): Issue {
  let best = issues[0] as Issue;
  let bestRank = Infinity;
  for (const issue of issues) {
    const field = fieldOf(issue);
    const rank = field === undefined ? -1 : keys.indexOf(field);
    if (rank < bestRank) [best, bestRank] = [issue, rank];
  }
  return best;
}

/**
 * Runs a schema through its Standard Schema entry (zod's `~standard.validate`): the same parse as
 * safeParse, but a failure is a plain list of issues, not a ZodError whose stack trace costs more than
 * the whole check. `code` is the answer's code for a bare field; for a payload, the bad field decides.
 */
function check<T>(schema: StandardSchemaV1<unknown, T>, value: unknown, keys: readonly string[], code?: ErrorCode): Result<T> {
  const res = schema["~standard"].validate(value);
  if (res instanceof Promise) throw new Error("payload schemas must be synchronous"); // a bug, not bad input
  if (res.issues === undefined) return { ok: true, value: res.value };
  const issue = firstIssue(res.issues, keys);
  return fail(code ?? FIELD_CODES.get(fieldOf(issue) ?? "") ?? "invalid_payload", issue.message);
}

/**
 * A parser for one payload schema: plain object, own fields, then the schema, compiled by zod (valid
 * input takes a generated fast path; invalid input falls back to the regular parser, same issues).
 */
function payloadParser<S extends z.ZodObject>(schema: S): (raw: unknown) => Result<z.output<S>> {
  const keys = Object.keys(schema.shape);
  const compiled = z.compile(schema);
  return (raw) => {
    if (!isPlainObject(raw)) return fail("invalid_payload", "payload must be an object");
    return check(compiled, ownFields(raw, keys), keys);
  };
}

const [compiledName, compiledRoom, compiledContent] = [z.compile(username), z.compile(room), z.compile(content)];
export const parseName = (value: unknown): Result<string> => check(compiledName, value, [], "invalid_name");
export const parseRoom = (value: unknown): Result<string> => check(compiledRoom, value, [], "invalid_room");
export const parseContent = (value: unknown): Result<string> => check(compiledContent, value, [], "invalid_content");

export const parseJoin = payloadParser(joinPayload);

const compiledShown = z.compile(shownIds);
/**
 * A join's `shown`, undefined when it has none. A Failure for a bad list, which the caller reports while the join
 * goes on as one without it: a page that sent a bad list still gets its room back as before.
 */
export function parseShown(raw: unknown): Result<number[] | undefined> {
  if (!isPlainObject(raw) || !Object.hasOwn(raw, "shown")) return { ok: true, value: undefined };
  return check(compiledShown, raw.shown, [], "invalid_payload");
}
export const parseFetchHistory = payloadParser(fetchHistoryPayload);
export const parseTyping = payloadParser(typingPayload);
export const parseSearch = payloadParser(searchPayload);
export const parseEditMessage = payloadParser(editMessagePayload);
export const parseDeleteMessage = payloadParser(deleteMessagePayload);
export const parseKickUser = payloadParser(kickUserPayload);
export const parseBanUser = payloadParser(banUserPayload);
export const parseUnbanUser = payloadParser(unbanUserPayload);
export const parseListBans = payloadParser(listBansPayload);
export const parseCreateRoom = payloadParser(createRoomPayload);
export const parseUpdateRoom = payloadParser(updateRoomPayload);
export const parseMyRooms = payloadParser(myRoomsPayload);
export const parseCreateInvite = payloadParser(createInvitePayload);
export const parseListInvites = payloadParser(listInvitesPayload);
export const parseRevokeInvite = payloadParser(revokeInvitePayload);
export const parseOpenDirect = payloadParser(openDirectPayload);
export const parseListMembers = payloadParser(listMembersPayload);
export const parseReact = payloadParser(reactPayload);

const parseSendFields = payloadParser(sendPayload);
const parseLeaveFields = payloadParser(leavePayload);

export interface SendInput {
  room: string;
  username: string;
  content: string;
  clientId?: string;
  attachments?: string[];
  /** Issue 22: the message of the room this one answers. */
  replyTo?: number;
}

/** clientId, attachments and replyTo are left out when absent, so a stored message carries none. */
export function parseSend(raw: unknown): Result<SendInput> {
  const parsed = parseSendFields(raw);
  if (!parsed.ok) return parsed;
  const { room, username, content, clientId, attachments, replyTo } = parsed.value;
  return {
    ok: true,
    value: { room, username, content, ...(clientId !== undefined ? { clientId } : {}), ...(attachments !== undefined ? { attachments } : {}), ...(replyTo !== undefined ? { replyTo } : {}) },
  };
}

/** The name a socket left with is the one it joined with: a given username is checked, not returned. */
export function parseLeave(raw: unknown): Result<{ room: string }> {
  const parsed = parseLeaveFields(raw);
  return parsed.ok ? { ok: true, value: { room: parsed.value.room } } : parsed;
}

/** Who owns a name in a room; the rules live in chat/names.ts. */
export { nameKey } from "./shared/names.js";
