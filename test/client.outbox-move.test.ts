// The outbox's side of a room that moves to another address (public/js/outbox.js), run in Node with a stand-in
// message list: a send refused `room_moved` and everything queued behind it leave the old address's outbox in order,
// under their clientIds, and the outbox at the new address sends them; nothing more goes to the old address.
import { describe, expect, it } from "vitest";
import type { WireAttachment, WireMessage, WireQuote } from "../src/protocol.js";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../public/js/${name}`, import.meta.url).href);

interface Sent {
  content: string;
  clientId: string;
  attachments?: string[];
  replyTo?: number;
}
type Answer = { ok: true; message: WireMessage } | { ok: false; error: { code: string; message: string } };
interface Carried {
  clientId: string;
  content: string;
  attachments: WireAttachment[];
  replyTo?: WireQuote;
  error?: string;
}
interface OutboxLike {
  add(sender: string, content: string, attachments?: WireAttachment[], replyTo?: WireQuote): { clientId: string };
  restore(kept: (Carried & { sender: string; heldByMove?: true })[]): boolean;
  handOver(to?: string): Carried[];
  releaseHeld(): (Carried & { wasHeldByMove?: true })[];
  pump(): void;
}
const { Outbox } = (await load("outbox.js")) as { Outbox: new (deps: unknown) => OutboxLike };
const { unsentText, labelOf } = (await load("unsent-view.js")) as {
  unsentText: (item: Carried) => string;
  labelOf: (item: Carried & { wasOnItsWay?: true; wasHeldByMove?: true }, title: string) => string;
};

/** An outbox whose sends wait until the test answers them, with a list that records what it was told. */
function anOutbox(room: string) {
  const sent: { payload: Sent; answer: (res: Answer) => void }[] = [];
  const states: string[] = [];
  const confirmed: string[] = [];
  const movedTo: string[] = [];
  const removedFromDevice: string[] = [];
  const removedFromList: string[] = [];
  let heldOnDevice = 0;
  const list = {
    removeLocal: (li: { content: string }) => removedFromList.push(li.content),
    addLocal: (_sender: string, content: string) => ({ content }),
    setLocalState: (li: { content: string }, state: string) => states.push(`${li.content}:${state}`),
    confirmLocal: (li: { content: string }) => confirmed.push(li.content),
  };
  const outbox = new Outbox({
    list,
    canSend: () => true,
    emit: (payload: Sent) => new Promise<Answer>((resolve) => sent.push({ payload, answer: resolve })),
    onFailed: () => undefined,
    onNotInRoom: () => undefined,
    onRetried: () => undefined,
    store: { saved: () => undefined, removed: (clientId: string) => removedFromDevice.push(clientId), cleared: () => undefined, movedTo: (to: string) => movedTo.push(to), held: () => heldOnDevice++ },
  });
  return { outbox, sent, states, confirmed, movedTo, removedFromDevice, removedFromList, room, heldOnDevice: () => heldOnDevice };
}

const stored = (id: number, room: string, p: Sent): WireMessage => ({ id, room, sender: "Ana", content: p.content, timestamp: "2026-12-07 10:00:00", sentAt: "2026-12-07T10:00:00.000Z", clientId: p.clientId });
const refusedMoved: Answer = { ok: false, error: { code: "room_moved", message: "This room was just made private: this message was not sent. Send it again in the room." } };
/** Lets the outbox's `.then` after an answer run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("the outbox when its room moves", () => {
  it("holds a send refused room_moved and what is queued behind it, then hands both over in order with their clientIds, and the new address sends them", async () => {
    const old = anOutbox("general");
    const first = old.outbox.add("Ana", "one");
    const second = old.outbox.add("Ana", "two");
    expect(old.sent.map((s) => s.payload.content)).toEqual(["one"]); // one at a time
    old.sent[0]?.answer(refusedMoved);
    await settled();
    expect(old.sent).toHaveLength(1); // "two" did not go to the old address
    expect(old.states).not.toContain("one:failed");

    const carried = old.outbox.handOver("~newAddress000000000000");
    expect(old.movedTo).toEqual(["~newAddress000000000000"]);
    expect(carried.map((c) => [c.clientId, c.content])).toEqual([
      [first.clientId, "one"],
      [second.clientId, "two"],
    ]);

    const moved = anOutbox("~newAddress000000000000");
    moved.outbox.restore(carried.map((c) => ({ ...c, sender: "Ana" })));
    expect(moved.sent.map((s) => s.payload)).toEqual([{ content: "one", clientId: first.clientId }]);
    moved.sent[0]?.answer({ ok: true, message: stored(10, moved.room, moved.sent[0].payload) });
    await settled();
    expect(moved.sent.map((s) => s.payload)).toEqual([
      { content: "one", clientId: first.clientId },
      { content: "two", clientId: second.clientId },
    ]);
    moved.sent[1]?.answer({ ok: true, message: stored(11, moved.room, moved.sent[1].payload) });
    await settled();
    expect(moved.confirmed).toEqual(["one", "two"]);
  });

  it("a send still on its way when the move comes is carried too, and its late answer at the old address changes nothing", async () => {
    const old = anOutbox("general");
    const item = old.outbox.add("Ana", "racing");
    old.outbox.add("Ana", "behind");
    const carried = old.outbox.handOver("~newAddress000000000000");
    expect(carried.map((c) => c.clientId)[0]).toBe(item.clientId);
    old.sent[0]?.answer(refusedMoved);
    await settled();
    expect({ sent: old.sent.length, confirmed: old.confirmed, failed: old.states.filter((s) => s.endsWith(":failed")) }).toEqual({ sent: 1, confirmed: [], failed: [] });
  });

  it("carries a reply and its files as they were, and a message that had failed for another reason stays failed at the new address, not sent by itself", async () => {
    const old = anOutbox("general");
    const files: WireAttachment[] = [{ id: "f1", name: "plan.pdf", type: "application/pdf", size: 10, url: "/files/f1/plan.pdf" }];
    const quote: WireQuote = { id: 3, sender: "Bo", excerpt: "the original" };
    old.outbox.add("Ana", "too long for the room", [], undefined);
    old.sent[0]?.answer({ ok: false, error: { code: "invalid_content", message: "Too long." } });
    await settled();
    old.outbox.add("Ana", "see this", files, quote);
    old.sent[1]?.answer(refusedMoved);
    await settled();
    const carried = old.outbox.handOver("~newAddress000000000000");
    expect(carried.map((c) => ({ content: c.content, error: c.error, files: c.attachments.map((a) => a.id), replyTo: c.replyTo?.id }))).toEqual([
      { content: "too long for the room", error: "Too long.", files: [], replyTo: undefined },
      { content: "see this", error: undefined, files: ["f1"], replyTo: 3 },
    ]);
    const moved = anOutbox("~newAddress000000000000");
    moved.outbox.restore(carried.map((c) => ({ ...c, sender: "Ana" })));
    expect(moved.sent.map((s) => s.payload)).toEqual([{ content: "see this", clientId: carried[1]?.clientId, attachments: ["f1"], replyTo: 3 }]);
    expect(moved.states).toContain("too long for the room:failed");
  });

  it("back at the old address with no move to follow, what the move held leaves the outbox, the list and the device, unsent; later messages go as usual", async () => {
    const old = anOutbox("general");
    const first = old.outbox.add("Ana", "one");
    const second = old.outbox.add("Ana", "two");
    old.sent[0]?.answer(refusedMoved);
    await settled();
    expect(old.heldOnDevice()).toBe(1); // a reload before the move comes must not send them either
    // The connection drops before room_moved comes; the rejoin joins the fresh room of the old name and pumps.
    old.outbox.pump();
    expect(old.sent).toHaveLength(1); // still held: nothing went to the old address

    const held = old.outbox.releaseHeld();
    expect(held.map((c) => [c.clientId, c.content, c.wasHeldByMove])).toEqual([
      [first.clientId, "one", true],
      [second.clientId, "two", true],
    ]);
    expect({ device: old.removedFromDevice, list: old.removedFromList, movedTo: old.movedTo }).toEqual({ device: [first.clientId, second.clientId], list: ["one", "two"], movedTo: [] });
    expect(old.outbox.releaseHeld()).toEqual([]); // once

    old.outbox.pump();
    expect(old.sent).toHaveLength(1); // neither held message is sent into this room
    old.outbox.add("Ana", "written after");
    expect(old.sent.map((s) => s.payload.content)).toEqual(["one", "written after"]);
    old.sent[1]?.answer({ ok: true, message: stored(20, "general", old.sent[1].payload) });
    await settled();
    expect(old.confirmed).toEqual(["written after"]);
  });

  it("messages a move held on an earlier page hold the outbox they come back to, until let go of; a hold of its own is not taken over", async () => {
    const kept = [
      { clientId: "c1", sender: "Ana", content: "one", attachments: [], heldByMove: true as const },
      { clientId: "c2", sender: "Ana", content: "two", attachments: [] },
    ];
    const page = anOutbox("general");
    expect(page.outbox.restore(kept)).toBe(true);
    expect(page.sent).toEqual([]); // not sent into whatever this address is now
    expect(page.outbox.releaseHeld().map((c) => [c.clientId, c.wasHeldByMove])).toEqual([
      ["c1", true],
      ["c2", true],
    ]);

    const heldHere = anOutbox("general");
    heldHere.outbox.add("Ana", "mine");
    heldHere.sent[0]?.answer(refusedMoved);
    await settled();
    expect(heldHere.outbox.restore(kept)).toBe(false); // held already, by a move this page may still follow
    expect(heldHere.sent).toHaveLength(1);
    expect(anOutbox("general").outbox.restore([{ clientId: "c3", sender: "Ana", content: "three", attachments: [] }])).toBe(false);
  });

  it("an outbox no move held lets go of nothing when the page is back in its room", async () => {
    const box = anOutbox("general");
    box.outbox.add("Ana", "on its way");
    expect(box.outbox.releaseHeld()).toEqual([]);
    expect({ device: box.removedFromDevice, list: box.removedFromList }).toEqual({ device: [], list: [] });
    box.sent[0]?.answer({ ok: true, message: stored(5, "general", box.sent[0].payload) });
    await settled();
    expect(box.confirmed).toEqual(["on its way"]);
  });

  it("labels an unsent message by why it is there", () => {
    const item = { clientId: "c", content: "hi", attachments: [] };
    expect(labelOf(item, "general")).toBe("Not sent in general:");
    expect(labelOf({ ...item, wasOnItsWay: true }, "general")).toBe("Perhaps not sent in general (it was on its way):");
    expect(labelOf({ ...item, wasHeldByMove: true }, "general")).toBe("Not sent in general (the room moved to another address, and this page could not follow it):");
  });

  it("keeps an unsent message's text and the names of its files for copying", () => {
    const files: WireAttachment[] = [{ id: "f1", name: "plan.pdf", type: "application/pdf", size: 10, url: "/files/f1/plan.pdf" }];
    expect(unsentText({ clientId: "c", content: "<b>hi</b>", attachments: [] })).toBe("<b>hi</b>");
    expect(unsentText({ clientId: "c", content: "see", attachments: files })).toBe("see\n(files: plan.pdf)");
    expect(unsentText({ clientId: "c", content: "", attachments: files })).toBe("(files: plan.pdf)");
  });
});
