// How a ban's end is told (src/access/ban-end.ts): a permanent ban (an end in the year 9999, or one no date can read)
// says "permanently", never a date 8,000 years away.
import { describe, expect, it } from "vitest";
import { banEndIso, bannedMessage, isPermanentBan } from "../src/access/ban-end.js";

describe("a ban's end", () => {
  it("names a moderator's ban's end in ISO 8601 UTC", () => {
    const until = new Date("2027-12-07T13:53:45.290Z");
    expect(isPermanentBan(until)).toBe(false);
    expect(banEndIso(until)).toBe("2027-12-07T13:53:45.290Z");
    expect(bannedMessage(until)).toBe("You are banned from this room until 2027-12-07T13:53:45.290Z.");
  });

  it("calls a ban ending in the year 9999 permanent, and one whose end no date can read (a store's 'infinity')", () => {
    for (const until of [new Date("9999-12-31T23:59:59.999Z"), new Date("9999-01-01T00:00:00.000Z"), new Date("infinity")]) {
      expect(isPermanentBan(until)).toBe(true);
      expect(banEndIso(until)).toBeNull();
      expect(bannedMessage(until)).toBe("You are banned from this room permanently.");
    }
    expect(isPermanentBan(new Date("9998-12-31T23:59:59.999Z"))).toBe(false);
  });
});
