// Invite links are capability URLs (W3C TAG, "Good Practices for Capability URLs"): `/invite/<token>`, the
// token 256 bits from the OS's secure random source. Only its SHA-256 is stored, so a copy of the database
// holds no working link; a hash of 256 random bits needs no salt or slow hash to stay unguessable.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 bytes in base64url, without padding. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const TOKEN_BYTES = 32;

export function newInviteToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Only the shape a token can have is looked up: anything else is refused without touching the store. */
export function isInviteTokenShaped(value: string): boolean {
  return value.length === 43 && TOKEN.test(value);
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
