// Editing and deleting one's own messages (issue 12), and a moderator: the actions on a message, the
// inline editor (Enter saves, Escape cancels, Up arrow in an empty box), the confirm dialog, what other
// pages see live, and a moderator who deletes someone else's message and removes them from the room.
import { describe, expect, it } from "vitest";
import { closeAndReopenAtOnce, join, notice, send, sentMessage, waitForPresence } from "./helpers/browser.js";
import { blockingFindings } from "./helpers/axe.js";
import { E2E_MODERATOR_TOKEN } from "./helpers/server.js";
import { browserSuite, world } from "./helpers/suite.js";
import { moderatorAndMember } from "./helpers/moderator.js";

const suite = browserSuite();

describe("editing and deleting", () => {
  it("edits with the Edit button and with Up arrow, cancels with Escape, and others see (edited) live", async () => {
    const { problems, person } = world(suite);
    const room = "edit-room";
    const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(ben.page, suite.server.url, "Ben", room);
    await send(ana.page, "helo everyone");
    await send(ana.page, "second thougth");
    await sentMessage(ben.page, "second thougth").waitFor();
    // Others' messages get no Edit nor Delete: Ben's page shows Reply, Add reaction (issue 22) and Copy link on Ana's.
    expect(await sentMessage(ben.page, "helo everyone").locator(".msg__action").allTextContents()).toEqual(["Reply", "Add reaction", "Copy link"]);

    // Ben has it in his search results: the edit reaches them too.
    await ben.page.fill("#search-input", "helo");
    await ben.page.press("#search-input", "Enter");
    await ben.page.locator("#search-results mark", { hasText: "helo" }).waitFor();

    // Edit button on the first message, by keyboard.
    await sentMessage(ana.page, "helo everyone").locator(".msg__action[data-action=edit]").focus();
    await ana.page.keyboard.press("Enter");
    const editor = ana.page.locator("#messages textarea.msg__editbox");
    await editor.waitFor();
    expect(await ana.page.evaluate(() => document.activeElement?.classList.contains("msg__editbox"))).toBe(true);
    await editor.fill("hello everyone");
    await ana.page.keyboard.press("Enter");
    await sentMessage(ana.page, "hello everyone").locator(".msg__edited").waitFor();
    const edited = sentMessage(ben.page, "hello everyone");
    await edited.locator(".msg__edited", { hasText: "(edited)" }).waitFor();
    expect(await edited.locator(".msg__edited").getAttribute("title")).toMatch(/^Edited /);
    await ben.page.locator("#search-results .search-hit__text", { hasText: "hello everyone" }).waitFor();
    // The room's message_updated can reach both pages before Ana's ack: the editor closes when the ack is in.
    await editor.waitFor({ state: "detached" });
    expect(await ana.page.locator("#live-region").textContent()).toContain("Message edited.");

    // Up arrow in the empty composer edits the last own message; Escape cancels and leaves it as it was.
    await ana.page.focus("#message-content");
    await ana.page.keyboard.press("ArrowUp");
    await editor.waitFor();
    expect(await editor.inputValue()).toBe("second thougth");
    await editor.fill("never saved");
    await ana.page.keyboard.press("Escape");
    await editor.waitFor({ state: "detached" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    await sentMessage(ana.page, "second thougth").waitFor();

    // Up arrow again; Shift+Enter adds a line, Enter saves.
    await ana.page.keyboard.press("ArrowUp");
    await editor.waitFor();
    await editor.fill("second thought");
    await ana.page.keyboard.press("Shift+Enter");
    await ana.page.keyboard.type("on two lines");
    await ana.page.keyboard.press("Enter");
    await sentMessage(ben.page, "second thought\non two lines").locator(".msg__edited").waitFor();
    await editor.waitFor({ state: "detached" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    expect(problems.list).toEqual([]);
  });

  it("deletes after a confirm dialog (Cancel keeps it), and the other page shows the tombstone live", async () => {
    const { problems, person } = world(suite);
    const room = "delete-room";
    const [ana, ben] = await Promise.all([person("ana", { bypassCSP: true }), person("ben")]);
    await join(ana.page, suite.server.url, "Ana", room);
    await join(ben.page, suite.server.url, "Ben", room);
    await send(ana.page, "oops, wrong room");
    await sentMessage(ben.page, "oops, wrong room").waitFor();

    const del = sentMessage(ana.page, "oops, wrong room").locator(".msg__action[data-action=delete]");
    await del.focus();
    await ana.page.keyboard.press("Enter");
    const dialog = ana.page.locator("#confirm-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await ana.page.textContent("#confirm-title")).toBe("Delete this message?");
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("confirm-cancel");
    expect(await blockingFindings(ana.page, "confirm dialog")).toEqual([]);
    await ana.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe("delete");
    await sentMessage(ana.page, "oops, wrong room").waitFor();

    await ana.page.keyboard.press("Enter");
    await dialog.waitFor({ state: "visible" });
    // Closed and opened again before the close event fired: OK still deletes.
    await closeAndReopenAtOnce(ana.page, "confirm-dialog", del);
    await ana.page.click("#confirm-ok");
    await dialog.waitFor({ state: "hidden" });
    const tomb = (page: typeof ana.page) => page.locator("#messages li.msg--deleted .msg__text", { hasText: "message deleted" });
    await tomb(ana.page).waitFor();
    await tomb(ben.page).waitFor();
    expect(await sentMessage(ben.page, "oops, wrong room").count()).toBe(0);
    const colours = await tomb(ben.page).evaluate((el) => ({ style: getComputedStyle(el).fontStyle }));
    expect(colours.style).toBe("italic");
    expect(await ana.page.locator("#live-region").textContent()).toContain("Message deleted.");
    // The tombstone stays after a reload (history carries deletedAt).
    await ben.page.reload();
    await tomb(ben.page).waitFor();
    expect(problems.list).toEqual([]);
  });
});

describe("moderator", () => {
  it("becomes a moderator on /moderate, deletes someone else's message, kicks them, and they see why", async () => {
    const { problems, person } = world(suite);
    const room = "moderated";
    const [mod, ben] = await Promise.all([person("mod", { bypassCSP: true }), person("ben")]);

    await mod.page.goto(`${suite.server.url}/moderate`);
    expect(await blockingFindings(mod.page, "moderate page")).toEqual([]);
    await mod.page.fill("#moderator-token", E2E_MODERATOR_TOKEN);
    await mod.page.click("#moderate-submit");
    await mod.page.locator("#moderate-status", { hasText: "You are a moderator" }).waitFor();

    await join(ben.page, suite.server.url, "Ben", room);
    await send(ben.page, "something abusive");
    await join(mod.page, suite.server.url, "Mod", room);
    await waitForPresence(mod.page, ["Ben", "Mod"]);
    // Ben is no moderator: no Kick or Ban on his page, no Delete on the moderator's messages.
    expect(await ben.page.locator("#presence-list button[data-action]").count()).toBe(0);

    const abusive = sentMessage(mod.page, "something abusive");
    await abusive.hover(); // the actions show on hover (or focus)
    await abusive.locator(".msg__action[data-action=delete]").click();
    await mod.page.locator("#confirm-dialog").waitFor({ state: "visible" });
    expect(await mod.page.textContent("#confirm-text")).toContain("Ben's message");
    await mod.page.click("#confirm-ok");
    await ben.page.locator("#messages li.msg--deleted", { hasText: "message deleted" }).waitFor();

    // Ban asks for a duration; Cancel changes nothing.
    await mod.page.click("#presence-list button[aria-label='Ban Ben']");
    await mod.page.locator("#confirm-choices input[type=radio]").first().waitFor();
    expect(await mod.page.locator("#confirm-choices label").allTextContents()).toEqual([" 10 minutes", " 1 hour", " 1 day", " 1 week"]);
    await mod.page.click("#confirm-cancel");
    await mod.page.locator("#confirm-dialog").waitFor({ state: "hidden" });

    await mod.page.click("#presence-list button[aria-label='Kick Ben']");
    await mod.page.locator("#confirm-dialog").waitFor({ state: "visible" });
    await mod.page.click("#confirm-ok");
    await ben.page.locator("#home-view").waitFor({ state: "visible" });
    await ben.page.locator("#removed-note", { hasText: "A moderator removed you from this room." }).waitFor();
    await notice(mod.page, "Ben has left the chat.").waitFor();
    await waitForPresence(mod.page, ["Mod"]);
    expect(problems.list).toEqual([]);
  });

  it("bans for a chosen time: the banned page says until when, and cannot join again", async () => {
    const w = world(suite);
    const { problems } = w;
    const room = "banned-room";
    const { mod, other: cleo } = await moderatorAndMember(w, suite.server.url, room, "Cleo");

    await mod.page.click("#presence-list button[aria-label='Ban Cleo']");
    await mod.page.check("#confirm-choices input[value='3600000']");
    await mod.page.click("#confirm-ok");
    await cleo.page.locator("#removed-note", { hasText: /^A moderator banned you from this room until .+\.$/ }).waitFor();
    await waitForPresence(mod.page, ["Mod"]);

    await cleo.page.fill("#username", "Cleo");
    await cleo.page.fill("#room-name", room);
    await cleo.page.click("#join-button");
    await cleo.page.locator("#join-error:visible, #username-error:visible").first().waitFor();
    expect(await cleo.page.locator("#chat-view").isHidden()).toBe(true);
    expect(problems.list).toEqual([]);
  });
});
