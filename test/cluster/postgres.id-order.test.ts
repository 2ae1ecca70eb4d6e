// Ids in a room become visible in id order, across nodes. Three repositories (three pools, as three nodes
// would have) insert into one room at the same time while readers catch up with `after: lastSeen`, the way a
// reconnecting client does. Without the per-room advisory lock a later id can commit first: a reader that saw
// it moves its cursor past the earlier id and never gets it (this suite fails then). Each append also answers the
// room's id before it (previousId), which must match the table, however the batches of three nodes interleave.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresMessageRepository } from "../../src/storage/postgres.js";
import type { AppendResult, ChatMessage } from "../../src/storage/repository.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

const NODES = 3;
const BURSTS = 40;
const PER_BURST = 10;
const ROOM = "busy";
const OTHER = "elsewhere";
const roomOf = (i: number): string => (i % 4 === 3 ? OTHER : ROOM);
/** How many of one burst's appends go to `room`. */
const perBurstIn = (room: string): number => Array.from({ length: PER_BURST }, (_, i) => roomOf(i)).filter((r) => r === room).length;

let url = "";
let nodes: PostgresMessageRepository[] = [];

beforeAll(async () => {
  url = await clusterDatabase();
  nodes = await Promise.all(Array.from({ length: NODES }, () => openPostgresRepo(url)));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

/** One node's sends: bursts of appends in one turn, some also to a second room so batches take two room locks. */
async function write(node: PostgresMessageRepository, n: number): Promise<AppendResult[]> {
  const results: AppendResult[] = [];
  for (let b = 0; b < BURSTS; b++) {
    results.push(
      ...(await Promise.all(
        Array.from({ length: PER_BURST }, (_, i) =>
          node.append({ room: roomOf(i), sender: `node${n}`, content: `${n}.${b}.${i}`, sentAt: new Date(), clientId: `${n}-${b}-${i}` }),
        ),
      )),
    );
  }
  return results;
}

/** Each appended id's previousId is the id before it in its room's table (0 for the first): the link the nodes' sequencers follow. */
function expectLinksFollowTable(results: readonly AppendResult[], room: string, table: readonly number[]): void {
  const previousOf = new Map(results.filter((r) => r.message.room === room).map((r) => [r.message.id, r.previousId]));
  expect(previousOf.size).toBe(table.length);
  table.forEach((id, i) => expect(previousOf.get(id), `previousId of ${id}`).toBe(i === 0 ? 0 : table[i - 1]));
}

/** A client catching up in a loop until the writers are done and one more page finds nothing new. */
async function read(node: PostgresMessageRepository, isWriting: () => boolean): Promise<ChatMessage[]> {
  const seen: ChatMessage[] = [];
  let lastSeen = 0;
  for (;;) {
    const wasWriting = isWriting();
    const page = await node.page(ROOM, { after: lastSeen, limit: 25 });
    seen.push(...page.messages);
    lastSeen = page.messages.at(-1)?.id ?? lastSeen;
    if (!wasWriting && page.messages.length === 0) return seen;
  }
}

async function tableIds(room: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM chat_message WHERE chat_room = $1 ORDER BY id", [room]);
    return rows.map((r) => Number(r.id));
  } finally {
    await client.end();
  }
}

describe("postgres: ids in a room become visible in id order", () => {
  it("gives every reader the whole room, gap-free and exactly once, while 3 nodes insert concurrently", async () => {
    let writing = true;
    const writers = Promise.all(nodes.map((node, n) => write(node, n))).finally(() => (writing = false));
    const readers = nodes.map((node) => read(node, () => writing));
    const appended = (await writers).flat();
    const views = await Promise.all(readers);

    const table = await tableIds(ROOM);
    expect(table).toHaveLength(NODES * BURSTS * perBurstIn(ROOM));
    for (const view of views) {
      const ids = view.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length); // exactly once
      expect(ids).toEqual(table); // nothing skipped, in id order
    }
    const other = await tableIds(OTHER);
    expect(other).toHaveLength(NODES * BURSTS * perBurstIn(OTHER));
    expectLinksFollowTable(appended, ROOM, table);
    expectLinksFollowTable(appended, OTHER, other);
  });
});
