// The rooms a node found never moved away (chat/moved-rejoin.ts UnmovedRooms): a restart storm's rejoins ask the
// store once per room, and a move, here or heard from another node, is never hidden by what was remembered before.
import { describe, expect, it } from "vitest";
import { UnmovedRooms } from "../src/chat/moved-rejoin.js";

/** A store answer the test releases: what the store says, counted. */
function store(answer: boolean) {
  let asked = 0;
  const pending: (() => void)[] = [];
  return {
    get asked() {
      return asked;
    },
    ask: () => {
      asked++;
      return Promise.resolve(answer);
    },
    held: () =>
      new Promise<boolean>((resolve) => {
        asked++;
        pending.push(() => resolve(answer));
      }),
    release: () => pending.splice(0).forEach((go) => go()),
  };
}

describe("rooms known never to have moved", () => {
  it("asks the store once per room, however many rejoins follow", async () => {
    const rooms = new UnmovedRooms();
    const s = store(false);
    for (let i = 0; i < 50; i++) expect(await rooms.hasMoved("general", s.ask)).toBe(false);
    expect(await rooms.hasMoved("lobby", s.ask)).toBe(false);
    expect(s.asked).toBe(2);
  });

  it("never remembers a room that moved, and asks again after a move", async () => {
    const rooms = new UnmovedRooms();
    const moved = store(true);
    expect(await rooms.hasMoved("general", moved.ask)).toBe(true);
    expect(await rooms.hasMoved("general", moved.ask)).toBe(true);
    expect(moved.asked).toBe(2);
    const never = store(false);
    await rooms.hasMoved("lobby", never.ask);
    rooms.moved("lobby");
    await rooms.hasMoved("lobby", never.ask);
    expect(never.asked).toBe(2);
  });

  it("keeps no answer that was on its way while a move arrived: it may be older than the move", async () => {
    const rooms = new UnmovedRooms();
    const s = store(false);
    const answer = rooms.hasMoved("general", s.held);
    rooms.moved("general");
    s.release();
    expect(await answer).toBe(false);
    await rooms.hasMoved("general", s.ask);
    expect(s.asked).toBe(2);
  });

  it("holds at most its bound of rooms", async () => {
    const rooms = new UnmovedRooms(3);
    const s = store(false);
    for (const room of ["a", "b", "c", "d"]) await rooms.hasMoved(room, s.ask);
    await rooms.hasMoved("a", s.ask); // forgotten when the fourth came in: asked again
    await rooms.hasMoved("d", s.ask); // kept
    expect(s.asked).toBe(5);
  });
});
