// Files dropped outside the chat (review, 2026-12-08): Ana dragged a file at the conversation and let go over the
// sidebar; the browser opened the file in place of the page (headless Chromium: in a new tab), as it does with any
// drop a page leaves alone. A drop of files anywhere but the chat is now refused; on the messages it still attaches.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { join } from "./helpers/browser.js";
import { chip, dropFromDisk } from "./helpers/files.js";
import { browserSuite, world } from "./helpers/suite.js";

const suite = browserSuite();

describe("files dropped outside the chat", () => {
  it("opens nothing for a drop on the sidebar, the header or the home page, and attaches a drop on the messages", async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), "mr-drop-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = joinPath(dir, "notes.txt");
    writeFileSync(path, "meeting notes\n");
    const { problems, person } = world(suite);
    const ana = await person("ana");

    // On the home page, before joining: no room takes files, and the page stays.
    await ana.page.goto(`${suite.server.url}/`);
    await dropFromDisk(ana.page, "#home-view", path);
    await join(ana.page, suite.server.url, "Ana", "drop-outside");
    for (const where of ["#sidebar-list", ".app-header"]) await dropFromDisk(ana.page, where, path);
    // The drop on the messages, last: its chip shows the drops before it have been handled.
    await dropFromDisk(ana.page, "#message-list", path);
    await chip(ana.page, "notes.txt").locator("button", { hasText: "Remove" }).waitFor();

    expect(ana.context.pages().map((p) => p.url())).toEqual([`${suite.server.url}/r/drop-outside`]);
    expect(await ana.page.locator("#upload-list li.upload").count()).toBe(1);
    expect(problems.list).toEqual([]);
  });
});
