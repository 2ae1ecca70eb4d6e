// How a ban's end is told. A moderator's ban lasts at most a year (MAX_BAN_MS); a permanent one is an operator's
// decision, written in the database (docs/moderation.md) with an end in the year 9999: the latest end both stores
// still compare as time (ends are ISO text, and a later year is written "+010000-…", which sorts before "2026-…").
// Its end was told as "until 9999-12-31T23:59:59.999Z", which the page showed as a date some 8,000 years away (or,
// east of UTC, in the year 10000).

/** Bans ending at or after this are permanent. */
export const PERMANENT_BAN_FROM = new Date("9999-01-01T00:00:00.000Z");

/** A ban with no end to tell: from the year 9999 on, or an end the store holds but no date can read. */
export function isPermanentBan(until: Date): boolean {
  const time = until.getTime();
  return Number.isNaN(time) || time >= PERMANENT_BAN_FROM.getTime();
}

/** The ban's end as the server's texts name it (ISO 8601 UTC, which the page shows in the reader's time), or null for a permanent ban. */
export function banEndIso(until: Date): string | null {
  return isPermanentBan(until) ? null : until.toISOString();
}

/** "until <ISO>", or "permanently": how every refusal for a ban names its end. */
export function banEndWords(until: Date): string {
  const end = banEndIso(until);
  return end === null ? "permanently" : `until ${end}`;
}

/** "You are banned from this room until <ISO>.", or "… permanently." */
export function bannedMessage(until: Date): string {
  return `You are banned from this room ${banEndWords(until)}.`;
}
