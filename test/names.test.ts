// Name rules against look-alikes: invisible characters are refused, and the ownership key folds
// compatibility forms, case (the same in every locale) and confusables.
import { describe, expect, it } from "vitest";
import { hasInvisibleCharacters, nameKey } from "../src/shared/names.js";
import { nameKey as nameKeyFromValidation, parseName, parseRoom } from "../src/validation.js";

const codeOf = (r: { ok: boolean; error?: { code: string } }): string | undefined => (r.ok ? undefined : r.error?.code);

describe("invisible characters", () => {
  it.each([
    ["zero-width space", "Ana\u200B"],
    ["zero-width joiner", "A\u200Dna"],
    ["right-to-left override", "\u202EanA\u202C"],
    ["right-to-left isolate", "\u2067Ana\u2069"],
    ["left-to-right mark", "Ana\u200E"],
    ["Arabic letter mark", "Ana\u061C"],
    ["soft hyphen", "A\u00ADna"],
    ["word joiner", "An\u2060a"],
    ["byte order mark (zero-width no-break space)", "An\uFEFFa"],
    ["variation selector", "Ana\uFE0F"],
    ["Hangul filler", "\u3164"],
    ["tag character", "Ana\u{E0041}"],
    ["Braille pattern blank (draws as a space, is not one)", "Ana\u2800"],
  ])("refuses a name with a %s as invalid_name, and a room with one as invalid_room", (_what, text) => {
    expect(hasInvisibleCharacters(text)).toBe(true);
    expect(codeOf(parseName(text))).toBe("invalid_name");
    expect(codeOf(parseRoom(text))).toBe("invalid_room");
  });

  it("accepts visible names in any script, with marks, emoji and inner spaces", () => {
    for (const text of ["Ana", "José", "Jose\u0301", "Ana Lopez", "İvan", "Ελένη", "Иван", "李小龍", "محمد", "Ana 🎉", "O'Brien-Smith"]) {
      expect(hasInvisibleCharacters(text)).toBe(false);
      expect(parseName(text).ok).toBe(true);
    }
  });

  it("leaves a room's name as typed otherwise: rooms are not folded", () => {
    expect(parseRoom("Lobby")).toEqual({ ok: true, value: "Lobby" });
    expect(parseRoom("LOBBY")).toEqual({ ok: true, value: "LOBBY" });
  });
});

describe("nameKey", () => {
  it.each([
    ["capitals", "ANA"],
    ["Cyrillic A", "\u0410na"],
    ["mathematical sans-serif letters", "𝖠𝗇𝖺"],
    ["fullwidth letters", "Ａｎａ"],
    ["Greek capital alpha", "\u0391na"],
  ])("makes %s the same name as Ana", (_what, lookAlike) => {
    expect(nameKey(lookAlike)).toBe(nameKey("Ana"));
  });

  it("counts runs of spaces as one", () => {
    expect(nameKey("Ana  Lopez")).toBe(nameKey("Ana Lopez"));
    expect(nameKey("Ana\u00A0Lopez")).toBe(nameKey("Ana Lopez"));
    expect(nameKey("Ana\u3000\u2003Lopez")).toBe(nameKey("ana lopez"));
  });

  it("folds case fully and the same way in every locale", () => {
    expect(nameKey("Straße")).toBe(nameKey("STRASSE"));
    expect(nameKey("ΟΔΥΣΣΕΥΣ")).toBe(nameKey("οδυσσευς"));
    // Turkish dotted capital I folds to i + combining dot, never to a plain "i": İvan is not ivan.
    expect(nameKey("İvan")).not.toBe(nameKey("ivan"));
    expect(nameKey("İVAN")).toBe(nameKey("i\u0307van"));
  });

  it("tells different names apart", () => {
    expect(nameKey("Ana")).not.toBe(nameKey("Anna"));
    expect(nameKey("Ana")).not.toBe(nameKey("Ada"));
    expect(nameKey("Ana Lopez")).not.toBe(nameKey("AnaLopez"));
  });

  it("is the one validation.ts exports", () => {
    expect(nameKeyFromValidation).toBe(nameKey);
  });
});
