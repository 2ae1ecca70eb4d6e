// Issue 17: the invite token is a capability URL's secret. Its entropy, what the store keeps of it, how it is
// compared, and when a link stops working.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashInviteToken, inviteState, isInviteTokenShaped, newInviteToken, tokenMatches, TOKEN_BYTES, type InviteLimits } from "../src/access/invite-token.js";
import { isPrivateAddress, redactPrivateAddresses } from "../src/access/room-address.js";
import { directPairKey, newPrivateAddress } from "../src/access/policy.js";

describe("invite tokens", () => {
  it("are 256 bits from the secure random source, base64url, and never repeat", () => {
    expect(TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
    const tokens = Array.from({ length: 2000 }, newInviteToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const t of tokens.slice(0, 50)) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t, "base64url")).toHaveLength(TOKEN_BYTES);
      expect(isInviteTokenShaped(t)).toBe(true);
    }
  });

  it("use every bit: over many tokens each of the 256 bit positions is set about half the time", () => {
    const n = 4000;
    const ones = new Array<number>(TOKEN_BYTES * 8).fill(0);
    for (let i = 0; i < n; i++) {
      const bytes = Buffer.from(newInviteToken(), "base64url");
      for (let bit = 0; bit < ones.length; bit++) if (((bytes[bit >> 3] as number) >> (bit & 7)) & 1) ones[bit] = (ones[bit] as number) + 1;
    }
    // Binomial(4000, 0.5): a standard deviation of 31.6; 6 of them either side would fail once in a billion runs per bit.
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(190);
  });

  it("is stored as its SHA-256 only: the hash is not the token, and the token cannot be read back from it", () => {
    const token = newInviteToken();
    const hash = hashInviteToken(token);
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
    expect(hashInviteToken(newInviteToken())).not.toBe(hash);
  });

  it("matches only the token it was made from, whatever the other's length or shape, without throwing", () => {
    const token = newInviteToken();
    const hash = hashInviteToken(token);
    expect(tokenMatches(token, hash)).toBe(true);
    const oneOff = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const other of [oneOff, newInviteToken(), "", "x", token + "x", token.slice(1), token.toUpperCase()]) expect(tokenMatches(other, hash)).toBe(false);
    expect(tokenMatches(token, "")).toBe(false); // a stored hash of another length: no exception from timingSafeEqual
    expect(tokenMatches(token, "zz")).toBe(false);
  });

  it("refuses anything not shaped like a token before any look-up", () => {
    for (const bad of ["", "a".repeat(42), "a".repeat(44), `${"a".repeat(42)}=`, `${"a".repeat(42)}/`, `${"a".repeat(42)}é`, "../../etc/passwd".padEnd(43, "a")]) {
      expect(isInviteTokenShaped(bad)).toBe(false);
    }
  });
});

describe("an invite's state", () => {
  const now = new Date("2026-01-01T12:00:00.000Z");
  const live: InviteLimits = { expiresAt: new Date(now.getTime() + 1000), maxUses: 2, uses: 1, revokedAt: null };

  it("is active until it expires, is used up, or is revoked; revoked wins, then expired, then used up", () => {
    expect(inviteState(live, now)).toBe("active");
    expect(inviteState({ ...live, maxUses: null, uses: 10_000 }, now)).toBe("active");
    expect(inviteState({ ...live, expiresAt: now }, now)).toBe("expired"); // the expiry instant itself is past it
    expect(inviteState({ ...live, uses: 2 }, now)).toBe("used_up");
    expect(inviteState({ ...live, uses: 2, expiresAt: now }, now)).toBe("expired");
    expect(inviteState({ ...live, uses: 2, expiresAt: now, revokedAt: now }, now)).toBe("revoked");
  });
});

describe("private addresses", () => {
  it("are ~ and 22 base64url characters (128 random bits), never shaped like anything else", () => {
    const addresses = Array.from({ length: 1000 }, newPrivateAddress);
    expect(new Set(addresses).size).toBe(1000);
    for (const a of addresses) {
      expect(a).toMatch(/^~[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(a.slice(1), "base64url")).toHaveLength(16);
      expect(isPrivateAddress(a)).toBe(true);
    }
    for (const name of ["general", "~general", `~${"a".repeat(21)}`, `~${"a".repeat(23)}`, `x${"a".repeat(22)}`, `~${"a".repeat(21)}!`]) expect(isPrivateAddress(name)).toBe(false);
  });

  it("are cut to their first characters in text meant for logs", () => {
    const a = newPrivateAddress();
    const redacted = redactPrivateAddresses(`GET /r/${a}?m=5 and room=${a}`);
    expect(redacted).not.toContain(a);
    expect(redacted).toBe(`GET /r/${a.slice(0, 5)}…?m=5 and room=${a.slice(0, 5)}…`);
    expect(redactPrivateAddresses("general")).toBe("general");
  });

  it("direct conversations: one pair key for two sessions in either order, another for any other pair", () => {
    expect(directPairKey("a", "b")).toBe(directPairKey("b", "a"));
    expect(directPairKey("a", "b")).not.toBe(directPairKey("a", "c"));
    expect(directPairKey("a|b", "c")).not.toBe(directPairKey("a", "b|c"));
  });
});
