// Property tests: whatever a client sends to any event, the server answers with an error, stores and
// broadcasts nothing, and goes on serving a well-behaved client in the same room. FUZZ_RUNS scales the runs.
import fc from "fast-check";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { isNotice, type Ack, type ChatErrorEvent, type ClientEventName, type ErrorBody, type ErrorCode, type JoinResult, type MessageEvent } from "../src/protocol.js";
import type { NewMessage as StoredInput } from "../src/storage/repository.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { rawConnect, type RawSocket } from "./helpers/raw-socket.js";
import { waitFor } from "./helpers/wait.js";

const ROOM = "fuzz";
const FUZZER = "fuzzer";
const GOOD = "good";
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const EVENTS: readonly ClientEventName[] = [
  "join_chat",
  "send_message",
  "leave_chat",
  "fetch_history",
  "typing",
  "search_messages",
  "edit_message",
  "delete_message",
  "kick_user",
  "ban_user",
  "unban_user",
  "list_bans",
  "create_room",
  "update_room",
  "my_rooms",
  "create_invite",
  "list_invites",
  "revoke_invite",
  "open_direct",
  "react",
  "list_members",
];
/** What a bad payload may be answered with; internal, rate_limited or storage_unavailable would be a bug here. */
const VALIDATION_CODES: readonly ErrorCode[] = [
  "invalid_payload",
  "invalid_name",
  "invalid_room",
  "invalid_content",
  "invalid_client_id",
  "invalid_cursor",
  "not_in_room",
  "name_mismatch",
  "invalid_attachment",
  "too_many_files",
  "invalid_emoji",
];
/**
 * Frames up to 8 MB are let through, so huge strings reach the handlers instead of being cut off by the transport
 * (a payload has at most ~6 fields of at most 600 kB of JSON each). Oversized frames: test/slow-client.test.ts.
 */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;

const TEST_TIMEOUT_MS = Math.max(60_000, RUNS * 150);
/** Shrinking 100 kB strings costs a round trip per step: stop it in time for the report to come out. */
const ASSERT_OPTIONS = { interruptAfterTimeLimit: TEST_TIMEOUT_MS - 15_000, markInterruptAsFailure: true, timeout: 10_000 };

const counts = { runs: 0, payloads: 0, rawRuns: 0, rawFrames: 0, byEvent: {} as Record<string, number> };

// ---------- value generators ----------

/** An object whose own key is `key` (an object literal's "__proto__" would set the prototype instead). */
function own(entries: [string, unknown][]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  return obj;
}

const VALID_SEND = { room: ROOM, username: FUZZER, content: "smuggled" };
const nastyKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "room", "username", "content", "since", "limit", "isTyping", "");
const binary = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));
const hugeString = fc
  .tuple(fc.integer({ min: 2_000, max: 100_000 }), fc.constantFrom("x", " ", "é", "e\u0301", "😀", "\u0000", "<b>", "\u202e", "\ud800"))
  .map(([n, unit]) => unit.repeat(n));
const deep = fc
  .tuple(fc.integer({ min: 10, max: 1500 }), fc.constantFrom("array", "object", "proto"), fc.constantFrom<unknown>(VALID_SEND, "x", null, 1))
  .map(([depth, kind, leaf]) => {
    let v: unknown = leaf;
    // One reference per level: a shared child would make a DAG whose JSON doubles with every level.
    for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : kind === "object" ? { room: v, content: "x" } : own([["__proto__", v]]);
    return v;
  });
const anything = fc.anything({
  key: fc.oneof(fc.string({ maxLength: 8 }), nastyKey),
  maxDepth: 4,
  withBoxedValues: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withMap: true,
  withSet: true,
});
/** Fields smuggled in through the prototype chain: the parsers must read own properties only. */
const smuggled = fc.constantFrom<unknown>(
  JSON.parse(`{"__proto__": ${JSON.stringify(VALID_SEND)}}`),
  own([["constructor", { prototype: VALID_SEND }]]),
  own([["__proto__", { room: ROOM, username: FUZZER }]]),
  Object.create(VALID_SEND),
  [VALID_SEND],
  [ROOM, FUZZER, "hello"],
  JSON.stringify(VALID_SEND),
);

/** A payload of any shape that is not a near-valid object (those come from the structured generator below). */
const shapeless = fc.oneof(anything, binary, hugeString, deep, smuggled, fc.array(binary, { maxLength: 3 }), fc.constantFrom<unknown>(null, undefined, 0, -1, true, "", [], {}));

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), binary);
/** Not a valid room or name whatever the state: wrong type, empty, too long, control characters. */
const badLabel = fc.oneof(
  notString,
  fc.constantFrom("", "   ", "\u0000", "a\nb", "a\u2028b", "\u0085x", "x".repeat(51), "é".repeat(51), "😀".repeat(51)),
  hugeString,
);
const badContent = fc.oneof(notString, fc.constantFrom("", " \n\t ", "a\u0000b", "\u0007", "\u2029", "x".repeat(501), "😀".repeat(501)), hugeString);
/** Never null or NaN/Infinity: JSON turns those into null, which means "absent" for optional fields. */
const badCursor = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.constantFrom(2 ** 53, 1e300, "5", "0", true, [1], { n: 1 }),
  binary,
);
const badLimit = fc.oneof(badCursor, fc.constantFrom(0, 501, 10_000));
/** Upload ids that are not ids, lists that are not lists, repeats, too many (null is absent there, not bad). */
const malformedAttachments = fc.oneof(
  notString.filter((v) => v !== null && !(Array.isArray(v) && v.length === 0)), // [] is no files: valid
  fc.constantFrom([""], ["x"], ["A".repeat(21)], ["A".repeat(23)], [`${"A".repeat(21)}!`], [1], [null], ["A".repeat(22), "A".repeat(22)], Array(51).fill("A".repeat(22))),
);
/** For a send, also well-formed ids of no upload of the fuzzer's (an edit can only tell once it found the message). */
const badAttachments = fc.oneof(malformedAttachments, fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{22}$/), { minLength: 1, maxLength: 3 }).filter((ids) => new Set(ids).size === ids.length));
const badClientId = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("not-a-uuid", "00000000-0000-0000-0000-00000000000g", 12, true, {}), binary);
const badBoolean = fc.oneof(fc.constantFrom(null, 0, 1, "true", "false", [], {}), fc.string({ maxLength: 5 }));
/** An optional flag: null is absent there (what JSON makes of undefined), so not a bad value. */
const badFlag = badBoolean.filter((v) => v !== null);

interface FieldSpec {
  good: fc.Arbitrary<unknown>;
  bad: fc.Arbitrary<unknown>;
  isOptional?: boolean;
}

// A room or name that is valid but wrong for this socket (not joined, not its name) is also an error,
// except in join_chat, where any valid pair would simply join.
const otherRoom = fc.constantFrom("elsewhere", "FUZZ!", "room 2");
const FIELDS: Record<ClientEventName, Record<string, FieldSpec>> = {
  join_chat: {
    room: { good: fc.constant(ROOM), bad: badLabel },
    username: { good: fc.constant(FUZZER), bad: badLabel },
    since: { good: fc.nat(), bad: badCursor, isOptional: true },
  },
  send_message: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(FUZZER), bad: fc.oneof(badLabel, fc.constantFrom("good", "someone")) },
    content: { good: fc.constantFrom("hello", "<b>hi</b>"), bad: badContent },
    clientId: { good: fc.uuid(), bad: badClientId, isOptional: true },
    attachments: { good: fc.constant([]), bad: badAttachments, isOptional: true },
    replyTo: { good: fc.constant(null), bad: fc.oneof(badCursor, fc.constant(0)), isOptional: true },
  },
  leave_chat: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(FUZZER), bad: badLabel, isOptional: true },
  },
  fetch_history: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    before: { good: fc.nat(), bad: badCursor, isOptional: true },
    around: { good: fc.nat(), bad: badCursor, isOptional: true },
    limit: { good: fc.integer({ min: 1, max: 500 }), bad: badLimit, isOptional: true },
  },
  typing: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    isTyping: { good: fc.boolean(), bad: badBoolean, isOptional: true },
  },
  search_messages: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    // "!!! *", '"' or "😀" holds no word: a search matching nothing, not bad input (polish review, 2026-12-07).
    q: { good: fc.constantFrom("hello", '"hi there"', "from:fuzzer", "NEAR(a b) -c*", "!!! *", '"', "😀"), bad: fc.oneof(notString, fc.constantFrom("", "   ", "x".repeat(201)), hugeString) },
    before: { good: fc.nat(), bad: badCursor, isOptional: true },
    limit: { good: fc.integer({ min: 1, max: 50 }), bad: fc.oneof(badCursor, fc.constantFrom(0, 51, 10_000)), isOptional: true },
  },
  edit_message: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    id: { good: fc.integer({ min: 1, max: 2 ** 31 }), bad: fc.oneof(badCursor, fc.constant(0)) },
    // An empty text is not bad in itself for an edit (the message may keep a file): only the message can say.
    content: { good: fc.constantFrom("hello", "<b>hi</b>"), bad: badContent.filter((c) => typeof c !== "string" || c.trim() !== "") },
    attachments: { good: fc.constant(undefined), bad: malformedAttachments, isOptional: true },
  },
  delete_message: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    id: { good: fc.integer({ min: 1, max: 2 ** 31 }), bad: fc.oneof(badCursor, fc.constant(0)) },
  },
  kick_user: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(GOOD), bad: badLabel },
  },
  unban_user: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(GOOD), bad: badLabel },
  },
  list_bans: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
  },
  ban_user: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(GOOD), bad: badLabel },
    durationMs: { good: fc.integer({ min: 1, max: 60_000 }), bad: fc.oneof(badCursor, fc.constantFrom(0, 365 * 24 * 3600 * 1000 + 1)) },
  },
  // Issue 17. A title is a room name's rules and never a private address's shape.
  create_room: { title: { good: fc.constantFrom("Team", "Ops room"), bad: fc.oneof(badLabel, fc.constant(`~${"A".repeat(22)}`)) } },
  update_room: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    isPrivate: { good: fc.boolean(), bad: badFlag, isOptional: true },
    membersCanInvite: { good: fc.boolean(), bad: badFlag, isOptional: true },
  },
  // No field to get wrong: only payloads that are not an object at all (see emission()).
  my_rooms: {},
  create_invite: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    expiresInMs: { good: fc.integer({ min: 60_000, max: 86_400_000 }), bad: fc.oneof(badCursor, fc.constantFrom(0, 59_999, 31 * 24 * 3600 * 1000)), isOptional: true },
    maxUses: { good: fc.integer({ min: 1, max: 10_000 }), bad: fc.oneof(badCursor, fc.constantFrom(0, 10_001)), isOptional: true },
  },
  list_invites: { room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) } },
  revoke_invite: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    id: { good: fc.integer({ min: 1, max: 2 ** 31 }), bad: fc.oneof(badCursor, fc.constant(0)) },
  },
  open_direct: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    username: { good: fc.constant(GOOD), bad: badLabel },
  },
  // A public room (this one, or any other) has no members list: invalid_room, as a bad label is.
  list_members: { room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) } },
  react: {
    room: { good: fc.constant(ROOM), bad: fc.oneof(badLabel, otherRoom) },
    id: { good: fc.integer({ min: 1, max: 2 ** 31 }), bad: fc.oneof(badCursor, fc.constant(0)) },
    emoji: { good: fc.constantFrom("👍", "🇫🇷", "1️⃣"), bad: fc.oneof(notString, fc.constantFrom("", "a", "ab", "👍👍", "\u200d", "🏽", "\ufe0f", "👍\u200d👍"), hugeString) },
    on: { good: fc.boolean(), bad: badBoolean },
  },
};

/** Objects with the event's fields, each good, bad or (if optional) absent, and at least one bad; plus junk keys. */
function nearValid(event: ClientEventName): fc.Arbitrary<unknown> {
  const specs = FIELDS[event];
  const names = Object.keys(specs);
  return fc.constantFrom(...names).chain((forcedBad) =>
    fc
      .tuple(
        fc.tuple(
          ...names.map((name) => {
            const spec = specs[name] as FieldSpec;
            const choices = name === forcedBad ? [spec.bad] : spec.isOptional ? [spec.good, spec.bad, fc.constant(undefined)] : [spec.good, spec.bad];
            return fc.oneof(...choices).map((v): [string, unknown] => [name, v]);
          }),
        ),
        fc.array(fc.tuple(nastyKey.filter((k) => !names.includes(k)), fc.oneof(fc.constant<unknown>(VALID_SEND), anything)), { maxLength: 2 }),
      )
      .map(([fields, junk]) => own([...fields.filter(([, v]) => v !== undefined), ...junk])),
  );
}

/**
 * An object the server would see with a string `room` (after JSON: boxed strings unboxed). Such a shape can
 * be valid by chance ({room: ")", username: new String("bjf")} joins), so the shapeless generator leaves it
 * to nearValid, which makes at least one field bad on purpose.
 */
function hasStringRoom(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  let seen: unknown;
  try {
    seen = JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return false;
  }
  return typeof seen === "object" && seen !== null && typeof (seen as { room?: unknown }).room === "string";
}

/**
 * What the server could see as a plain object: for an event without fields, any such payload is valid. Socket.IO
 * sends JSON, except in a packet with binary in it, where it copies each object's own keys (a boxed 0 arrives as {}).
 */
function isObjectOnTheWire(value: unknown): boolean {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) return true;
  try {
    const seen = JSON.parse(JSON.stringify(value) ?? "null") as unknown;
    return typeof seen === "object" && seen !== null && !Array.isArray(seen);
  } catch {
    return false;
  }
}

/** The same for create_room's `title`: valid by chance, it would make a room (or, without a cookie, answer session_required). */
function hasStringTitle(value: unknown): boolean {
  if (!isObjectOnTheWire(value)) return false;
  // An object can still travel as null (an invalid Date's JSON is "null"): read what the wire carries.
  const seen = JSON.parse(JSON.stringify(value) ?? "null") as { title?: unknown } | null;
  return typeof seen?.title === "string";
}

/** The arguments of one emit: usually one payload; sometimes none, or extra ones. */
function emission(event: ClientEventName): fc.Arbitrary<unknown[]> {
  const hasFields = Object.keys(FIELDS[event]).length > 0;
  const payload = hasFields
    ? fc.oneof({ weight: 3, arbitrary: nearValid(event) }, { weight: 2, arbitrary: shapeless.filter((v) => !hasStringRoom(v) && !hasStringTitle(v)) })
    : shapeless.filter((v) => !isObjectOnTheWire(v));
  return fc.oneof(
    { weight: 8, arbitrary: payload.map((p) => [p]) },
    { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    { weight: 1, arbitrary: fc.tuple(payload, anything).map((args) => [...args]) },
  );
}

// ---------- the world ----------

interface World {
  app: TestApp;
  fuzzer: ClientSocket;
  good: ClientSocket;
  /** Everything the good client received, in order. */
  seen: { event: string; payload: unknown }[];
  /** Every message that reached the repository. */
  stored: StoredInput[];
}

async function startWorld(): Promise<World> {
  const stored: StoredInput[] = [];
  const app = await startTestApp({
    env: {
      MAX_HTTP_BUFFER_BYTES: String(MAX_FRAME_BYTES),
      RATE_SEND_PER_SEC: "0",
      RATE_JOIN_PER_SEC: "0",
      RATE_HISTORY_PER_SEC: "0",
      RATE_TYPING_PER_SEC: "0",
      HANDSHAKES_PER_MINUTE_PER_IP: "0", // the wire fuzzer reconnects after every frame that gets it dropped
    },
    wrapRepo: (repo) => ({
      append: (m) => {
        stored.push(m);
        return repo.append(m);
      },
      page: (room, q) => repo.page(room, q),
      search: (room, query, opts) => repo.search(room, query, opts),
      isHealthy: () => repo.isHealthy(),
      close: () => repo.close(),
    }),
  });
  onTestFinished(app.close);
  const good = await app.joined(ROOM, GOOD);
  const fuzzer = await app.joined(ROOM, FUZZER);
  const seen: World["seen"] = [];
  for (const event of ["message", "typing", "presence", "chat_error"] as const) good.on(event, ((payload: unknown) => seen.push({ event, payload })) as never);
  await fence({ app, fuzzer, good, seen, stored }); // the fuzzer's own join notice is not part of any run
  return { app, fuzzer, good, seen, stored };
}

let fenceNo = 0;
/**
 * The good client sends a message and waits for it to come back. Returns what it received before that
 * message: had anything the fuzzer sent been broadcast, it would be there (one socket, one ordered stream).
 */
async function fence(world: World): Promise<{ event: string; payload: unknown }[]> {
  const content = `fence ${++fenceNo}`;
  const isFence = (e: { event: string; payload: unknown }): boolean => e.event === "message" && (e.payload as MessageEvent).content === content;
  const back = waitFor(world.good, "message", (m: MessageEvent) => m.content === content);
  const res = await world.good.timeout(5000).emitWithAck("send_message", { room: ROOM, username: GOOD, content });
  expect(res.ok, "the good client is still served").toBe(true);
  await back;
  // What came after the fence (it may already be there) belongs to the next round.
  return world.seen.splice(0, world.seen.findIndex(isFence) + 1).slice(0, -1);
}

/** A "left" notice: the raw client's own, when the server drops it. */
function isLeftNotice(e: { event: string; payload: unknown }): boolean {
  if (e.event !== "message") return false;
  const message = e.payload as MessageEvent;
  return isNotice(message) && message.kind === "left";
}

type Untyped = { timeout(ms: number): { emitWithAck(event: ClientEventName, ...args: unknown[]): Promise<unknown> }; emit(event: ClientEventName, ...args: unknown[]): void };
const untyped = (s: ClientSocket): Untyped => s as unknown as Untyped;

function errorCodeOf(answer: unknown): string {
  if (typeof answer === "object" && answer !== null && "ok" in answer && answer.ok === false && "error" in answer) {
    return String((answer.error as ErrorBody).code);
  }
  return `not an error: ${JSON.stringify(answer)?.slice(0, 200)}`;
}

/**
 * The run that gets the fuzzing client dropped fails with the reason (not a timeout), and the next run gets a
 * fresh client, so shrinking compares like with like.
 */
async function whileConnected<T>(world: World, run: () => Promise<T>): Promise<T> {
  if (!world.fuzzer.connected) {
    world.fuzzer = await world.app.joined(ROOM, FUZZER);
    await fence(world); // its left and joined notices
  }
  let onDrop: ((reason: string) => void) | undefined;
  const dropped = new Promise<never>((_, reject) => {
    onDrop = (reason) => reject(new Error(`the server dropped the fuzzing client (${reason})`));
    world.fuzzer.once("disconnect", onDrop);
  });
  try {
    return await Promise.race([run(), dropped]);
  } finally {
    world.fuzzer.off("disconnect", onDrop);
  }
}

async function emitAll(world: World, event: ClientEventName, batch: unknown[][], withAck: boolean): Promise<string[]> {
  if (withAck) {
    const answers = await Promise.all(batch.map((args) => untyped(world.fuzzer).timeout(5000).emitWithAck(event, ...args)));
    return answers.map(errorCodeOf);
  }
  const errors: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${errors.length} of ${batch.length} chat_error answers came`)), 5000);
    const listener = (e: ChatErrorEvent): void => {
      errors.push(e.event === event ? e.code : `chat_error for ${String(e.event)}`);
      if (errors.length < batch.length) return;
      clearTimeout(timer);
      world.fuzzer.off("chat_error", listener);
      resolve();
    };
    world.fuzzer.on("chat_error", listener);
  });
  for (const args of batch) untyped(world.fuzzer).emit(event, ...args);
  await done;
  return errors;
}

afterAll(() => {
  const perEvent = Object.entries(counts.byEvent)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.info(
    `fuzz: ${counts.runs} property runs, ${counts.payloads} payloads (${perEvent}); raw frames: ${counts.rawRuns} runs, ${counts.rawFrames} frames; FUZZ_RUNS=${RUNS}`,
  );
});

describe.each(EVENTS)("fuzzing %s", (event) => {
  it.each([
    ["with an ack: every payload is answered {ok:false} with a validation code", true],
    ["without an ack (legacy): every payload is answered with chat_error", false],
  ] as const)("%s; nothing stored or broadcast; the good client is still served", async (_label, withAck) => {
    const world = await startWorld();
    await fc.assert(
      fc.asyncProperty(fc.array(emission(event), { minLength: 1, maxLength: 4 }), async (batch) => {
        counts.runs++;
        counts.payloads += batch.length;
        counts.byEvent[event] = (counts.byEvent[event] ?? 0) + batch.length;
        const codes = await whileConnected(world, () => emitAll(world, event, batch, withAck));
        for (const code of codes) expect(VALIDATION_CODES, `answer code for ${event}`).toContain(code);
        expect(await fence(world), "nothing reached the good client before its own message").toEqual([]);
        expect(world.stored.filter((m) => m.sender !== GOOD)).toEqual([]);
      }),
      { ...ASSERT_OPTIONS, numRuns: RUNS },
    );
    // Still in the room as before, under the same name; no handler failed.
    expect(await world.app.app.presence.users(ROOM)).toEqual([FUZZER, GOOD]);
    expect(world.app.logs.filter((l) => l.level === "error")).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe("fuzzing the wire itself", () => {
  const rawFrame = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ maxLength: 100 }).map((s) => `42${s}`),
    fc.jsonValue().map((v) => `42${JSON.stringify(v)}`),
    fc.tuple(fc.constantFrom(...EVENTS), fc.jsonValue()).map(([e, v]) => `42${JSON.stringify([e, v])}`),
    fc.tuple(fc.nat(), fc.constantFrom(...EVENTS), fc.jsonValue()).map(([id, e, v]) => `42${id}${JSON.stringify([e, v])}`),
    fc.constantFrom(
      "4",
      "40",
      "41",
      "43",
      "44",
      "1",
      "5",
      "6",
      "42",
      "42[]",
      '42["disconnect"]',
      '42["connect"]',
      "42[1,2,3]",
      '42-1["send_message",{}]',
      '451-["send_message",{"_placeholder":true,"num":0}]',
      '451-["send_message",{"_placeholder":true,"num":99}]',
      '451-["send_message",{"_placeholder":true,"num":"__proto__"}]',
      '42["send_message",{"__proto__":{"room":"fuzz","username":"raw","content":"x"}}]',
      `42["send_message",${"[".repeat(100_000)}${"]".repeat(100_000)}]`,
      `42["send_message",${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}]`,
    ),
  );

  it("survives arbitrary Engine.IO/Socket.IO text frames: no crash, nothing stored or broadcast, others still served", async () => {
    const world = await startWorld();
    let raw: RawSocket | null = null;
    const rawSocket = async (): Promise<RawSocket> => {
      if (raw && raw.ws.readyState === raw.ws.OPEN) return raw;
      raw = await rawConnect(world.app.url);
      const joined = (await raw.call("join_chat", { room: ROOM, username: `raw${counts.rawRuns}` })) as Ack<JoinResult>;
      expect(joined.ok).toBe(true);
      await fence(world); // its join notice
      return raw;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(rawFrame, { minLength: 1, maxLength: 5 }), async (frames) => {
        counts.rawRuns++;
        counts.rawFrames += frames.length;
        const socket = await rawSocket();
        for (const frame of frames) if (socket.ws.readyState === socket.ws.OPEN) socket.send(frame);
        const leftovers = (await fence(world)).filter((e) => !isLeftNotice(e) && e.event !== "presence");
        expect(leftovers).toEqual([]);
        expect(world.stored.filter((m) => m.sender !== GOOD)).toEqual([]);
      }),
      { ...ASSERT_OPTIONS, numRuns: RUNS * 2 },
    );
    expect(world.app.logs.filter((l) => l.level === "error")).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
