// The soak's ledger (soak/ledger.ts) must be able to fail: each check is fed one fault here, and a clean
// record beside it, so a check that passes everything would be caught.
import { describe, expect, it } from "vitest";
import { Ledger, viewProblem } from "../soak/ledger.js";

const ack = (ledger: Ledger, id: number, room: string, at: number): void =>
  ledger.recordAck({ id, room, person: 0, emittedAt: at, ackedAt: at + 1 });

describe("soak ledger", () => {
  it("passes a clean record: each member got each message once, in its room, in order", () => {
    const ledger = new Ledger();
    ledger.openMembership(1, "a", 0);
    ledger.openMembership(2, "a", 0);
    for (const id of [1, 2, 3]) ack(ledger, id, "a", 10 * id);
    for (const person of [1, 2]) for (const id of [1, 2, 3]) ledger.recordReceipt(person, { id, room: "a" }, 1, new Set(["a"]));
    expect(ledger.check()).toMatchObject({ expected: 6, delivered: 6, missing: 0, duplicates: 0, unknown: 0, wrongRoom: 0, outOfOrder: 0 });
  });

  it("counts a message delivered to a connection that is not in its room", () => {
    const ledger = new Ledger();
    ack(ledger, 1, "a", 10);
    ledger.recordReceipt(1, { id: 1, room: "a" }, 1, new Set(["b"]));
    const report = ledger.check();
    expect(report.wrongRoom).toBe(1);
    expect(report.examples.join()).toContain("p1 got id 1 of a while in b");
  });

  it("counts a message labelled with another room than the one its ack named", () => {
    const ledger = new Ledger();
    ack(ledger, 1, "a", 10);
    ledger.recordReceipt(1, { id: 1, room: "b" }, 1, new Set(["b"]));
    expect(ledger.check().wrongRoom).toBe(1);
  });

  it("counts out-of-order delivery on one connection, not across a reconnect or across rooms", () => {
    const ledger = new Ledger();
    for (const [id, room] of [[1, "a"], [2, "b"], [3, "a"], [4, "a"]] as const) ack(ledger, id, room, 10 * id);
    const rooms = new Set(["a", "b"]);
    ledger.recordReceipt(1, { id: 4, room: "a" }, 1, rooms);
    ledger.recordReceipt(1, { id: 2, room: "b" }, 1, rooms); // another room: its own order
    ledger.recordReceipt(1, { id: 3, room: "a" }, 1, rooms); // after 4 on the same connection: out of order
    expect(ledger.check().outOfOrder).toBe(1);

    const fresh = new Ledger();
    for (const id of [3, 4]) ack(fresh, id, "a", 10 * id);
    fresh.recordReceipt(1, { id: 4, room: "a" }, 1, rooms);
    fresh.recordReceipt(1, { id: 3, room: "a" }, 2, rooms); // a new connection starts its own order
    expect(fresh.check().outOfOrder).toBe(0);
  });

  it("finds a catch-up view with a gap, a repeat or a foreign id, and accepts an exact one", () => {
    const stored = [1, 2, 3, 5, 8, 9];
    const view = (ids: number[]) => ({ receiver: 1, room: "a", ids, catchUps: 1 });
    expect(viewProblem(view([2, 3, 5, 9, 8]), stored)).toBeNull(); // arrival order may mix live and paged ids
    expect(viewProblem(view([2, 3, 8, 9]), stored)).toMatch(/missing 1 stored ids between 2 and 9, e.g. 5/);
    expect(viewProblem(view([2, 3, 5, 5, 8]), stored)).toMatch(/id 5 twice/);
    expect(viewProblem(view([2, 3, 4, 5]), stored)).toMatch(/not stored in this room: 4/);

    const ledger = new Ledger();
    ledger.recordView(view([1, 2, 3, 5, 8]));
    ledger.recordView(view([3, 8]));
    expect(ledger.checkViews(new Map([["a", stored]]))).toMatchObject({ views: 2, catchUps: 2, broken: 1 });
  });

  it("holds each tab of a person to every message: a second tab that missed one is a miss", () => {
    const ledger = new Ledger();
    ledger.openMembership(1, "a", 0); // the first tab
    ledger.openMembership(101, "a", 0); // the second tab: same name, its own receiver number
    ack(ledger, 1, "a", 10);
    ledger.recordReceipt(1, { id: 1, room: "a" }, 1, new Set(["a"]));
    const report = ledger.check();
    expect(report).toMatchObject({ expected: 2, delivered: 1, missing: 1 });
    expect(report.examples.join()).toContain("p101 in a");
  });
});
