// A long press on a message's text on a touch screen is for the text (select, copy), not for the message's actions:
// message-tap.js listens to clicks alone and prevents nothing, so the browser still selects the word pressed, and a
// click that ends with text of the message selected (Chromium sends one after a press made with CDP touch events;
// a drag with a pen does too) leaves the message as it was, rather than floating its actions over the selection.
import { describe, expect, it } from "vitest";
import { join, send, sentMessage } from "./helpers/browser.js";
import { actionsShown, longPress, SELECTED_MESSAGE, showActions } from "./helpers/touch.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite({ env: { RATE_SEND_BURST: "100" } });
const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };

describe("a long press on a message's text on a touch screen", () => {
  it("selects the word pressed, prevents nothing, and leaves the message unselected; the next tap selects it", async () => {
    const { problems, person } = world(suite);
    const { page } = await person("ana", PHONE);
    await join(page, suite.server.url, "Ana", "tap-long-press");
    await send(page, "Harbour at noon tomorrow");
    await send(page, "Bring the blue umbrella");
    const harbour = sentMessage(page, "Harbour at noon tomorrow");
    expect(await harbour.locator(".msg__text").evaluate((el) => getComputedStyle(el).userSelect)).not.toBe("none");

    const press = await longPress(harbour);
    expect(press).toEqual({ prevented: [], selectedText: "Harbour" });
    expect(await page.locator(SELECTED_MESSAGE).count()).toBe(0);
    expect(await actionsShown(harbour)).toBe(false);

    // Nothing is left half done: a plain tap clears the word and selects the message, with its actions.
    await showActions(harbour);
    expect(await actionsShown(harbour)).toBe(true);
    expect(await page.evaluate(() => String(document.getSelection()))).toBe("");

    // A long press on the selected message's own text keeps it selected, as it was, with the word selected too.
    expect(await longPress(harbour)).toEqual({ prevented: [], selectedText: "Harbour" });
    expect(await harbour.getAttribute("aria-current")).toBe("true");
    expect(await actionsShown(harbour)).toBe(true);

    // A long press on another message leaves the selected one alone, and selects no other.
    const umbrella = sentMessage(page, "Bring the blue umbrella");
    expect(await longPress(umbrella)).toEqual({ prevented: [], selectedText: "Bring" });
    expect(await umbrella.getAttribute("aria-current")).toBeNull();
    expect(await page.locator(SELECTED_MESSAGE).count()).toBe(1);
    expect(problems.list).toEqual([]);
  });
});
