// Unit tests of validation.ts: the one place where unknown client input becomes typed values.
import { describe, expect, it } from "vitest";
import {
  nameKey,
  parseContent,
  parseFetchHistory,
  parseJoin,
  parseLeave,
  parseName,
  parseRoom,
  parseSend,
  parseTyping,
  type Result,
} from "../src/validation.js";

const EMOJI = "\u{1F600}"; // one code point, two UTF-16 units
const E_NFD = "e\u0301"; // "é" decomposed: two code points, one after NFC
const E_NFC = "\u00e9";

function codeOf<T>(r: Result<T>): string {
  return r.ok ? "ok" : r.error.code;
}
function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe.each([
  { label: "username", parse: parseName, code: "invalid_name" },
  { label: "room", parse: parseRoom, code: "invalid_room" },
])("$label (parse$label)", ({ label, parse, code }) => {
  it("trims surrounding whitespace and keeps the inside", () => {
    expect(valueOf(parse("  ana maria \t"))).toBe("ana maria");
  });

  it("accepts exactly 50 characters and refuses 51, counting after trimming", () => {
    expect(valueOf(parse("a".repeat(50)))).toHaveLength(50);
    expect(valueOf(parse(`   ${"a".repeat(50)}   `))).toBe("a".repeat(50));
    expect(codeOf(parse("a".repeat(51)))).toBe(code);
  });

  it("counts Unicode code points, not UTF-16 units", () => {
    const fifty = EMOJI.repeat(50); // 100 UTF-16 units
    expect(fifty.length).toBe(100);
    expect(valueOf(parse(fifty))).toBe(fifty);
    expect(codeOf(parse(EMOJI.repeat(51)))).toBe(code);
  });

  it("normalises to NFC before counting, so 50 decomposed letters fit", () => {
    const decomposed = E_NFD.repeat(50); // 100 code points before NFC
    expect(valueOf(parse(decomposed))).toBe(E_NFC.repeat(50));
    expect(codeOf(parse(E_NFD.repeat(51)))).toBe(code);
  });

  it("refuses empty and blank values", () => {
    expect(codeOf(parse(""))).toBe(code);
    expect(codeOf(parse("   \t "))).toBe(code);
  });

  it.each([
    ["NUL", "a\u0000b"],
    ["newline inside", "a\nb"],
    ["tab inside", "a\tb"],
    ["bell", "a\u0007b"],
    ["DEL", "a\u007fb"],
    ["C1 NEL", "a\u0085b"],
    ["line separator", "a\u2028b"],
    ["paragraph separator", "a\u2029b"],
  ])("refuses control characters (%s)", (_name, value) => {
    const r = parse(value);
    expect(codeOf(r)).toBe(code);
    expect(r.ok ? "" : r.error.message).toMatch(/control characters/);
  });

  it.each([[5], [null], [undefined], [{}], [["ana"]], [true]])("refuses a non-string (%j)", (value) => {
    const r = parse(value);
    expect(codeOf(r)).toBe(code);
    expect(r.ok ? "" : r.error.message).toContain(label);
  });

  it("refuses a 1 MB string with a message naming the limit", () => {
    const r = parse("x".repeat(1024 * 1024));
    expect(codeOf(r)).toBe(code);
    expect(r.ok ? "" : r.error.message).toBe(`${label} must be 1-50 characters`);
  });
});

describe("parseContent", () => {
  it("turns \\r\\n and a lone \\r into \\n", () => {
    expect(valueOf(parseContent("one\r\ntwo\rthree\nfour"))).toBe("one\ntwo\nthree\nfour");
  });

  it("allows newlines and tabs inside, trims them at the ends", () => {
    expect(valueOf(parseContent("\n\t  line 1\n\tline 2  \r\n"))).toBe("line 1\n\tline 2");
  });

  it.each([
    ["NUL", "a\u0000b"],
    ["bell", "a\u0007b"],
    ["vertical tab", "a\u000bb"],
    ["form feed", "a\u000cb"],
    ["escape", "a\u001b[31mb"],
    ["DEL", "a\u007fb"],
    ["C1", "a\u009bb"],
    ["line separator", "a\u2028b"],
  ])("refuses other control characters (%s)", (_name, value) => {
    expect(codeOf(parseContent(value))).toBe("invalid_content");
  });

  it("accepts exactly 500 characters and refuses 501", () => {
    expect(valueOf(parseContent("a".repeat(500)))).toHaveLength(500);
    const r = parseContent("a".repeat(501));
    expect(codeOf(r)).toBe("invalid_content");
    expect(r.ok ? "" : r.error.message).toBe("content must be 1-500 characters");
  });

  it("counts code points: 500 emoji fit, 501 do not", () => {
    expect(valueOf(parseContent(EMOJI.repeat(500)))).toBe(EMOJI.repeat(500));
    expect(codeOf(parseContent(EMOJI.repeat(501)))).toBe("invalid_content");
  });

  it("counts after NFC, \\r\\n folding and trimming", () => {
    expect(valueOf(parseContent(E_NFD.repeat(500)))).toBe(E_NFC.repeat(500));
    // 501 code points as sent; 500 once \r\n became \n.
    const folded = `${"a".repeat(249)}\r\n${"b".repeat(250)}`;
    expect([...folded]).toHaveLength(501);
    expect(valueOf(parseContent(folded))).toHaveLength(500);
    expect(valueOf(parseContent(`   ${"a".repeat(500)}   `))).toHaveLength(500);
  });

  it.each([[""], ["   "], ["\r\n\t"], [42], [null], [{ text: "hi" }]])("refuses empty or non-string content (%j)", (value) => {
    expect(codeOf(parseContent(value))).toBe("invalid_content");
  });

  it("refuses a 1 MB string", () => {
    expect(codeOf(parseContent("x".repeat(1024 * 1024)))).toBe("invalid_content");
  });
});

describe("payload shape", () => {
  class Payload {
    username = "ana";
    room = "r";
  }
  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 42],
    ["a string", "ana"],
    ["a boolean", true],
    ["an array", [{ username: "ana", room: "r" }]],
    ["a Buffer", Buffer.from("{}")],
    ["a Date", new Date()],
    ["a class instance", new Payload()],
  ])("refuses %s with invalid_payload in every parser", (_name, raw) => {
    for (const parse of [parseJoin, parseSend, parseLeave, parseFetchHistory, parseTyping]) {
      const r = parse(raw);
      expect(codeOf(r)).toBe("invalid_payload");
      expect(r.ok ? "" : r.error.message).toBe("payload must be an object");
    }
  });

  it("accepts an object without prototype", () => {
    const raw = Object.assign(Object.create(null) as Record<string, unknown>, { username: "ana", room: "r" });
    expect(valueOf(parseJoin(raw))).toEqual({ username: "ana", room: "r", since: undefined });
  });

  it("never reads fields through a __proto__ key", () => {
    const raw: unknown = JSON.parse('{"__proto__": {"username": "ana", "room": "r"}}');
    expect(codeOf(parseJoin(raw))).toBe("invalid_name");
  });

  it("ignores a __proto__ key beside valid fields and pollutes nothing", () => {
    const raw: unknown = JSON.parse('{"username": "ana", "room": "r", "__proto__": {"polluted": true}}');
    expect(valueOf(parseJoin(raw))).toEqual({ username: "ana", room: "r", since: undefined });
    expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops unknown fields from the value it returns", () => {
    expect(valueOf(parseSend({ username: "ana", room: "r", content: "hi", isAdmin: true }))).toEqual({ username: "ana", room: "r", content: "hi" });
  });
});

describe("parseJoin", () => {
  it("normalises username and room", () => {
    expect(valueOf(parseJoin({ username: ` Jos${E_NFD} `, room: " caf\u0065\u0301 " }))).toEqual({
      username: `Jos${E_NFC}`,
      room: `caf${E_NFC}`,
      since: undefined,
    });
  });

  it("checks the username before the room", () => {
    expect(codeOf(parseJoin({ username: "", room: "" }))).toBe("invalid_name");
    expect(codeOf(parseJoin({ username: "ana" }))).toBe("invalid_room");
  });

  it.each([[0], [1], [Number.MAX_SAFE_INTEGER]])("accepts since=%j", (since) => {
    expect(valueOf(parseJoin({ username: "a", room: "r", since })).since).toBe(since);
  });

  it.each([[-1], [1.5], ["5"], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53], [{}]])("refuses since=%j with invalid_cursor", (since) => {
    expect(codeOf(parseJoin({ username: "a", room: "r", since }))).toBe("invalid_cursor");
  });

  it("treats since=null as absent", () => {
    expect(valueOf(parseJoin({ username: "a", room: "r", since: null })).since).toBeUndefined();
  });
});

describe("parseSend", () => {
  const base = { username: "ana", room: "r", content: "hi" };

  it("checks room, then username, then content", () => {
    expect(codeOf(parseSend({}))).toBe("invalid_room");
    expect(codeOf(parseSend({ room: "r" }))).toBe("invalid_name");
    expect(codeOf(parseSend({ room: "r", username: "ana" }))).toBe("invalid_content");
  });

  it("lower-cases a UUID clientId and leaves it out when absent or null", () => {
    const id = "9F1C2B3A-4D5E-4F60-8A7B-0C1D2E3F4A5B";
    expect(valueOf(parseSend({ ...base, clientId: id })).clientId).toBe(id.toLowerCase());
    expect(valueOf(parseSend(base))).not.toHaveProperty("clientId");
    expect(valueOf(parseSend({ ...base, clientId: null }))).not.toHaveProperty("clientId");
  });

  it.each([["not-a-uuid"], [""], [12345], [{}], ["9f1c2b3a-4d5e-4f60-8a7b-0c1d2e3f4a5b-extra"]])("refuses clientId %j with invalid_client_id", (clientId) => {
    expect(codeOf(parseSend({ ...base, clientId }))).toBe("invalid_client_id");
  });
});

describe("parseLeave", () => {
  it("needs only the room; a given username is checked for shape but not returned", () => {
    expect(valueOf(parseLeave({ room: " r " }))).toEqual({ room: "r" });
    expect(valueOf(parseLeave({ room: "r", username: "someone" }))).toEqual({ room: "r" });
    expect(codeOf(parseLeave({ room: "r", username: "" }))).toBe("invalid_name");
    expect(codeOf(parseLeave({ username: "ana" }))).toBe("invalid_room");
  });
});

describe("parseFetchHistory", () => {
  it("defaults limit to 50 and takes before or after", () => {
    expect(valueOf(parseFetchHistory({ room: "r" }))).toEqual({ room: "r", limit: 50, before: undefined, after: undefined });
    expect(valueOf(parseFetchHistory({ room: "r", before: 10, limit: 1 }))).toEqual({ room: "r", limit: 1, before: 10, after: undefined });
    expect(valueOf(parseFetchHistory({ room: "r", after: 0, limit: 500 }))).toEqual({ room: "r", limit: 500, before: undefined, after: 0 });
  });

  it.each([[0.5], ["10"], [0]])("reports before and after together ahead of a bad limit=%j, and a bad room ahead of both", (limit) => {
    expect(codeOf(parseFetchHistory({ room: "r", before: 5, after: 1, limit }))).toBe("invalid_cursor");
    expect(codeOf(parseFetchHistory({ room: "", before: 5, after: 1, limit }))).toBe("invalid_room");
  });

  it.each([[0], [501], [1.5], ["10"], [-1]])("refuses limit=%j with invalid_payload", (limit) => {
    const r = parseFetchHistory({ room: "r", limit });
    expect(codeOf(r)).toBe("invalid_payload");
    expect(r.ok ? "" : r.error.message).toContain("limit");
  });

  it("refuses before and after together, and bad cursors, with invalid_cursor", () => {
    expect(codeOf(parseFetchHistory({ room: "r", before: 5, after: 1 }))).toBe("invalid_cursor");
    expect(codeOf(parseFetchHistory({ room: "r", before: -1 }))).toBe("invalid_cursor");
    expect(codeOf(parseFetchHistory({ room: "r", after: "3" }))).toBe("invalid_cursor");
  });
});

describe("parseTyping", () => {
  it("defaults isTyping to true and accepts false", () => {
    expect(valueOf(parseTyping({ room: "r" }))).toEqual({ room: "r", isTyping: true });
    expect(valueOf(parseTyping({ room: "r", isTyping: false }))).toEqual({ room: "r", isTyping: false });
  });

  it("refuses a non-boolean isTyping", () => {
    expect(codeOf(parseTyping({ room: "r", isTyping: "yes" }))).toBe("invalid_payload");
  });
});

describe("nameKey", () => {
  it("is the same for names that differ only in case or normalisation form", () => {
    expect(nameKey("Ana")).toBe(nameKey("aNA"));
    expect(nameKey(`Jos${E_NFD}`)).toBe(nameKey(`JOS${E_NFC}`));
    expect(nameKey("Ana")).not.toBe(nameKey("Anna"));
  });
});
