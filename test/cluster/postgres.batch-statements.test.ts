// What one append batch costs on PostgreSQL in statements (round trips): the store-side ban and kick re-check
// (postgres-sender-checks.ts) must not make a batch of sends into private rooms dearer than one into public rooms;
// only a room with a ban row pays a read per send. The batch runs through writeBatch, its own seam, on a pool whose
// connection counts what it is asked.
import pg from "pg";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { newPrivateAddress } from "../../src/access/policy.js";
import { nameKey } from "../../src/shared/names.js";
import { writeBatch } from "../../src/storage/postgres-batch.js";
import { RoomClosedError, type AppendOutcome, type ChatStore, type NewMessage } from "../../src/storage/repository.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

const T0 = new Date("2026-12-07T10:00:00.000Z");
const later = (ms: number): Date => new Date(T0.getTime() + ms);

let url = "";
beforeAll(async () => {
  url = await clusterDatabase(); // openPostgresRepo below migrates it
});

/** The store (migrations, rooms, bans) and a pool for writeBatch whose connections record every statement's text. */
async function setup(): Promise<{ store: ChatStore; batch: (msgs: NewMessage[]) => Promise<{ outcomes: AppendOutcome[]; statements: string[] }> }> {
  const store = await openPostgresRepo(url);
  onTestFinished(() => store.close());
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  onTestFinished(() => pool.end());
  let statements: string[] = [];
  const counting = {
    connect: async () => {
      const client = await pool.connect();
      const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
      // Only the calls writeBatch makes: (text, values), never a config object or a callback.
      return Object.assign(Object.create(client) as pg.PoolClient, {
        query: (text: string, values?: unknown[]) => {
          statements.push(text);
          return query(text, values);
        },
        release: (err?: Error | boolean) => client.release(err),
      });
    },
  } as unknown as pg.Pool;
  return {
    store,
    batch: async (msgs) => {
      statements = [];
      const outcomes = await writeBatch(counting, msgs);
      return { outcomes, statements };
    },
  };
}

let sends = 0;
/** A socket's send, as the handler passes it on: checked again by the store (ownerKey and memberSince). */
function sendOf(room: string, session: string, name = session): NewMessage {
  sends++;
  return { room, sender: name, content: `hello ${sends}`, sentAt: later(1000 + sends), ownerKey: session, memberSince: T0, clientId: `c-${sends}` };
}

async function privateRoom(store: ChatStore, members: string[]): Promise<string> {
  const room = newPrivateAddress();
  await store.access.createRoom(
    { room, title: `Room ${room.slice(1, 6)}`, kind: "private", creatorKey: members[0] ?? null, membersCanInvite: false, originRoom: null, pairKey: null, createdAt: T0 },
    members.map((sessionKey) => ({ sessionKey, name: null })),
  );
  return room;
}

const stored = (outcomes: AppendOutcome[]): boolean[] => outcomes.map((o) => !(o instanceof Error));

describe("postgres: the statements one append batch runs", () => {
  it("a batch with sends into private rooms runs as many statements as one into public rooms; only a room with a ban row adds one", async () => {
    const { store, batch } = await setup();
    const [teamA, teamB] = [await privateRoom(store, ["ana", "bob"]), await privateRoom(store, ["cleo"])];
    const publicBatch = await batch([sendOf("lobby", "ana"), sendOf("lobby", "bob"), sendOf("garden", "cleo")]);
    expect(stored(publicBatch.outcomes)).toEqual([true, true, true]);
    const privateBatch = await batch([sendOf(teamA, "ana"), sendOf(teamA, "bob"), sendOf(teamB, "cleo")]);
    expect(stored(privateBatch.outcomes)).toEqual([true, true, true]);
    const mixedBatch = await batch([sendOf("lobby", "ana"), sendOf(teamA, "bob"), sendOf(teamB, "cleo")]);
    expect(stored(mixedBatch.outcomes)).toEqual([true, true, true]);
    expect(privateBatch.statements.length).toBe(publicBatch.statements.length);
    expect(mixedBatch.statements.length).toBe(publicBatch.statements.length);

    await store.addBan({ room: teamA, nameKey: nameKey("Someone"), name: "Someone", sessionKey: null, until: later(3_600_000), by: "mod", at: T0 });
    const withBan = await batch([sendOf(teamA, "ana"), sendOf(teamB, "cleo")]);
    expect(stored(withBan.outcomes)).toEqual([true, true]);
    expect(withBan.statements.length).toBe(publicBatch.statements.length + 1);
  });

  it("folded into that statement, a private room still refuses a send from a session that is no member, and a ban still refuses its name", async () => {
    const { store, batch } = await setup();
    const [team, banned] = [await privateRoom(store, ["ana"]), await privateRoom(store, ["ana", "bob"])];
    await store.addBan({ room: banned, nameKey: nameKey("bob"), name: "bob", sessionKey: null, until: later(3_600_000), by: "mod", at: T0 });
    const { outcomes } = await batch([sendOf(team, "ana"), sendOf(team, "eve"), sendOf(banned, "ana"), sendOf(banned, "bob"), sendOf("lobby", "eve")]);
    expect(stored(outcomes)).toEqual([true, false, true, false, true]);
    expect(outcomes[1]).toBeInstanceOf(RoomClosedError);
    expect(outcomes[3]).toMatchObject({ until: later(3_600_000) });
    expect((await store.page(team, { limit: 10 })).messages.map((m) => m.sender)).toEqual(["ana"]);
  });
});
