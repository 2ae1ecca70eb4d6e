// Invite links are capability URLs (W3C TAG, "Good Practices for Capability URLs"): `/invite/<token>`, the
// token 256 bits from the OS's secure random source. Only its SHA-256 is stored, so a copy of the database
// holds no working link; a hash of 256 random bits needs no salt or slow hash to stay unguessable.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 bytes in base64url, without padding. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_CHARS = 43;
export const TOKEN_BYTES = 32;

export function newInviteToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Only the shape a token can have is looked up: anything else is refused without touching the store. */
export function isInviteTokenShaped(value: string): boolean {
  return value.length === TOKEN_CHARS && TOKEN.test(value);
}

/**
 * `/invite/<token>` in a text (a request's path), however the router was reached: any letter case, and slashes
 * doubled or percent-encoded between the word and the token. The word keeps its spelling, so a log still shows
 * which link address was asked for.
 */
const INVITE_PATH = /(\/invite)(?:\/|%2f)+[^/?#\s]+/gi;
/** A token's shape standing alone, wherever it turns up (a query, a header, a path the router refused). */
const ANY_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/**
 * The text with every invite token masked (`/invite/[token]`, or `[token]` alone), for the log guard (log.ts):
 * a log line never carries a working link. The path rule covers what the routes accept; the shape rule is the
 * backstop for a token anywhere else. A text shorter than a token cannot hold one, and most log strings are.
 */
export function redactInviteTokens(text: string): string {
  if (text.length < TOKEN_CHARS) return text;
  return text.replace(INVITE_PATH, "$1/[token]").replace(ANY_TOKEN, "[token]");
}

/** What the store keeps of a token: SHA-256, hex. */
export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Whether `token` is the one `storedHash` was made from. The store finds the row by the hash (an index lookup
 * whose timing says nothing useful: the hash of an unknown token cannot be steered); the final comparison is
 * constant-time all the same.
 */
export function tokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashInviteToken(token), "hex");
  const kept = Buffer.from(storedHash, "hex");
  return given.length === kept.length && timingSafeEqual(given, kept);
}

export type InviteState = "active" | "expired" | "used_up" | "revoked";

export interface InviteLimits {
  expiresAt: Date;
  maxUses: number | null;
  uses: number;
  revokedAt: Date | null;
}

/** Revoked first (the manager's decision), then expired, then used up. */
export function inviteState(invite: InviteLimits, now: Date): InviteState {
  if (invite.revokedAt !== null) return "revoked";
  if (invite.expiresAt.getTime() <= now.getTime()) return "expired";
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return "used_up";
  return "active";
}
