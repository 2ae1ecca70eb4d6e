// Private rooms against a model (issue 17): fast-check commands drive random sequences of create, invite, redeem,
// join, leave, kick, ban, revoke, send, edit, delete, search, history (before/after/around), typing, outsider joins,
// members-may-invite, and a moderator moving a room between public and private (update_room), plus two races (a
// session's removal against its other tab's join; several sessions redeeming one link), by four browser sessions
// (two tabs each, one a moderator) and a cookie-less client, against the real server. The model is who is admitted
// to each private room, which tabs are in it, its invite links, bans and messages, and the run's public rooms.
// After every command the invariants are checked:
//   (a) every event any tab received about a private room went to a tab that was in the room before or after the
//       command (so to a session admitted then); no event anywhere carries a private room's address or text to a
//       tab whose session was not admitted (a `room_moved` may name the address to the sessions it admits);
//   (b) a session not admitted gets, for join_chat / fetch_history / search_messages / typing / list_members of the
//       address, the very answer a made-up private address gets (not_found for the join and the members list,
//       not_in_room for the rest);
//   (c) every admitted session can join the room and reads exactly the messages the model holds (a tab in the room
//       reads its history; a session with no tab there joins with a probe tab), and my_rooms lists exactly its rooms;
//   (d) invite redemption follows the model (410 invite_used_up, 410 invite_revoked, a use spent only on a new member).
// Shared by test/access.model.test.ts (SQLite), test/cluster/access.model.test.ts (PostgreSQL) and
// test/cluster/access.model-nodes.test.ts (two nodes on PostgreSQL and Redis). No sleeps: expected events are
// awaited, and a fence (a message in the run's lobby, awaited by every tab) closes each step's window.
//
// fc.commands + fc.asyncModelRun rather than a hand-rolled sequence: the addresses, tokens and ids exist only once
// the server made them, so commands pick rooms, invites and messages by index at run time (modulo what exists),
// and fast-check's command shrinker can drop any step and still replay the rest.
import fc from "fast-check";
import { expect } from "vitest";
import {
  isNotice,
  type Ack,
  type CreatedInvite,
  type HistoryResult,
  type JoinResult,
  type MessageEvent,
  type MyRoom,
  type RoomInfo,
  type SearchResult,
  type SendResult,
  type WireMessage,
} from "../../src/protocol.js";
import { joinRoom, type ClientSocket } from "./app.js";
import { call } from "./emit.js";
import { waitFor as waitForEvent } from "./wait.js";
import { sessionCookieFrom } from "./session-cookie.js";

/** What the model runs against: one app (SQLite or PostgreSQL), or several nodes sharing one store and Redis. */
export interface ModelServer {
  /** Each node's base URL; the tabs of a session are spread over them. */
  urls: readonly string[];
  /** A fresh browser session cookie ("mr_session=..."), valid on every node. */
  newSession(): string;
  /** A session signed in at /moderate (once per server: the sign-in limit would not last a long shrink). */
  moderatorCookie: string;
  connect(node: number, cookie: string | null): Promise<ClientSocket>;
  /** Closes the socket and resolves once its node has handled the disconnect. */
  disconnect(socket: ClientSocket): Promise<void>;
}

export const MODEL_MODERATOR_TOKEN = "model-moderator-token-0123456789";

/** Every node's settings: limits off (one address sends everything), no name grace (probe tabs leave at once). */
export const MODEL_ENV: Readonly<Record<string, string>> = {
  MODERATOR_TOKEN: MODEL_MODERATOR_TOKEN,
  NAME_GRACE_MS: "0",
  RATE_SEND_PER_SEC: "0",
  RATE_JOIN_PER_SEC: "0",
  RATE_HISTORY_PER_SEC: "0",
  RATE_TYPING_PER_SEC: "0",
  HANDSHAKES_PER_MINUTE_PER_IP: "0",
  MAX_CONNECTIONS_PER_IP: "0",
  INVITE_TRIES_PER_MINUTE: "10000",
  MAX_PRIVATE_ROOMS_PER_SESSION: "100000",
};

/** Signs `cookie`'s session in as a moderator at /moderate, as the page's form does; the cookie the browser then holds. */
export async function signInModerator(url: string, cookie: string): Promise<string> {
  const res = await fetch(`${url}/moderate`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: MODEL_MODERATOR_TOKEN }).toString(),
  });
  if (res.status !== 303) throw new Error(`moderator sign-in answered ${res.status}`);
  return sessionCookieFrom(res.headers.getSetCookie());
}

// ---------- the people ----------

interface Person {
  name: string;
  isBrowser: boolean;
  isModerator: boolean;
  tabs: number;
}

/** Mod signs in at /moderate; Anon has no session cookie (the Flask original's clients), so it is never admitted. */
const PEOPLE: readonly Person[] = [
  { name: "Mod", isBrowser: true, isModerator: true, tabs: 2 },
  { name: "Ana", isBrowser: true, isModerator: false, tabs: 2 },
  { name: "Ben", isBrowser: true, isModerator: false, tabs: 2 },
  { name: "Cy", isBrowser: true, isModerator: false, tabs: 2 },
  { name: "Anon", isBrowser: false, isModerator: false, tabs: 1 },
];
const BROWSERS = PEOPLE.flatMap((p, i) => (p.isBrowser ? [i] : []));
/** Whose each tab is (Real.tabs is laid out the same way): lets a command's check() see who is where. */
const TAB_PERSON = PEOPLE.flatMap((p, i) => Array.from({ length: p.tabs }, () => i));
const personOf = (i: number): Person => PEOPLE[i] as Person;
const MAX_ROOMS = 3;
const WORDS = ["apple", "banana", "cherry"] as const;
const LIMITS = [1, 2, 3, 5, 50] as const;
const BAN_MS = 3_600_000;

// ---------- the model ----------

interface Msg {
  id: number;
  room: string;
  content: string;
  sender: number;
  isDeleted: boolean;
}

interface Invite {
  id: number;
  home: Room;
  room: string;
  token: string;
  maker: number;
  maxUses: number | null;
  uses: number;
  isRevoked: boolean;
  /** Its room was made public: the room's invites went with its record. */
  isGone: boolean;
}

/** Bans by name (any session using it) and by session (under any name); they move with the room. */
interface Bans {
  bannedNames: Set<number>;
  bannedSessions: Set<number>;
}

/** A public room of the run (not the lobby): anyone joins it; a moderator in it may make it private. */
interface PublicRoom extends Bans {
  name: string;
  joined: Set<number>;
  messages: Msg[];
}

interface Room extends Bans {
  /** A private room, or a direct conversation (two sessions; leaving it closes it, the admission stays). */
  kind: "private" | "direct";
  /** Per person a kick or ban took out: the newest link id of the room then; links up to it no longer admit it. */
  kickedUpTo?: Map<number, number>;
  address: string;
  /** How the steps call it (Team0, plaza 3...), and the title the server has. */
  title: string;
  name: string;
  /** Its creator's person; -1 for none (a direct conversation, or a creator a moderator removed). */
  creator: number;
  membersCanInvite: boolean;
  /** Direct: its two people (either may be out of it for now: kicked). */
  pair?: readonly [number, number];
  /** People (indexes into PEOPLE) whose browser session is admitted. */
  admitted: Set<number>;
  /** Tabs (indexes into Real.tabs) that are in the room. */
  joined: Set<number>;
  messages: Msg[];
  /** Every text the room ever held (edited away too): none of it may reach a tab that was never in the room. */
  texts: Set<string>;
}

export interface Model {
  /** The private rooms. */
  rooms: Room[];
  invites: Invite[];
  publicRooms: PublicRoom[];
  /** Every private address of the run, those made public since too: my_rooms must list none of them unless admitted. */
  addresses: Set<string>;
}

// ---------- the real side ----------

interface Received {
  event: string;
  payload: unknown;
}

interface Tab {
  index: number;
  person: number;
  label: string;
  socket: ClientSocket;
  /** Everything received since the last fence, in order. */
  inbox: Received[];
}

type CanonicalEvent =
  | "join_chat"
  | "fetch_history"
  | "search_messages"
  | "typing"
  | "send_message"
  | "edit_message"
  | "delete_message"
  | "leave_chat"
  | "kick_user"
  | "ban_user"
  | "create_invite"
  | "revoke_invite"
  | "update_room"
  | "list_members";

export interface Real {
  server: ModelServer;
  run: number;
  lobby: string;
  cookies: (string | null)[];
  tabs: Tab[];
  fence: ClientSocket;
  /** What a made-up private address is answered, per event, from a tab not in it: the answer every outsider must get. */
  canonical: Record<CanonicalEvent, Ack>;
  /** The resolved steps of this run, for the failure report. */
  trace: string[];
  counters: { fence: number; probe: number; text: number; room: number };
  /**
   * `${tab index} ${address}`: the tab heard room_moved to the address and has not joined it since. Its next join
   * there follows the room and is told with no "has joined" notice (presence-notices.ts); joinRoom must know.
   */
  following: Set<string>;
}

/** How often each command ended how: printed after the run, to show the sequences reach the interesting paths. */
export const modelStats = new Map<string, number>();
const count = (key: string): void => void modelStats.set(key, (modelStats.get(key) ?? 0) + 1);

const followKey = (tab: Tab, address: string): string => `${tab.index} ${address}`;

/** A join of `address` by `tab` answered: one that got in has followed the move it was told of, if any. */
function noteJoined(r: Real, tab: Tab, address: string, res: Ack): void {
  if (res.ok) r.following.delete(followKey(tab, address));
}

/** `tab` hears `name` leave the room: the "has left" notice, or in a direct conversation (which has none) the `left` delta. */
function hearsLeave(tab: Tab, room: Room, name: string): Promise<unknown> {
  if (room.kind === "direct") return waitFor(tab.socket, "presence", (ev) => ev.room === room.address && ev.left?.includes(name) === true);
  return waitFor(tab.socket, "message", (msg) => isNotice(msg) && msg.room === room.address && msg.content === `${name} has left the chat.`);
}

let runCounter = 0;

const madeUpAddress = (): string => `~${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")}`;

/** A made-up address's payload for each event, from a tab in no private room. */
function canonicalPayload(event: CanonicalEvent, room: string, name: string): Record<string, unknown> {
  switch (event) {
    case "join_chat":
      return { room, username: name };
    case "fetch_history":
      return { room };
    case "search_messages":
      return { room, q: "apple" };
    case "typing":
      return { room, isTyping: true };
    case "send_message":
      return { room, username: name, content: "hello" };
    case "edit_message":
      return { room, id: 1, content: "hello" };
    case "delete_message":
      return { room, id: 1 };
    case "leave_chat":
      return { room };
    case "kick_user":
      return { room, username: "Ana" };
    case "ban_user":
      return { room, username: "Ana", durationMs: BAN_MS };
    case "create_invite":
      return { room };
    case "revoke_invite":
      return { room, id: 1 };
    case "update_room":
      return { room, isPrivate: false };
    case "list_members":
      return { room };
  }
}
const CANONICAL_EVENTS: readonly CanonicalEvent[] = [
  "join_chat",
  "fetch_history",
  "search_messages",
  "typing",
  "send_message",
  "edit_message",
  "delete_message",
  "leave_chat",
  "kick_user",
  "ban_user",
  "create_invite",
  "revoke_invite",
  "update_room",
  "list_members",
];

/** A fresh world for one run: new sessions (the moderator's excepted), every tab in a public room of the run's own. */
export async function openWorld(server: ModelServer, creator: number, inPlaza: readonly number[]): Promise<{ model: Model; real: Real }> {
  const run = ++runCounter;
  const lobby = `lobby ${run}`;
  const cookies = PEOPLE.map((p) => (p.isModerator ? server.moderatorCookie : p.isBrowser ? server.newSession() : null));
  const fenceSocket = await server.connect(0, null);
  const fenceJoin = await joinRoom(fenceSocket, lobby, "Fence");
  if (!fenceJoin.ok) throw new Error(`fence join failed: ${fenceJoin.error.code}`);
  const tabs: Tab[] = [];
  for (const [person, p] of PEOPLE.entries()) {
    for (let k = 0; k < p.tabs; k++) {
      const socket = await server.connect((person + k) % server.urls.length, cookies[person] ?? null);
      const tab: Tab = { index: tabs.length, person, label: `${p.name}#${k}`, socket, inbox: [] };
      socket.onAny((event: string, payload: unknown) => tab.inbox.push({ event, payload }));
      const joined = await joinRoom(socket, lobby, p.name);
      if (!joined.ok) throw new Error(`${tab.label} could not join ${lobby}: ${joined.error.code}`);
      tabs.push(tab);
    }
  }
  const real: Real = { server, run, lobby, cookies, tabs, fence: fenceSocket, canonical: {} as Real["canonical"], trace: [], counters: { fence: 0, probe: 0, text: 0, room: 0 }, following: new Set() };
  // Two tabs of different kinds (a browser session, the cookie-less client), two made-up addresses: one answer.
  const ana = tabOf(real, 1, 0);
  const anon = tabOf(real, 4, 0);
  for (const event of CANONICAL_EVENTS) {
    const fromAna = await call(ana.socket, event, canonicalPayload(event, madeUpAddress(), "Ana"));
    const fromAnon = await call(anon.socket, event, canonicalPayload(event, madeUpAddress(), "Anon"));
    expect(fromAnon, `made-up address, ${event}, cookie-less vs browser`).toEqual(fromAna);
    // list_members answers as join_chat does: a member may ask without a tab in the room, so "not in it" is no answer.
    expect(fromAna.ok ? "ok" : fromAna.error.code, `made-up address, ${event}`).toBe(event === "join_chat" || event === "list_members" ? "not_found" : "not_in_room");
    real.canonical[event] = fromAna;
  }
  // One room to start from, so the first commands find one (create_room makes more): Ana's, or the moderator's (so
  // that kicks and bans come within a few steps), with its creator's first tab in it.
  // A second public room, which a moderator may make private (and a private room made public lands on its title).
  const model: Model = { rooms: [], invites: [], publicRooms: [newPublicRoom(`plaza ${run}`)], addresses: new Set() };
  const maker = tabOf(real, creator, 0);
  const made = await call<{ room: RoomInfo }>(maker.socket, "create_room", { title: `Team ${run}` });
  if (!made.ok) throw new Error(`create_room answered ${made.error.code}`);
  const room = newRoom(made.room.room, "Team0", `Team ${run}`, creator);
  model.rooms.push(room);
  model.addresses.add(room.address);
  const entered = await joinRoom(maker.socket, room.address, personOf(creator).name);
  if (!entered.ok) throw new Error(`the creator's join answered ${entered.error.code}`);
  room.joined.add(maker.index);
  real.trace.push(`(setup) ${maker.label} create_room "Team" -> ok (Team0); ${maker.label} join Team0 -> ok`);
  const plaza = model.publicRooms[0] as PublicRoom;
  for (const index of inPlaza) {
    const tab = tabs[index] as Tab;
    const res = await joinRoom(tab.socket, plaza.name, nameOf(tab));
    if (!res.ok) throw new Error(`${tab.label} could not join ${plaza.name}: ${res.error.code}`);
    plaza.joined.add(tab.index);
  }
  if (inPlaza.length > 0) real.trace.push(`(setup) in "${plaza.name}": ${inPlaza.map((i) => tabs[i]?.label).join(", ")}`);
  await fence(real);
  return { model, real };
}

function newRoom(address: string, title: string, name: string, creator: number): Room {
  return { kind: "private", address, title, name, creator, membersCanInvite: false, admitted: new Set([creator]), bannedNames: new Set(), bannedSessions: new Set(), joined: new Set(), messages: [], texts: new Set() };
}

function newPublicRoom(name: string): PublicRoom {
  return { name, joined: new Set(), messages: [], bannedNames: new Set(), bannedSessions: new Set() };
}

export async function closeWorld(real: Real): Promise<void> {
  for (const tab of real.tabs) tab.socket.disconnect();
  real.fence.disconnect();
}

function tabOf(r: Real, person: number, k: number): Tab {
  const mine = r.tabs.filter((t) => t.person === person);
  return mine[k % mine.length] as Tab;
}
const tabsOf = (r: Real, person: number): Tab[] => r.tabs.filter((t) => t.person === person);
const nameOf = (t: Tab): string => personOf(t.person).name;
const at = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

// ---------- checks ----------

/**
 * waitFor, for waits a step may abandon when an assertion fails first: their timeout then rejects with nobody
 * listening, which would be reported as an unhandled rejection on top of the real failure.
 */
const waitFor: typeof waitForEvent = (socket, event, where, timeoutMs) => {
  const p = waitForEvent(socket, event, where, timeoutMs);
  p.catch(() => undefined);
  return p;
};

const codeOf = (res: Ack | { ok: false; error: { code: string } }): string => (res.ok ? "ok" : res.error.code);

function roomOfEvent(e: Received): string | null {
  const p = e.payload as { room?: unknown } | null;
  if (p === null || typeof p !== "object") return null;
  if (typeof p.room === "string") return p.room;
  if (typeof p.room === "object" && p.room !== null && typeof (p.room as RoomInfo).room === "string") return (p.room as RoomInfo).room; // room_added
  return null;
}

/** Every message the room holds, as history shows it. */
const expectedHistory = (room: { messages: readonly Msg[] }): { id: number; content: string; sender: string; isDeleted: boolean }[] =>
  room.messages.map((m) => ({ id: m.id, content: m.isDeleted ? "" : m.content, sender: personOf(m.sender).name, isDeleted: m.isDeleted }));
const seenHistory = (messages: readonly WireMessage[]) => messages.map((m) => ({ id: m.id, content: m.content, sender: m.sender, isDeleted: m.deletedAt !== undefined }));

/**
 * The fence: a cookie-less client in the run's public room sends a message and every tab waits for it. Whatever
 * the server sent a tab before that message is in its inbox by then; returns each tab's events before the fence.
 */
async function fence(r: Real): Promise<Received[][]> {
  const content = `fence ${++r.counters.fence}`;
  const isFence = (e: Received): boolean => e.event === "message" && (e.payload as MessageEvent).content === content && (e.payload as MessageEvent).room === r.lobby;
  const arrived = r.tabs.map((t) => waitFor(t.socket, "message", (m) => m.content === content && m.room === r.lobby));
  const res = await call<SendResult>(r.fence, "send_message", { room: r.lobby, username: "Fence", content });
  expect(codeOf(res), "the fence message is sent").toBe("ok");
  await Promise.all(arrived);
  return r.tabs.map((t) => t.inbox.splice(0, t.inbox.findIndex(isFence) + 1).slice(0, -1));
}

/** What a step tells the checks: the tab that left (it gets no `removed` of its own). */
interface StepOutcome {
  leaver?: number;
  /** A tab whose join raced its session's removal: it may have been in the room for a moment (the step checks it left). */
  raced?: { tab: number; room: Room };
}

/** A private room as it was before the step (a room made public during it is still found through this). */
interface Snapshot {
  address: string;
  admitted: Set<number>;
  joined: Set<number>;
}
type Before = Map<Room, Snapshot>;

/** (b) Sessions not admitted get exactly a made-up address's answers. */
async function outsidersRefused(m: Model, r: Real): Promise<void> {
  const checks: Promise<void>[] = [];
  for (const room of m.rooms) {
    for (const [person, p] of PEOPLE.entries()) {
      if (room.admitted.has(person)) continue;
      const tab = tabOf(r, person, 0);
      expect(room.joined.has(tab.index), `model: ${tab.label} is in a room it is not admitted to`).toBe(false);
      for (const event of ["join_chat", "fetch_history", "search_messages", "typing", "list_members"] as const) {
        checks.push(
          call(tab.socket, event, canonicalPayload(event, room.address, p.name)).then((res) => {
            expect(res, `(b) ${tab.label} (not admitted) ${event} ${room.title}: the made-up address's answer`).toEqual(r.canonical[event]);
          }),
        );
      }
    }
  }
  await Promise.all(checks);
}

/** (c) Every admitted session reads the room's messages: from a tab in it, or a probe tab that joins and goes. */
async function membersSee(m: Model, r: Real): Promise<void> {
  await Promise.all(
    m.rooms.map(async (room) => {
      for (const person of room.admitted) {
        const inRoom = tabsOf(r, person).find((t) => room.joined.has(t.index));
        if (inRoom !== undefined) {
          const res = await call<HistoryResult>(inRoom.socket, "fetch_history", { room: room.address, limit: 500 });
          expect(res.ok && seenHistory(res.messages), `(c) ${inRoom.label} reads ${room.title}`).toEqual(expectedHistory(room));
        } else await probe(room, person, r);
      }
    }),
  );
}

/** A new tab of an admitted session with no tab in the room: it joins (under a name of its own), reads, and closes. */
async function probe(room: Room, person: number, r: Real): Promise<void> {
  const n = ++r.counters.probe;
  const name = `Probe${n}`;
  const socket = await r.server.connect(n % r.server.urls.length, r.cookies[person] ?? null);
  const present = r.tabs.filter((t) => room.joined.has(t.index));
  let res: Ack<JoinResult>;
  try {
    res = await joinRoom(socket, room.address, name, { heardBy: present.map((t) => t.socket) });
  } catch (err) {
    await r.server.disconnect(socket);
    throw err;
  }
  const label = `(c) a new tab of ${personOf(person).name} (admitted) joins ${room.title}`;
  // A ban of its name keeps it out under another name too: the room knows it by that name (each person has one).
  if (room.bannedSessions.has(person) || room.bannedNames.has(person)) expect(codeOf(res), `${label}: banned`).toBe("banned");
  else {
    expect(codeOf(res), label).toBe("ok");
    if (res.ok) expect(seenHistory(res.history), `${label}: its history`).toEqual(expectedHistory(room));
  }
  const heardLeft = res.ok ? present.map((t) => hearsLeave(t, room, name)) : [];
  await r.server.disconnect(socket);
  await Promise.all(heardLeft);
}

/** my_rooms lists, of this run's rooms, exactly those the session is admitted to and not banned from. */
async function roomListsMatch(m: Model, r: Real): Promise<void> {
  await Promise.all(
    BROWSERS.map(async (person) => {
      const tab = tabOf(r, person, 0);
      const res = await call<{ rooms: MyRoom[] }>(tab.socket, "my_rooms", {});
      const listed = res.ok ? res.rooms.filter((x) => m.addresses.has(x.room)).map((x) => x.room).sort() : [codeOf(res)];
      const expected = m.rooms.filter((room) => room.admitted.has(person) && !room.bannedNames.has(person) && !room.bannedSessions.has(person)).map((room) => room.address).sort();
      expect(listed, `(c) my_rooms of ${personOf(person).name}`).toEqual(expected);
    }),
  );
}

/**
 * (a) After the fence: what each tab received about a private room, it was in that room before or after the step
 * (and so its session admitted then); a `room_moved` naming a private address reached only sessions admitted to it;
 * no event anywhere (a public room's included) carries the address or a text of a private room to anyone else.
 */
function eventsOnlyToMembers(m: Model, r: Real, before: Before, received: Received[][], outcome: StepOutcome): void {
  const rooms = new Set<Room>([...before.keys(), ...m.rooms]);
  const isPrivateNow = (room: Room): boolean => m.rooms.includes(room);
  const addressesOf = (room: Room): string[] => [before.get(room)?.address, isPrivateNow(room) ? room.address : undefined].filter((a): a is string => a !== undefined);
  const publicNames = new Set([r.lobby, ...m.publicRooms.map((p) => p.name)]);
  for (const tab of r.tabs) {
    const raced = (room: Room): boolean => outcome.raced?.tab === tab.index && outcome.raced.room === room;
    const tabWasIn = (room: Room): boolean => (before.get(room)?.joined.has(tab.index) ?? false) || (isPrivateNow(room) && room.joined.has(tab.index)) || raced(room);
    const sessionWasIn = (room: Room): boolean => (before.get(room)?.admitted.has(tab.person) ?? false) || (isPrivateNow(room) && room.admitted.has(tab.person));
    for (const e of received[tab.index] ?? []) {
      const where = `(a) ${tab.label} received ${e.event} ${JSON.stringify(e.payload)}`;
      expect(e.event, where).not.toBe("chat_error");
      const address = roomOfEvent(e);
      const room = address === null ? undefined : [...rooms].find((x) => addressesOf(x).includes(address));
      if (room !== undefined) {
        const admittedBefore = [...(before.get(room)?.admitted ?? [])].map((i) => personOf(i).name).join(",");
        // room_added goes to every tab of a member of a direct conversation, in it or not.
        const mayHear = e.event === "room_added" ? sessionWasIn(room) : tabWasIn(room);
        expect(mayHear, `${where}: it was not in ${room.title} before or after the step (admitted before: ${admittedBefore})`).toBe(true);
        if (e.event === "removed" && !raced(room)) {
          const isExpected = (before.get(room)?.joined.has(tab.index) ?? false) && !(isPrivateNow(room) && room.joined.has(tab.index)) && outcome.leaver !== tab.index;
          expect(isExpected, `${where}: a removal the model did not expect`).toBe(true);
        }
      } else if (address !== null) expect(publicNames.has(address), `${where}: about a room the model does not know`).toBe(true);
      const text = JSON.stringify(e.payload);
      for (const x of rooms) {
        if (tabWasIn(x) || (sessionWasIn(x) && (e.event === "room_moved" || e.event === "room_added"))) continue;
        const who = `${where}: ${tab.label}'s session was not admitted to ${x.title} before or after the step, yet this carries`;
        for (const a of addressesOf(x)) expect(text.includes(a), `${who} its address`).toBe(false);
        if (isPrivateNow(x)) for (const t of x.texts) expect(text.includes(t), `${who} its text "${t}"`).toBe(false);
      }
    }
  }
}

async function verify(m: Model, r: Real, before: Before, outcome: StepOutcome): Promise<void> {
  for (const room of m.rooms) {
    for (const t of room.joined) expect(room.admitted.has((r.tabs[t] as Tab).person), `model: a tab in ${room.title} of a session not admitted`).toBe(true);
  }
  await Promise.all([outsidersRefused(m, r), membersSee(m, r), roomListsMatch(m, r)]);
  const received = await fence(r);
  eventsOnlyToMembers(m, r, before, received, outcome);
}

// ---------- commands ----------

/**
 * Which tab acts. Commands name what they would most like (tiers, best first: a tab of the creator in the room, say);
 * `level` 2 tries every tier, 1 only the last, 0 none: then any tab, in the room picked by index, acts.
 */
interface Actor {
  level: number;
  n: number;
}
const actor: fc.Arbitrary<Actor> = fc.record({ level: fc.constantFrom(0, 1, 2, 2, 2), n: fc.nat(99) });
/** True four times in five. */
const mostly = fc.nat(4).map((n) => n > 0);

type Tier = (room: Room, tab: Tab) => boolean;

/** A room (among `rooms`) and a tab, by the actor's level and the command's tiers; else rooms[pick] and any tab. */
function choose(rooms: readonly Room[], r: Real, who: Actor, pick: number, tiers: readonly Tier[]): { room: Room; tab: Tab } {
  for (const tier of tiers.slice(Math.max(0, tiers.length - who.level))) {
    const pairs = rooms.flatMap((room) => r.tabs.filter((tab) => tier(room, tab)).map((tab) => ({ room, tab })));
    if (pairs.length > 0) return at(pairs, who.n);
  }
  return { room: at(rooms, pick), tab: at(r.tabs, who.n) };
}

function choosePerson(who: Actor, isPreferred: (person: number) => boolean, among: readonly number[] = PEOPLE.map((_, i) => i)): number {
  const preferred = among.filter(isPreferred);
  return who.level > 0 && preferred.length > 0 ? at(preferred, who.n) : at(among, who.n);
}

const isIn = (room: Room, tab: Tab): boolean => room.joined.has(tab.index);
/** policy.ts: the creator and moderators manage (every invite, the setting); members too may invite when it is on. */
const canManage = (room: Room, person: number): boolean => room.kind === "private" && (room.creator === person || personOf(person).isModerator);
const canInvite = (room: Room, person: number): boolean => room.kind === "private" && (canManage(room, person) || room.membersCanInvite);

/** A kick or a ban ends the session's admission, revokes the links it made for the room (and for it, every link made so far), and a creator is one no more. */
function expel(m: Model, room: Room, person: number): void {
  room.admitted.delete(person);
  (room.kickedUpTo ??= new Map()).set(person, Math.max(0, ...m.invites.filter((i) => i.home === room).map((i) => i.id)));
  for (const invite of m.invites) if (invite.home === room && invite.maker === person) invite.isRevoked = true;
  if (room.creator === person) room.creator = -1;
}
const privateOnly = (m: Readonly<Model>): Room[] => m.rooms.filter((x) => x.kind === "private");
/** The other member of a direct conversation. */
const peerIn = (room: Room, person: number): number | undefined => room.pair?.find((p) => p !== person);
/** What a direct conversation is called for `person`: the other member's name; once that one is out (kicked), both names. */
function directTitle(room: Room, person: number): string {
  const peer = peerIn(room, person);
  return peer !== undefined && room.admitted.has(peer) ? personOf(peer).name : room.name;
}
const isPresent = (r: Real, room: Room, person: number): boolean => tabsOf(r, person).some((t) => room.joined.has(t.index));

/**
 * One command. Its toString() is the generated choice (indexes), as fast-check prints counterexamples; what each step
 * resolved to in the failing run (tabs, rooms, answers) is appended to the error as "this run's steps".
 */
class Step implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly label: string,
    private readonly applies: (m: Readonly<Model>) => boolean,
    private readonly act: (m: Model, r: Real, say: (what: string) => void) => Promise<StepOutcome | undefined>,
  ) {}

  check(m: Readonly<Model>): boolean {
    return this.applies(m);
  }

  async run(m: Model, r: Real): Promise<void> {
    const before: Before = new Map(m.rooms.map((room) => [room, { address: room.address, admitted: new Set(room.admitted), joined: new Set(room.joined) }]));
    const say = (what: string): void => void r.trace.push(what);
    try {
      const outcome = (await this.act(m, r, say)) ?? {};
      await verify(m, r, before, outcome);
    } catch (err) {
      const e = err as Error;
      e.message = `${e.message}\n--- this run's steps (rooms by title):\n${r.trace.map((s, i) => `${i + 1}. ${s}`).join("\n")}`;
      throw e;
    }
  }

  toString(): string {
    return this.label;
  }
}

const hasRooms = (m: Readonly<Model>): boolean => m.rooms.length > 0;

/** What the model says a tab not in `room` gets: a made-up address's answer. */
function expectCanonical(r: Real, res: Ack, event: CanonicalEvent, what: string): undefined {
  expect(res, `${what}: not in the room, so the made-up address's answer`).toEqual(r.canonical[event]);
  return undefined;
}

/** Removed from the room on every tab of `person` in it, and the others there hear the name leave. */
async function expectRemoval(r: Real, room: Room, person: number, reason: "left" | "kicked" | "banned", except: Tab | null, run: () => Promise<Ack>): Promise<Ack> {
  const leaving = tabsOf(r, person).filter((t) => room.joined.has(t.index) && t !== except);
  const staying = r.tabs.filter((t) => room.joined.has(t.index) && t.person !== person);
  const removed = leaving.map((t) => waitFor(t.socket, "removed", (ev) => ev.room === room.address));
  const heard = staying.map((t) => hearsLeave(t, room, personOf(person).name));
  const res = await run();
  if (!res.ok) return res;
  for (const ev of await Promise.all(removed)) expect(ev.reason, `removed from ${room.title}`).toBe(reason);
  await Promise.all(heard);
  return res;
}

const createRoom = fc.record({ person: fc.nat(4), title: fc.constantFrom("Team", "Ops", "Team") }).map(
  ({ person, title }) =>
    new Step(
      `create_room(${personOf(person).name})`,
      (m) => privateOnly(m).length < MAX_ROOMS,
      async (m, r, say) => {
        const tab = tabOf(r, person, 0);
        const name = `${title} ${r.run}`;
        const res = await call<{ room: RoomInfo }>(tab.socket, "create_room", { title: name });
        const t = `${title}${++r.counters.room}`;
        say(`${tab.label} create_room "${name}" -> ${codeOf(res)}${res.ok ? ` (${t})` : ""}`);
        count(`create_room ${codeOf(res)}`);
        if (!personOf(person).isBrowser) return void expect(codeOf(res), "a cookie-less client cannot make a room").toBe("session_required");
        expect(codeOf(res)).toBe("ok");
        if (!res.ok) return;
        expect(res.room).toMatchObject({ title: name, kind: "private", canInvite: true, canManage: true, membersCanInvite: false });
        expect(res.room.room).toMatch(/^~[A-Za-z0-9_-]{22}$/);
        m.rooms.push(newRoom(res.room.room, t, name, person));
        m.addresses.add(res.room.room);
      },
    ),
);

const join = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(`join(${pick})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [(x, t) => x.admitted.has(t.person) && !isIn(x, t), (x, t) => !x.admitted.has(t.person)]);
      const isNewPresence = !isPresent(r, room, tab.person);
      const others = isNewPresence ? r.tabs.filter((t) => room.joined.has(t.index)) : [];
      const res = await joinRoom(tab.socket, room.address, nameOf(tab), { heardBy: others.map((t) => t.socket), isFollowingMove: r.following.has(followKey(tab, room.address)) });
      noteJoined(r, tab, room.address, res);
      say(`${tab.label} join ${room.title} -> ${codeOf(res)}`);
      count(`join ${room.kind === "direct" ? "direct " : ""}${codeOf(res)}`);
      if (!room.admitted.has(tab.person)) return expectCanonical(r, res, "join_chat", `${tab.label} join ${room.title}`);
      if (!room.joined.has(tab.index) && (room.bannedNames.has(tab.person) || room.bannedSessions.has(tab.person))) return void expect(codeOf(res)).toBe("banned");
      expect(codeOf(res), `${tab.label} (admitted) joins ${room.title}`).toBe("ok");
      if (!res.ok) return;
      expect(seenHistory(res.history), `${tab.label}'s join history of ${room.title}`).toEqual(expectedHistory(room));
      const roomInfo =
        room.kind === "direct"
          ? { room: room.address, title: directTitle(room, tab.person), kind: "direct" }
          : { room: room.address, title: room.name, kind: "private", canInvite: canInvite(room, tab.person), canManage: canManage(room, tab.person), membersCanInvite: room.membersCanInvite };
      expect(res.roomInfo).toEqual(roomInfo);
      room.joined.add(tab.index);
    }),
);

const leave = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(`leave(${pick})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [isIn, (x, t) => x.admitted.has(t.person)]);
      const res = await expectRemoval(r, room, tab.person, "left", tab, () => call(tab.socket, "leave_chat", { room: room.address }));
      say(`${tab.label} leave ${room.title} -> ${codeOf(res)}`);
      count(`leave ${room.kind === "direct" ? "direct " : ""}${codeOf(res)}`);
      if (!room.joined.has(tab.index)) return expectCanonical(r, res, "leave_chat", `${tab.label} leave ${room.title}`);
      expect(codeOf(res)).toBe("ok");
      if (room.kind === "private") room.admitted.delete(tab.person); // a direct conversation is only closed
      for (const t of tabsOf(r, tab.person)) room.joined.delete(t.index);
      return { leaver: tab.index };
    }),
);

/** kick_user, or ban_user for an hour: by a moderator in the room; the holder's admission ends (expel). */
const removal = (kind: "kick" | "ban") =>
  fc.record({ who: actor, target: actor, room: fc.nat(9) }).map(
    ({ who, target: targetPick, room: pick }) =>
      new Step(`${kind}(${pick})`, hasRooms, async (m, r, say) => {
        const { room, tab } = choose(m.rooms, r, who, pick, [(x, t) => isIn(x, t) && personOf(t.person).isModerator, isIn]);
        const target = choosePerson(targetPick, (p) => isPresent(r, room, p), BROWSERS);
        const present = isPresent(r, room, target);
        const name = personOf(target).name;
        const event = kind === "kick" ? "kick_user" : "ban_user";
        const payload = kind === "kick" ? { room: room.address, username: name } : { room: room.address, username: name, durationMs: BAN_MS };
        const send = (): Promise<Ack> => call(tab.socket, event, payload);
        const res = present ? await expectRemoval(r, room, target, kind === "kick" ? "kicked" : "banned", null, send) : await send();
        say(`${tab.label} ${event} ${name} in ${room.title} -> ${codeOf(res)}`);
        count(`${event} ${room.kind === "direct" ? "direct " : ""}${codeOf(res)}`);
        if (!room.joined.has(tab.index)) return expectCanonical(r, res, event, `${tab.label} ${event} in ${room.title}`);
        if (!personOf(tab.person).isModerator) return void expect(codeOf(res)).toBe("not_moderator");
        // A kick (as a ban) also finds a member whose tabs are all closed, by the name the room knows it by (each person has one).
        if (kind === "kick" && !present && !room.admitted.has(target)) return void expect(codeOf(res)).toBe("not_found");
        expect(codeOf(res)).toBe("ok");
        if (kind === "ban") room.bannedNames.add(target);
        if (!present && !room.admitted.has(target)) return;
        if (kind === "ban") room.bannedSessions.add(target);
        expel(m, room, target);
        for (const t of tabsOf(r, target)) room.joined.delete(t.index);
      }),
  );

const createInvite = fc.record({ who: actor, room: fc.nat(9), maxUses: fc.constantFrom<number | undefined>(1, 1, 2, undefined) }).map(
  ({ who, room: pick, maxUses }) =>
    new Step(`create_invite(${pick}, ${maxUses ?? "unlimited"})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [(x, t) => isIn(x, t) && canInvite(x, t.person), isIn]);
      const res = await call<CreatedInvite>(tab.socket, "create_invite", { room: room.address, ...(maxUses !== undefined ? { maxUses } : {}) });
      const id = res.ok ? ` invite ${res.invite.id}` : "";
      say(`${tab.label} create_invite ${room.title} maxUses=${maxUses ?? "-"} -> ${codeOf(res)}${id}`);
      count(`create_invite ${codeOf(res)}`);
      if (!room.joined.has(tab.index)) return expectCanonical(r, res, "create_invite", `${tab.label} create_invite ${room.title}`);
      if (room.kind === "direct") return void expect(codeOf(res), "a direct conversation has no invite links").toBe("invalid_room");
      if (!canInvite(room, tab.person)) return void expect(codeOf(res)).toBe("not_allowed");
      expect(codeOf(res)).toBe("ok");
      if (!res.ok) return;
      expect(res.invite).toMatchObject({ uses: 0, state: "active", isMine: true, createdBy: nameOf(tab), ...(maxUses !== undefined ? { maxUses } : {}) });
      const token = /^\/invite\/([A-Za-z0-9_-]{43})$/.exec(res.path)?.[1];
      expect(token, `invite path ${res.path}`).toBeDefined();
      m.invites.push({ id: res.invite.id, home: room, room: room.address, token: token as string, maker: tab.person, maxUses: maxUses ?? null, uses: 0, isRevoked: false, isGone: false });
    }),
);

/** (d) POST /invite/<token> from a person's browser, on any node. */
const redeem = fc.record({ who: actor, invite: fc.nat(99), node: fc.nat(1) }).map(
  ({ who, invite: pick, node }) =>
    new Step(
      `redeem(${pick})`,
      (m) => m.invites.length > 0,
      async (m, r, say) => {
        const invite = at(m.invites, pick);
        const room = invite.home;
        const person = choosePerson(who, (p) => !room.admitted.has(p) && personOf(p).isBrowser);
        const url = at(r.server.urls, node);
        const cookie = r.cookies[person];
        const res = await fetch(`${url}/invite/${invite.token}`, {
          method: "POST",
          headers: { origin: url, "content-type": "application/json", ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ username: personOf(person).name }),
        });
        const body = (await res.json()) as Ack<{ room: RoomInfo }>;
        const state = `${invite.isGone ? "its room made public" : invite.isRevoked ? "revoked" : "live"}, ${invite.uses}/${invite.maxUses ?? "∞"} uses`;
        say(`${personOf(person).name} redeems invite ${invite.id} of ${room.title} (${state}) -> ${res.status} ${codeOf(body)}`);
        count(`redeem ${res.status} ${codeOf(body)}`);
        const got = { status: res.status, code: codeOf(body) };
        if (cookie === null || cookie === undefined) return void expect(got).toEqual({ status: 400, code: "session_required" });
        if (invite.isGone) return void expect(got, "a link of a room made public is no link").toEqual({ status: 404, code: "not_found" });
        // A banned browser or name is refused before the link is looked at further (http/invites.ts), spending nothing.
        if (isBanned(room, person)) return void expect(got, "a banned person's redemption").toEqual({ status: 403, code: "banned" });
        if (invite.isRevoked) return void expect(got).toEqual({ status: 410, code: "invite_revoked" });
        if (room.admitted.has(person)) return void expect(got, "a member's redemption spends nothing").toEqual({ status: 200, code: "ok" });
        if ((room.kickedUpTo?.get(person) ?? 0) >= invite.id) return void expect(got, "a link made before its removal").toEqual({ status: 410, code: "invite_revoked" });
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) return void expect(got).toEqual({ status: 410, code: "invite_used_up" });
        expect(got).toEqual({ status: 200, code: "ok" });
        if (body.ok) expect(body.room).toMatchObject({ room: room.address, kind: "private" });
        invite.uses++;
        room.admitted.add(person);
      },
    ),
);

/** revoke_invite naming a room, of an invite of any room (another room's id must not be touched). */
const revoke = fc.record({ who: actor, invite: fc.nat(99), room: fc.nat(9), sameRoom: mostly }).map(
  ({ who, invite: pick, room: roomPick, sameRoom }) =>
    new Step(
      `revoke(${pick})`,
      (m) => m.invites.some((i) => !i.isGone),
      async (m, r, say) => {
        const invite = at(
          m.invites.filter((i) => !i.isGone),
          pick,
        );
        const named = sameRoom ? [invite.home] : m.rooms;
        const { room, tab } = choose(named, r, who, roomPick, [(x, t) => isIn(x, t) && (canManage(x, t.person) || invite.maker === t.person), isIn]);
        const res = await call(tab.socket, "revoke_invite", { room: room.address, id: invite.id });
        say(`${tab.label} revoke_invite ${invite.id} naming ${room.title} -> ${codeOf(res)}`);
        count(`revoke_invite ${codeOf(res)}`);
        if (!room.joined.has(tab.index)) return expectCanonical(r, res, "revoke_invite", `${tab.label} revoke_invite in ${room.title}`);
        if (room.kind === "direct") return void expect(codeOf(res), "a direct conversation has no invite links").toBe("invalid_room");
        if (invite.room !== room.address || invite.isRevoked) return void expect(codeOf(res)).toBe("not_found");
        if (!canManage(room, tab.person) && invite.maker !== tab.person) return void expect(codeOf(res)).toBe("not_allowed");
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) return void expect(codeOf(res), "a used-up link stays used up").toBe("invite_used_up");
        expect(codeOf(res)).toBe("ok");
        invite.isRevoked = true;
      },
    ),
);

const send = fc.record({ who: actor, room: fc.nat(9), word: fc.constantFrom(...WORDS) }).map(
  ({ who, room: pick, word }) =>
    new Step(`send(${pick}, ${word})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [isIn, (x, t) => x.admitted.has(t.person)]);
      // The number closes with a letter, so no text is a prefix of another ("priv1z" is not in "priv12z").
      const content = `${word} priv${++r.counters.text}z`;
      const listeners = r.tabs.filter((t) => room.joined.has(t.index));
      const arrived = listeners.map((t) => waitFor(t.socket, "message", (msg) => msg.room === room.address && msg.content === content));
      // A direct conversation the other member has no tab in comes back to its every tab, with the message.
      const peer = peerIn(room, tab.person);
      const peerAway = room.kind === "direct" && isIn(room, tab) && peer !== undefined && room.admitted.has(peer) && !isPresent(r, room, peer);
      const broughtBack = peerAway ? tabsOf(r, peer).map((t) => waitFor(t.socket, "room_added", (ev) => ev.room.room === room.address && ev.message?.content === content)) : [];
      const res = await call<SendResult>(tab.socket, "send_message", { room: room.address, username: nameOf(tab), content });
      say(`${tab.label} send "${content}" to ${room.title} -> ${codeOf(res)}${res.ok ? ` id ${res.message.id}` : ""}`);
      count(`send_message ${room.kind === "direct" ? "direct " : ""}${codeOf(res)}${broughtBack.length > 0 ? " (brings it back)" : ""}`);
      room.texts.add(content);
      if (!room.joined.has(tab.index)) return expectCanonical(r, res, "send_message", `${tab.label} send to ${room.title}`);
      expect(codeOf(res)).toBe("ok");
      if (!res.ok) return;
      for (const msg of await Promise.all(arrived)) expect((msg as WireMessage).id).toBe(res.message.id);
      for (const ev of await Promise.all(broughtBack)) {
        expect(ev, `room_added to ${personOf(peer ?? 0).name}`).toMatchObject({ room: { room: room.address, title: nameOf(tab), kind: "direct" }, name: personOf(peer ?? 0).name });
      }
      room.messages.push({ id: res.message.id, room: room.address, content, sender: tab.person, isDeleted: false });
    }),
);

const allMessages = (m: Readonly<Model>): Msg[] => m.rooms.flatMap((room) => room.messages);

/** edit_message / delete_message naming a room, of a message of any room (usually its own). */
const change = (kind: "edit" | "delete") =>
  fc.record({ who: actor, msg: fc.nat(99), room: fc.nat(9), sameRoom: mostly, word: fc.constantFrom(...WORDS) }).map(
    ({ who, msg: pick, room: roomPick, sameRoom, word }) =>
      new Step(
        `${kind}(${pick})`,
        (m) => allMessages(m).length > 0,
        async (m, r, say) => {
          const msg = at(allMessages(m), pick);
          const named = sameRoom ? [m.rooms.find((x) => x.address === msg.room) as Room] : m.rooms;
          const mayChange: Tier = (x, t) => isIn(x, t) && (t.person === msg.sender || (kind === "delete" && personOf(t.person).isModerator));
          const { room, tab } = choose(named, r, who, roomPick, [mayChange, isIn]);
          const content = `${word} priv${++r.counters.text}z edited`;
          const listeners = r.tabs.filter((t) => room.joined.has(t.index));
          const arrived = listeners.map((t) => waitFor(t.socket, "message_updated", (ev) => ev.room === room.address && ev.id === msg.id));
          const event = kind === "edit" ? "edit_message" : "delete_message";
          const res = await call<{ message: WireMessage }>(tab.socket, event, kind === "edit" ? { room: room.address, id: msg.id, content } : { room: room.address, id: msg.id });
          say(`${tab.label} ${event} ${msg.id} (of ${m.rooms.find((x) => x.address === msg.room)?.title}) naming ${room.title} -> ${codeOf(res)}`);
          count(`${event} ${codeOf(res)}`);
          if (kind === "edit") room.texts.add(content);
          if (!room.joined.has(tab.index)) return expectCanonical(r, res, event, `${tab.label} ${event} in ${room.title}`);
          if (msg.room !== room.address || msg.isDeleted) return void expect(codeOf(res)).toBe("not_found");
          const isOwner = msg.sender === tab.person;
          if (!isOwner && !(kind === "delete" && personOf(tab.person).isModerator)) return void expect(codeOf(res)).toBe("not_owner");
          expect(codeOf(res)).toBe("ok");
          const updates = await Promise.all(arrived);
          for (const ev of updates) expect(ev.content).toBe(kind === "edit" ? content : "");
          if (kind === "edit") msg.content = content;
          else msg.isDeleted = true;
        },
      ),
  );

/** The room to read: usually a private room, one time in four the run's public room, where nothing private may show. */
function readTarget(m: Model, r: Real, who: Actor, pick: number): { target: Room | "lobby"; tab: Tab } {
  if (pick % 4 === 0) return { target: "lobby", tab: at(r.tabs, who.n) };
  const { room, tab } = choose(m.rooms, r, who, pick, [isIn, (x, t) => !isIn(x, t)]);
  return { target: room, tab };
}

function expectNothingPrivate(m: Model, messages: readonly WireMessage[], r: Real, what: string): void {
  for (const msg of messages) {
    expect(msg.room, what).toBe(r.lobby);
    for (const room of m.rooms) expect(room.texts.has(msg.content), `${what}: "${msg.content}" of ${room.title}`).toBe(false);
  }
}

const search = fc.record({ who: actor, room: fc.nat(9), word: fc.constantFrom(...WORDS) }).map(
  ({ who, room: pick, word }) =>
    new Step(`search(${pick}, ${word})`, hasRooms, async (m, r, say) => {
      const { target, tab } = readTarget(m, r, who, pick);
      const address = target === "lobby" ? r.lobby : target.address;
      const res = await call<SearchResult>(tab.socket, "search_messages", { room: address, q: word, limit: 50 });
      const title = target === "lobby" ? "the public room" : target.title;
      say(`${tab.label} search_messages "${word}" in ${title} -> ${codeOf(res)}${res.ok ? ` ${res.hits.length} hits` : ""}`);
      count(`search_messages ${target === "lobby" ? "public " : ""}${codeOf(res)}`);
      if (target === "lobby") {
        expect(codeOf(res)).toBe("ok");
        if (res.ok) expectNothingPrivate(m, res.hits.map((h) => h.message), r, `search "${word}" in the public room`);
        return;
      }
      if (!target.joined.has(tab.index)) return expectCanonical(r, res, "search_messages", `${tab.label} search ${title}`);
      expect(codeOf(res)).toBe("ok");
      if (!res.ok) return;
      const expected = target.messages.filter((x) => !x.isDeleted && x.content.split(" ").includes(word)).map((x) => x.id);
      expect(res.hits.map((h) => h.message.id).sort((a, b) => a - b), `search "${word}" in ${title}`).toEqual(expected);
      for (const h of res.hits) expect(h.message.room).toBe(target.address);
    }),
);

type Cursor = { mode: "latest" } | { mode: "before" | "after" | "around"; id: number };

/** What fetch_history answers for `room` (page-around.ts for `around`), from the model. */
function expectedPage(room: Room, cursor: Cursor, limit: number): { ids: number[]; hasMore: boolean; hasMoreAfter?: boolean } {
  const ids = room.messages.map((x) => x.id);
  const last = (list: number[], n: number): number[] => list.slice(Math.max(0, list.length - n));
  switch (cursor.mode) {
    case "latest":
      return { ids: last(ids, limit), hasMore: ids.length > limit };
    case "before": {
      const older = ids.filter((id) => id < cursor.id);
      return { ids: last(older, limit), hasMore: older.length > limit };
    }
    case "after": {
      const newer = ids.filter((id) => id > cursor.id);
      return { ids: newer.slice(0, limit), hasMore: newer.length > limit };
    }
    case "around": {
      const newerCount = Math.floor((limit - 1) / 2);
      const upTo = ids.filter((id) => id <= cursor.id);
      const newer = ids.filter((id) => id > cursor.id);
      return {
        ids: [...last(upTo, limit - newerCount), ...newer.slice(0, newerCount)],
        hasMore: upTo.length > limit - newerCount,
        hasMoreAfter: newerCount > 0 ? newer.length > newerCount : newer.length > 0,
      };
    }
  }
}

const history = fc
  .record({ who: actor, room: fc.nat(9), mode: fc.constantFrom("latest", "before", "after", "around", "around"), msg: fc.nat(99), limit: fc.constantFrom(...LIMITS) })
  .map(
    ({ who, room: pick, mode, msg: msgPick, limit }) =>
      new Step(`fetch_history(${pick}, ${mode})`, hasRooms, async (m, r, say) => {
        const { target, tab } = readTarget(m, r, who, pick);
        const address = target === "lobby" ? r.lobby : target.address;
        // Cursors are ids of any room (another room's, to show it gives nothing of that room), or none yet: 1.
        const ids = allMessages(m).map((x) => x.id);
        const cursor: Cursor = mode === "latest" ? { mode } : { mode, id: ids.length > 0 ? at(ids, msgPick) : 1 };
        const payload = { room: address, limit, ...(cursor.mode !== "latest" ? { [cursor.mode]: cursor.id } : {}) };
        const res = await call<HistoryResult>(tab.socket, "fetch_history", payload);
        const title = target === "lobby" ? "the public room" : target.title;
        say(`${tab.label} fetch_history ${title} ${cursor.mode}${cursor.mode !== "latest" ? ` ${cursor.id}` : ""} limit ${limit} -> ${codeOf(res)}`);
        count(`fetch_history ${cursor.mode} ${target === "lobby" ? "public " : ""}${codeOf(res)}`);
        if (target === "lobby") {
          expect(codeOf(res)).toBe("ok");
          if (res.ok) expectNothingPrivate(m, res.messages, r, `fetch_history ${cursor.mode} in the public room`);
          return;
        }
        if (!target.joined.has(tab.index)) return expectCanonical(r, res, "fetch_history", `${tab.label} fetch_history ${title}`);
        expect(codeOf(res)).toBe("ok");
        if (!res.ok) return;
        const want = expectedPage(target, cursor, limit);
        const got = { ids: res.messages.map((x) => x.id), hasMore: res.hasMore, ...(cursor.mode === "around" ? { hasMoreAfter: res.hasMoreAfter } : {}) };
        expect(got, `fetch_history ${JSON.stringify(payload)} in ${title}`).toEqual(want);
        const byId = new Map(expectedHistory(target).map((x) => [x.id, x]));
        for (const x of seenHistory(res.messages)) expect(x).toEqual(byId.get(x.id));
      }),
  );

const typing = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(`typing(${pick})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [isIn, (x, t) => !isIn(x, t)]);
      const others = r.tabs.filter((t) => room.joined.has(t.index) && t !== tab);
      const arrived = others.map((t) => waitFor(t.socket, "typing", (ev) => ev.room === room.address && ev.username === nameOf(tab)));
      const res = await call(tab.socket, "typing", { room: room.address, isTyping: true });
      say(`${tab.label} typing in ${room.title} -> ${codeOf(res)}`);
      count(`typing ${codeOf(res)}`);
      if (!room.joined.has(tab.index)) return expectCanonical(r, res, "typing", `${tab.label} typing in ${room.title}`);
      expect(codeOf(res)).toBe("ok");
      await Promise.all(arrived);
    }),
);

/** A new connection that is not let in: a fresh browser, the cookie-less client, or a new tab of a session not admitted. */
const outsider = fc.record({ kind: fc.constantFrom("fresh", "cookieless", "person"), room: fc.nat(9), who: actor, node: fc.nat(1) }).map(
  ({ kind, room: pick, who, node }) =>
    new Step(`outsider(${kind}, ${pick})`, () => true, async (m, r, say) => {
      const n = pick % (m.rooms.length + 1);
      const room = m.rooms[n];
      const address = room?.address ?? madeUpAddress();
      const title = room?.title ?? "a made-up address";
      const strangers = BROWSERS.filter((p) => room !== undefined && !room.admitted.has(p));
      const person = kind === "person" && strangers.length > 0 ? at(strangers, who.n) : null;
      const cookie = person !== null ? (r.cookies[person] ?? null) : kind === "fresh" ? r.server.newSession() : null;
      const socket = await r.server.connect(node % r.server.urls.length, cookie);
      const inbox: Received[] = [];
      socket.onAny((event: string, payload: unknown) => inbox.push({ event, payload }));
      const label = person !== null ? `a new tab of ${personOf(person).name}` : kind === "fresh" ? "a fresh browser" : "a cookie-less client";
      try {
        const answers = await Promise.all(
          (["join_chat", "fetch_history", "search_messages", "list_members"] as const).map(async (event) => [event, await call(socket, event, canonicalPayload(event, address, "Stranger"))] as const),
        );
        say(`${label} join/fetch/search/members ${title} -> ${answers.map(([, a]) => codeOf(a)).join("/")}`);
        count(`outsider ${room ? "real" : "made-up"} ${answers.map(([, a]) => codeOf(a)).join("/")}`);
        for (const [event, res] of answers) expectCanonical(r, res, event, `${label}: ${event} ${title}`);
      } finally {
        await r.server.disconnect(socket);
      }
      expect(inbox, `${label} received something`).toEqual([]);
      return undefined;
    }),
);

// ---------- public rooms, and moving rooms between public and private ----------

const isInPublic = (p: PublicRoom, t: Tab): boolean => p.joined.has(t.index);
const isBanned = (bans: Bans, person: number): boolean => bans.bannedNames.has(person) || bans.bannedSessions.has(person);

/**
 * Anyone joins a public room of the run (the plaza, or a private room made public), unless a ban moved in with it.
 * Weighted towards the two people a room's move matters most for: the moderator (who can move it) and the
 * cookie-less client (who can never be admitted to it).
 */
const joinPublic = fc.record({ who: actor, whom: fc.constantFrom("anyone", "anyone", "moderator", "cookie-less"), room: fc.nat(9) }).map(
  ({ who, whom, room: pick }) =>
    new Step(`join public(${whom}, ${pick})`, () => true, async (m, r, say) => {
      const place = at(m.publicRooms, pick);
      const fits = (t: Tab): boolean => (whom === "moderator" ? personOf(t.person).isModerator : whom === "cookie-less" ? !personOf(t.person).isBrowser : true);
      const outside = r.tabs.filter((t) => !isInPublic(place, t) && fits(t));
      const tab = who.level > 0 && outside.length > 0 ? at(outside, who.n) : at(r.tabs, who.n);
      const isNewPresence = !tabsOf(r, tab.person).some((t) => isInPublic(place, t));
      const others = isNewPresence ? r.tabs.filter((t) => isInPublic(place, t)) : [];
      const res = await joinRoom(tab.socket, place.name, nameOf(tab), { heardBy: others.map((t) => t.socket), isFollowingMove: r.following.has(followKey(tab, place.name)) });
      noteJoined(r, tab, place.name, res);
      say(`${tab.label} join the public room "${place.name}" -> ${codeOf(res)}`);
      count(`join public ${codeOf(res)}`);
      if (isBanned(place, tab.person) && !isInPublic(place, tab)) return void expect(codeOf(res), "a ban that moved with the room").toBe("banned");
      expect(codeOf(res)).toBe("ok");
      if (res.ok) expect(seenHistory(res.history), `the history of "${place.name}"`).toEqual(expectedHistory(place));
      place.joined.add(tab.index);
    }),
);

const leavePublic = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(
      `leave public(${pick})`,
      (m) => m.publicRooms.some((p) => p.joined.size > 0),
      async (m, r, say) => {
        const place = at(
          m.publicRooms.filter((p) => p.joined.size > 0),
          pick,
        );
        const tab = at(
          r.tabs.filter((t) => isInPublic(place, t)),
          who.n,
        );
        const isLast = tabsOf(r, tab.person).every((t) => t === tab || !isInPublic(place, t));
        const staying = isLast ? r.tabs.filter((t) => isInPublic(place, t) && t.person !== tab.person) : [];
        const heard = staying.map((t) => waitFor(t.socket, "message", (msg) => isNotice(msg) && msg.room === place.name && msg.content === `${nameOf(tab)} has left the chat.`));
        const res = await call(tab.socket, "leave_chat", { room: place.name });
        say(`${tab.label} leave the public room "${place.name}" -> ${codeOf(res)}`);
        count(`leave public ${codeOf(res)}`);
        expect(codeOf(res)).toBe("ok");
        await Promise.all(heard);
        place.joined.delete(tab.index);
        return undefined;
      },
    ),
);

const sendPublic = fc.record({ who: actor, room: fc.nat(9), word: fc.constantFrom(...WORDS) }).map(
  ({ who, room: pick, word }) =>
    new Step(
      `send public(${pick})`,
      (m) => m.publicRooms.some((p) => p.joined.size > 0),
      async (m, r, say) => {
        const place = at(
          m.publicRooms.filter((p) => p.joined.size > 0),
          pick,
        );
        const tab = at(
          r.tabs.filter((t) => isInPublic(place, t)),
          who.n,
        );
        const content = `${word} pub${++r.counters.text}z`;
        const arrived = r.tabs.filter((t) => isInPublic(place, t)).map((t) => waitFor(t.socket, "message", (msg) => msg.room === place.name && msg.content === content));
        const res = await call<SendResult>(tab.socket, "send_message", { room: place.name, username: nameOf(tab), content });
        say(`${tab.label} send "${content}" to the public room "${place.name}" -> ${codeOf(res)}`);
        count(`send public ${codeOf(res)}`);
        expect(codeOf(res)).toBe("ok");
        if (!res.ok) return;
        await Promise.all(arrived);
        place.messages.push({ id: res.message.id, room: place.name, content, sender: tab.person, isDeleted: false });
        return undefined;
      },
    ),
);

/**
 * update_room {isPrivate: true} of a public room (the lobby excepted: the fences need it): it moves to a new private
 * address with its messages and bans; every browser session present is admitted, and its tabs there hear `room_moved`.
 * A client without the cookie can never be admitted: it must learn nothing of the new address, and hears
 * `removed {reason: "private"}` instead.
 */
const makePrivate = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(
      `make private(${pick})`,
      // Usually only once a moderator is in a public room; sometimes anyone tries (not_in_room, not_moderator).
      (m) => privateOnly(m).length < MAX_ROOMS && (who.level === 0 || m.publicRooms.some((p) => [...p.joined].some((t) => personOf(TAB_PERSON[t] ?? 0).isModerator))),
      async (m, r, say) => {
        const candidates = m.publicRooms.flatMap((p) => r.tabs.filter((t) => isInPublic(p, t) && personOf(t.person).isModerator).map((tab) => ({ place: p, tab })));
        const { place, tab } = who.level > 0 && candidates.length > 0 ? at(candidates, who.n) : { place: at(m.publicRooms, pick), tab: at(r.tabs, who.n) };
        const inside = r.tabs.filter((t) => isInPublic(place, t));
        const followers = inside.filter((t) => personOf(t.person).isBrowser);
        const moved = followers.map((t) => waitFor(t.socket, "room_moved", (ev) => ev.room === place.name));
        const turnedAway = inside.filter((t) => !personOf(t.person).isBrowser).map((t) => waitFor(t.socket, "removed", (ev) => ev.room === place.name));
        const res = await call<{ room: RoomInfo }>(tab.socket, "update_room", { room: place.name, isPrivate: true });
        const label = `Moved${++r.counters.room}`;
        say(`${tab.label} update_room "${place.name}" isPrivate -> ${codeOf(res)}${res.ok ? ` (${label}; in it: ${inside.map((t) => t.label).join(", ")})` : ""}`);
        count(`make private ${codeOf(res)}`);
        if (!isInPublic(place, tab)) return void expect(codeOf(res)).toBe("not_in_room");
        if (!personOf(tab.person).isModerator) return void expect(codeOf(res)).toBe("not_moderator");
        expect(codeOf(res)).toBe("ok");
        if (!res.ok) return;
        expect(res.room).toEqual({ room: res.room.room, title: place.name, kind: "private", canInvite: true, canManage: true, membersCanInvite: false });
        for (const ev of await Promise.all(moved)) expect(ev).toEqual({ room: place.name, to: { room: res.room.room, title: place.name, kind: "private" } });
        for (const t of followers) r.following.add(followKey(t, res.room.room));
        for (const ev of await Promise.all(turnedAway)) expect(ev, "a cookie-less client is not let in").toEqual({ room: place.name, reason: "private" });
        const room = newRoom(res.room.room, label, place.name, tab.person);
        for (const t of inside) if (personOf(t.person).isBrowser) room.admitted.add(t.person);
        room.messages = place.messages.map((x) => ({ ...x, room: room.address }));
        for (const x of place.messages) room.texts.add(x.content);
        room.bannedNames = place.bannedNames;
        room.bannedSessions = place.bannedSessions;
        m.rooms.push(room);
        m.addresses.add(room.address);
        // The old name leads to a fresh public room.
        m.publicRooms[m.publicRooms.indexOf(place)] = newPublicRoom(place.name);
      },
    ),
);

/**
 * update_room {isPrivate: false} of a private room, by a moderator in it: it becomes the public room of its title with
 * its messages and bans; its members and invites go; every tab in it hears `room_moved`. Refused (room_exists) while
 * that public room has messages or people.
 */
const makePublic = fc.record({ who: actor, room: fc.nat(9) }).map(
  ({ who, room: pick }) =>
    new Step(`make public(${pick})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [(x, t) => isIn(x, t) && personOf(t.person).isModerator, isIn]);
      const inside = r.tabs.filter((t) => isIn(room, t));
      const moved = inside.map((t) => waitFor(t.socket, "room_moved", (ev) => ev.room === room.address));
      const res = await call<{ room: RoomInfo }>(tab.socket, "update_room", { room: room.address, isPrivate: false });
      say(`${tab.label} update_room ${room.title} ("${room.name}") isPrivate: false -> ${codeOf(res)}`);
      count(`make public ${codeOf(res)}`);
      if (!isIn(room, tab)) return expectCanonical(r, res, "update_room", `${tab.label} update_room ${room.title}`);
      if (room.kind === "direct") return void expect(codeOf(res), "a direct conversation cannot be changed").toBe("invalid_payload");
      if (!personOf(tab.person).isModerator) return void expect(codeOf(res)).toBe("not_moderator");
      const existing = m.publicRooms.find((p) => p.name === room.name);
      if (existing !== undefined && (existing.joined.size > 0 || existing.messages.length > 0)) return void expect(codeOf(res)).toBe("room_exists");
      expect(codeOf(res)).toBe("ok");
      expect(res.ok && res.room).toEqual({ room: room.name, title: room.name, kind: "public" });
      for (const ev of await Promise.all(moved)) expect(ev).toEqual({ room: room.address, to: { room: room.name, title: room.name, kind: "public" } });
      for (const t of inside) r.following.add(followKey(t, room.name));
      const place: PublicRoom = { name: room.name, joined: new Set(), messages: room.messages.map((x) => ({ ...x, room: room.name })), bannedNames: room.bannedNames, bannedSessions: room.bannedSessions };
      if (existing !== undefined) m.publicRooms[m.publicRooms.indexOf(existing)] = place;
      else m.publicRooms.push(place);
      m.rooms.splice(m.rooms.indexOf(room), 1);
      for (const i of m.invites) if (i.home === room) i.isGone = true;
      return undefined;
    }),
);

/** update_room {membersCanInvite}: the creator or a moderator lets every member make invite links, or stops it. */
const setMembersCanInvite = fc.record({ who: actor, room: fc.nat(9), value: mostly }).map(
  ({ who, room: pick, value }) =>
    new Step(`members can invite(${pick}, ${value})`, hasRooms, async (m, r, say) => {
      const { room, tab } = choose(m.rooms, r, who, pick, [(x, t) => isIn(x, t) && canManage(x, t.person), isIn]);
      const res = await call<{ room: RoomInfo }>(tab.socket, "update_room", { room: room.address, membersCanInvite: value });
      say(`${tab.label} update_room ${room.title} membersCanInvite: ${value} -> ${codeOf(res)}`);
      count(`members can invite ${codeOf(res)}`);
      if (!isIn(room, tab)) return expectCanonical(r, res, "update_room", `${tab.label} update_room ${room.title}`);
      if (room.kind === "direct") return void expect(codeOf(res), "a direct conversation cannot be changed").toBe("invalid_payload");
      if (!canManage(room, tab.person)) return void expect(codeOf(res)).toBe("not_allowed");
      expect(codeOf(res)).toBe("ok");
      expect(res.ok && res.room).toMatchObject({ room: room.address, membersCanInvite: value, canManage: true });
      room.membersCanInvite = value;
      return undefined;
    }),
);

// ---------- direct conversations ----------

/**
 * open_direct from the lobby (everyone is in it): the pair's conversation, the same one every time, both sessions
 * admitted (again, after a kick); the other person's every tab hears room_added. A client without the cookie can
 * neither open one (session_required) nor be reached (not_allowed).
 */
const openDirect = fc.record({ who: actor, to: fc.nat(4) }).map(
  ({ who, to }) =>
    new Step(
      `open_direct(${personOf(to).name})`,
      (m) => m.rooms.filter((x) => x.kind === "direct").length < 3 || who.level === 0,
      async (m, r, say) => {
        const tab = at(r.tabs, who.n);
        const me = tab.person;
        const existing = m.rooms.find((x) => x.kind === "direct" && x.pair?.includes(me) === true && x.pair.includes(to) && me !== to);
        const heard = personOf(me).isBrowser && personOf(to).isBrowser && me !== to ? tabsOf(r, to).map((t) => waitFor(t.socket, "room_added", (ev) => ev.room.kind === "direct" && ev.message === undefined)) : [];
        const res = await call<{ room: RoomInfo; name: string }>(tab.socket, "open_direct", { room: r.lobby, username: personOf(to).name });
        const label = existing?.title ?? `Direct${r.counters.room + 1}`;
        say(`${tab.label} open_direct ${personOf(to).name} -> ${codeOf(res)}${res.ok ? ` (${label})` : ""}`);
        count(`open_direct ${codeOf(res)}`);
        if (!personOf(me).isBrowser) return void expect(codeOf(res)).toBe("session_required");
        if (!personOf(to).isBrowser) return void expect(codeOf(res)).toBe("not_allowed");
        if (me === to) return void expect(codeOf(res)).toBe("invalid_payload");
        expect(codeOf(res)).toBe("ok");
        if (!res.ok) return;
        expect(res).toMatchObject({ room: { title: personOf(to).name, kind: "direct" }, name: nameOf(tab) });
        if (existing !== undefined) expect(res.room.room, "the same conversation every time").toBe(existing.address);
        for (const ev of await Promise.all(heard)) expect(ev).toEqual({ room: { room: res.room.room, title: nameOf(tab), kind: "direct" }, name: personOf(to).name });
        // Its record's title names both, the opener first: what shows once the other member is out.
        const room = existing ?? { ...newRoom(res.room.room, `Direct${++r.counters.room}`, `${nameOf(tab)}, ${personOf(to).name}`, -1), kind: "direct" as const, pair: [me, to] as const };
        room.admitted = new Set([me, to]);
        if (existing === undefined) {
          m.rooms.push(room);
          m.addresses.add(room.address);
        }
      },
    ),
);

// ---------- races ----------

/**
 * A removal and a join of the same session at once: tab A leaves (or a moderator kicks or bans the name A holds)
 * while the session's other tab B joins, maybe on the other node. Whichever wins, the session ends up not
 * admitted and B outside the room: refused (not_found; banned, when the ban came first), or let in and then
 * removed. The room's people list must end without the name.
 */
const evictRace = fc.record({ kind: fc.constantFrom("leave", "kick", "ban"), joinFirst: fc.boolean(), lag: fc.nat(3), who: actor, mod: actor, room: fc.nat(9) }).map(
  ({ kind, joinFirst, lag, who, mod, room: pick }) =>
    new Step(`race ${kind} with join(${pick})`, (m) => privateOnly(m).length > 0, async (m, r, say) => {
      const racing: Tier = (x, t) => isIn(x, t) && tabsOf(r, t.person).some((o) => !isIn(x, o));
      // Private rooms only: leaving a direct conversation keeps the admission, so a join racing it may stay in.
      const { room, tab } = choose(privateOnly(m), r, { ...who, level: 2 }, pick, [racing]);
      const other = tabsOf(r, tab.person).find((t) => !isIn(room, t));
      const mover = kind === "leave" ? tab : choose([room], r, { ...mod, level: 2 }, 0, [(x, t) => isIn(x, t) && personOf(t.person).isModerator]).tab;
      const person = tab.person;
      const name = personOf(person).name;
      const staying = r.tabs.filter((t) => isIn(room, t) && t.person !== person);
      const canRace = isIn(room, tab) && other !== undefined && isIn(room, mover) && (kind === "leave" || personOf(mover.person).isModerator);
      if (!canRace || other === undefined) {
        say(`race ${kind}: nobody to race in ${room.title} (skipped)`);
        count(`race ${kind} skipped`);
        return undefined;
      }
      const presence: string[][] = staying.map(() => []);
      const onPresence = staying.map((t, i) => {
        const listener = (ev: { room: string; joined?: string[]; left?: string[] }): void => {
          if (ev.room !== room.address) return;
          for (const n of ev.joined ?? []) presence[i]?.push(`+${n}`);
          for (const n of ev.left ?? []) presence[i]?.push(`-${n}`);
        };
        t.socket.on("presence", listener);
        return () => t.socket.off("presence", listener);
      });
      const removedA = kind === "leave" ? null : waitFor(tab.socket, "removed", (ev) => ev.room === room.address);
      const removedB = waitFor(other.socket, "removed", (ev) => ev.room === room.address);
      let removedBeforeAck = false;
      void removedB.then(() => (removedBeforeAck = joinAnswered === null), () => undefined);
      let joinAnswered: Ack<JoinResult> | null = null;
      const heardLeft = staying.map((t) => waitFor(t.socket, "message", (msg) => isNotice(msg) && msg.room === room.address && msg.content === `${name} has left the chat.`));
      const remove = (): Promise<Ack> =>
        kind === "leave"
          ? call(tab.socket, "leave_chat", { room: room.address })
          : kind === "kick"
            ? call(mover.socket, "kick_user", { room: room.address, username: name })
            : call(mover.socket, "ban_user", { room: room.address, username: name, durationMs: BAN_MS });
      const join = (): Promise<Ack<JoinResult>> =>
        call<JoinResult>(other.socket, "join_chat", { room: room.address, username: name }).then((res) => (joinAnswered = res));
      // Emitted on two connections, the second `lag` round trips (my_rooms, on its own connection) after the first: no
      // sleep, and the second lands at different points of the first's handling (a join reads the admission twice).
      const lagged = async <T>(socket: ClientSocket, go: () => Promise<T>): Promise<T> => {
        for (let i = 0; i < lag; i++) await call(socket, "my_rooms", {});
        return go();
      };
      const started = (): [Promise<Ack>, Promise<Ack<JoinResult>>] => {
        if (joinFirst) {
          const joining = join();
          return [lagged(mover.socket, remove), joining];
        }
        const removing = remove();
        return [removing, lagged(other.socket, join)];
      };
      const [removed, joined] = await Promise.all(started());
      noteJoined(r, other, room.address, joined);
      const what = `${mover.label} ${kind} ${kind === "leave" ? room.title : `${name} in ${room.title}`} -> ${codeOf(removed)}`;
      say(`at once (${joinFirst ? "join" : kind} emitted first, the other ${lag} round trips later): ${what}; ${other.label} join ${room.title} -> ${codeOf(joined)}`);
      count(`race ${kind} ${codeOf(removed)} / join ${codeOf(joined)}${joined.ok && removedBeforeAck ? " (removed came before the join's ok)" : ""}`);
      try {
        expect(codeOf(removed), `the ${kind}`).toBe("ok");
        expect(kind === "ban" ? ["ok", "not_found", "banned"] : ["ok", "not_found"], `${other.label}'s racing join`).toContain(codeOf(joined));
        if (codeOf(joined) === "not_found") expectCanonical(r, joined, "join_chat", `${other.label}'s racing join`);
        if (removedA !== null) expect((await removedA).reason).toBe(kind === "kick" ? "kicked" : "banned");
        if (joined.ok) expect((await removedB).reason, `${other.label} was let in, so it is removed again`).toBe(kind === "leave" ? "left" : kind === "kick" ? "kicked" : "banned");
        await Promise.all(heardLeft);
        // Out of the room, whatever won: the made-up address's answer.
        expectCanonical(r, await call(other.socket, "fetch_history", canonicalPayload("fetch_history", room.address, name)), "fetch_history", `${other.label} after the race`);
        await fence(r).then((received) => {
          for (const [i, t] of r.tabs.entries()) t.inbox.unshift(...(received[i] ?? []));
        });
        for (const [i, t] of staying.entries()) {
          const last = presence[i]?.filter((p) => p.slice(1) === name).at(-1);
          expect(last, `${t.label}'s people list of ${room.title} after the race (presence seen: ${presence[i]?.join(" ")})`).toBe(`-${name}`);
        }
      } finally {
        for (const off of onPresence) off();
      }
      if (kind === "leave") room.admitted.delete(person);
      else expel(m, room, person);
      for (const t of tabsOf(r, person)) room.joined.delete(t.index);
      if (kind === "ban") {
        room.bannedNames.add(person);
        room.bannedSessions.add(person);
      }
      return { leaver: kind === "leave" ? tab.index : undefined, raced: { tab: other.index, room } } as StepOutcome;
    }),
);

/** Several sessions redeem one invite at once (maybe on different nodes): a limited link's last uses go to that many. */
const redeemRace = fc.record({ people: fc.uniqueArray(fc.constantFrom(...BROWSERS), { minLength: 2, maxLength: 3 }), invite: fc.nat(99) }).map(
  ({ people, invite: pick }) =>
    new Step(
      `race redeem(${pick})`,
      (m) => m.invites.some((i) => !i.isGone),
      async (m, r, say) => {
        const invite = at(
          m.invites.filter((i) => !i.isGone),
          pick,
        );
        const room = invite.home;
        let answers = await Promise.all(
          people.map(async (person, i) => {
            const url = at(r.server.urls, i);
            const res = await fetch(`${url}/invite/${invite.token}`, {
              method: "POST",
              headers: { origin: url, "content-type": "application/json", cookie: r.cookies[person] as string },
              body: JSON.stringify({ username: personOf(person).name }),
            });
            return { person, status: res.status, code: codeOf((await res.json()) as Ack) };
          }),
        );
        const state = `${invite.isRevoked ? "revoked" : "live"}, ${invite.uses}/${invite.maxUses ?? "∞"} uses`;
        say(`at once ${answers.map((a) => `${personOf(a.person).name} -> ${a.status} ${a.code}`).join(", ")}: redeem invite ${invite.id} of ${room.title} (${state})`);
        count(`race redeem ${answers.map((a) => a.status).sort().join("/")}`);
        // Banned: refused before anything else, spending nothing (http/invites.ts); the rest as if they had not come.
        const banned = answers.filter((a) => isBanned(room, a.person));
        for (const a of banned) expect({ status: a.status, code: a.code }, `${personOf(a.person).name} (banned)`).toEqual({ status: 403, code: "banned" });
        answers = answers.filter((a) => !isBanned(room, a.person));
        const members = answers.filter((a) => room.admitted.has(a.person));
        // A kick or ban since the link was made closed it to that person (room-kicks.ts): refused, spending nothing.
        const isKickedSince = (person: number): boolean => (room.kickedUpTo?.get(person) ?? 0) >= invite.id;
        const kicked = answers.filter((a) => !room.admitted.has(a.person) && isKickedSince(a.person));
        const newcomers = answers.filter((a) => !room.admitted.has(a.person) && !isKickedSince(a.person));
        if (invite.isRevoked) {
          for (const a of answers) expect({ status: a.status, code: a.code }).toEqual({ status: 410, code: "invite_revoked" });
          return undefined;
        }
        for (const a of members) expect({ status: a.status, code: a.code }, `${personOf(a.person).name} (a member)`).toEqual({ status: 200, code: "ok" });
        for (const a of kicked) expect({ status: a.status, code: a.code }, `${personOf(a.person).name} (taken out since)`).toEqual({ status: 410, code: "invite_revoked" });
        const left = invite.maxUses === null ? newcomers.length : Math.max(0, invite.maxUses - invite.uses);
        const admitted = newcomers.filter((a) => a.status === 200);
        expect(admitted.length, "new members admitted by the link").toBe(Math.min(left, newcomers.length));
        for (const a of newcomers.filter((x) => x.status !== 200)) expect({ status: a.status, code: a.code }).toEqual({ status: 410, code: "invite_used_up" });
        for (const a of admitted) room.admitted.add(a.person);
        invite.uses += admitted.length;
        return undefined;
      },
    ),
);

/** Every command; fc.commands picks among them evenly, so the ones the others build on are listed more than once. */
export const ACCESS_COMMANDS = [
  createRoom,
  createInvite,
  createInvite,
  redeem,
  redeem,
  redeem,
  join,
  join,
  join,
  join,
  leave,
  removal("kick"),
  removal("ban"),
  revoke,
  send,
  send,
  change("edit"),
  change("delete"),
  search,
  history,
  typing,
  outsider,
  evictRace,
  redeemRace,
  joinPublic,
  joinPublic,
  leavePublic,
  sendPublic,
  makePrivate,
  makePublic,
  setMembersCanInvite,
  openDirect,
];

export interface AccessModelOptions {
  numRuns: number;
  /** Commands per run at most. */
  maxCommands: number;
  /** Stop shrinking in time for the report to come out. */
  timeLimitMs: number;
  seed?: number;
}

/** Where a run starts: who made the first room (Ana, or the moderator), and which tabs are in the plaza already. */
const worlds = fc.record({ creator: fc.constantFrom(0, 1), inPlaza: fc.subarray(TAB_PERSON.map((_, i) => i)) });

/** The property: any sequence of commands keeps every invariant after every step. */
export async function checkAccessModel(server: ModelServer, opts: AccessModelOptions): Promise<void> {
  await fc.assert(
    fc.asyncProperty(worlds, fc.noBias(fc.commands(ACCESS_COMMANDS, { maxCommands: opts.maxCommands, size: "max" })), async ({ creator, inPlaza }, cmds) => {
      const world = await openWorld(server, creator, inPlaza);
      try {
        await fc.asyncModelRun(() => world, cmds);
      } finally {
        await closeWorld(world.real);
      }
    }),
    {
      numRuns: opts.numRuns,
      interruptAfterTimeLimit: opts.timeLimitMs,
      markInterruptAsFailure: true,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    },
  );
}
