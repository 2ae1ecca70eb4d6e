// Private rooms' and invite links' settings (read by loadConfig in src/config.ts, as src/push/settings.ts reads
// push's), and whether the home page lists public rooms.
import { LIMITS } from "../protocol.js";

export interface AccessSettings {
  /** The home page lists the busiest public rooms (and /api/rooms answers); false shows no room names at all. */
  listPublicRooms: boolean;
  /** An invite link's life when its maker picks none. */
  inviteTtlMs: number;
  /** The longest life an invite link may be given. */
  inviteMaxTtlMs: number;
  /** Invite link openings and uses per minute, per address and per browser session (guessing is refused beyond). */
  inviteTriesPerMinute: number;
  /** Private rooms one browser session may have created (that still exist). */
  maxRoomsPerSession: number;
  /** Invite links of one room that are still usable at once. */
  maxInvitesPerRoom: number;
}


const DAY_MS = 24 * 3600 * 1000;

export function accessSettings(
  int: (name: string, fallback: number, min: number, max: number) => number,
  bool: (name: string, fallback: boolean) => boolean,
  problems: string[],
): AccessSettings {
  const inviteMaxTtlMs = int("INVITE_MAX_TTL_MS", 30 * DAY_MS, 60_000, LIMITS.inviteMaxTtlMs);
  const inviteTtlMs = int("INVITE_TTL_MS", 7 * DAY_MS, 60_000, LIMITS.inviteMaxTtlMs);
  if (inviteTtlMs > inviteMaxTtlMs) problems.push(`INVITE_TTL_MS (${inviteTtlMs}) must not be above INVITE_MAX_TTL_MS (${inviteMaxTtlMs})`);
  return {
    listPublicRooms: bool("LIST_PUBLIC_ROOMS", true),
    inviteTtlMs,
    inviteMaxTtlMs,
    inviteTriesPerMinute: int("INVITE_TRIES_PER_MINUTE", 20, 1, 10_000),
    maxRoomsPerSession: int("MAX_PRIVATE_ROOMS_PER_SESSION", 50, 1, 100_000),
    maxInvitesPerRoom: int("MAX_INVITES_PER_ROOM", 50, 1, 100_000),
  };
}
