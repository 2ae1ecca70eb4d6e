// Files and images in messages (issue 18), in two browsers: a pasted screenshot and a dropped PDF upload with a
// progress bar and are sent with a caption; the other browser sees the thumbnails with their size reserved
// before they load, the viewer (arrows, Escape, the focus back), the download's bytes, and never the link lines
// the wire's `content` carries for the original's clients. The limits, a refusal by the server, Cancel, Send
// waiting for uploads, a retried send carrying its files, a file removed in the editor, and search by file name.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { WireMessage } from "../../src/protocol.js";
import { StorageUnavailableError } from "../../src/storage/repository.js";
import { closeAndReopenAtOnce, sentMessage } from "./helpers/browser.js";
import { chip, dropFiles, holdUploads, pasteFiles, pdfBytes, pickFiles, pngOf, type TestFile } from "./helpers/files.js";
import { browserSuite, twoPeople } from "./helpers/suite.js";

const faults = { failAppends: false };
/** Small, so a test can make a file too big without sending megabytes; every other file here is far smaller. */
const MAX_FILE_BYTES = 300_000;
const suite = browserSuite({
  // A burst of 30 messages from one test client must not be rate limited.
  env: { MAX_FILE_BYTES: String(MAX_FILE_BYTES), MAX_FILES_PER_MESSAGE: "4", RATE_SEND_BURST: "100" },
  wrapRepo: (repo) => ({
    append: (m) => (faults.failAppends ? Promise.reject(new StorageUnavailableError("e2e: writes refused")) : repo.append(m)),
    page: (room, query) => repo.page(room, query),
    search: (room, query, opts) => repo.search(room, query, opts),
    isHealthy: () => repo.isHealthy(),
    close: () => repo.close(),
  }),
});

const png = async (name: string, width: number, height: number, colour: string): Promise<TestFile> => ({ name, type: "image/png", bytes: await pngOf(width, height, colour) });
const pdf = (name: string): TestFile => ({ name, type: "application/pdf", bytes: pdfBytes() });
const text = (name: string, body: string): TestFile => ({ name, type: "text/plain", bytes: Buffer.from(body) });

/** The message whose caption (the text shown) is exactly `caption`. */
const withCaption = (page: Page, caption: string) => sentMessage(page, caption);

describe("files in messages", () => {
  it("pastes two screenshots and drops a PDF: each uploads with a progress bar, then all go with the caption", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-send");
    const wide = await png("sunset.png", 600, 400, "#e07b39");
    const tall = await png("portrait.png", 300, 500, "#3a7bd5");
    const report = pdf("report.pdf");

    // The first upload is held on its way: its chip shows the progress bar and Cancel meanwhile.
    const held = await holdUploads(ana.page);
    await pasteFiles(ana.page, [wide]);
    const first = await held.next();
    const bar = chip(ana.page, "sunset.png").locator("progress");
    await bar.waitFor();
    expect(await bar.getAttribute("aria-label")).toBe("Uploading sunset.png");
    expect(await chip(ana.page, "sunset.png").locator("button").textContent()).toBe("Cancel");
    await held.release(first);
    await held.stop();
    await chip(ana.page, "sunset.png").locator("button", { hasText: "Remove" }).waitFor();
    expect(await chip(ana.page, "sunset.png").locator("progress").count()).toBe(0);

    await pasteFiles(ana.page, [tall]);
    // Dragging files over the chat shows the drop target; dropping takes them.
    await dropFiles(ana.page, [report], async () => {
      await ana.page.locator("#drop-target").waitFor({ state: "visible" });
    });
    expect(await ana.page.locator("#drop-target").isVisible()).toBe(false);
    for (const name of ["portrait.png", "report.pdf"]) await chip(ana.page, name).locator("button", { hasText: "Remove" }).waitFor();

    await ana.page.fill("#message-content", "Photos from Saturday, and the report");
    await ana.page.press("#message-content", "Enter");
    await withCaption(ana.page, "Photos from Saturday, and the report").waitFor();
    await ana.page.locator("#upload-tray").waitFor({ state: "hidden" });

    // Ben's copy: the caption, two thumbnails, the PDF's card; never the link lines of `content`.
    const msg = withCaption(ben.page, "Photos from Saturday, and the report");
    await msg.waitFor();
    const thumbs = msg.locator("img.file-thumb__img");
    expect(await thumbs.count()).toBe(2);
    expect(await thumbs.evaluateAll((imgs) => imgs.map((i) => [i.getAttribute("alt"), i.getAttribute("width"), i.getAttribute("height")]))).toEqual([
      ["sunset.png", "320", "213"],
      ["portrait.png", "192", "320"],
    ]);
    expect(await msg.locator(".file-card__name").textContent()).toBe("report.pdf");
    expect(await msg.locator(".file-card__meta").textContent()).toMatch(/^PDF document · \d+\u00a0bytes$/);
    expect(await msg.locator(".msg__text").textContent()).toBe("Photos from Saturday, and the report");
    expect(await msg.textContent()).not.toContain("/files/");

    // What the original's clients get in `content`: the caption and a line per file with its link. The page
    // never draws those lines, live or from the history after a reload.
    const cleo = await suite.server.joined("files-send", "Cleo");
    const history = await cleo.timeout(5000).emitWithAck("fetch_history", { room: "files-send", limit: 5 });
    const stored = history.ok ? history.messages.find((m: WireMessage) => m.caption === "Photos from Saturday, and the report") : undefined;
    expect(stored?.content).toMatch(/^Photos from Saturday, and the report\nsunset\.png: \/files\/[\w-]{22}\/sunset\.png\nportrait\.png: .+\nreport\.pdf: .+$/);
    await ben.page.reload();
    const replayed = withCaption(ben.page, "Photos from Saturday, and the report");
    await replayed.locator(".file-card__name", { hasText: "report.pdf" }).waitFor();
    expect(await replayed.locator("img.file-thumb__img").count()).toBe(2);
    expect(await ben.page.locator("#messages").textContent()).not.toContain("/files/");
    expect(problems.list).toEqual([]);
  });

  it("reserves a thumbnail's size before it loads, and the viewer moves between a message's images, closes on Escape and gives the focus back", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-viewer");
    // Ben's thumbnails are held: the message is laid out before a byte of them arrives.
    const thumbsHeld: (() => Promise<void>)[] = [];
    await ben.page.route("**/files/*/-/thumb", (route) => void thumbsHeld.push(() => route.continue()));
    await pasteFiles(ana.page, [await png("wide.png", 800, 400, "#2a9d8f"), await png("square.png", 200, 200, "#e9c46a")]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.fill("#message-content", "two pictures");
    await ana.page.press("#message-content", "Enter");

    const msg = withCaption(ben.page, "two pictures");
    await msg.waitFor();
    const img = msg.locator("img.file-thumb__img").first();
    const before = await img.evaluate((i: HTMLImageElement) => ({ loaded: i.complete && i.naturalWidth > 0, w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height }));
    expect(before).toEqual({ loaded: false, w: 320, h: 160 });
    await Promise.all(thumbsHeld.map((go) => go()));
    await ben.page.unroute("**/files/*/-/thumb");
    await ben.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("img.file-thumb__img")].every((i) => i.complete && i.naturalWidth > 0));
    expect(await img.evaluate((i: HTMLImageElement) => ({ w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height }))).toEqual({ w: 320, h: 160 });

    // The viewer, by keyboard: Enter on the first thumbnail, → and ← between the two, Escape.
    await msg.locator(".file-thumb__open").first().focus();
    await ben.page.keyboard.press("Enter");
    const viewer = ben.page.locator("#image-viewer");
    await viewer.waitFor({ state: "visible" });
    const shown = () => ben.page.evaluate(() => {
      const i = document.getElementById("viewer-image") as HTMLImageElement;
      return { alt: i.alt, title: document.getElementById("viewer-title")?.textContent, count: document.getElementById("viewer-count")?.textContent, src: new URL(i.src).pathname };
    });
    expect(await shown()).toMatchObject({ alt: "wide.png", title: "wide.png", count: "1 of 2", src: expect.stringMatching(/^\/files\/[\w-]{22}\/-\/display$/) });
    expect(await ben.page.locator("#viewer-download").getAttribute("href")).toMatch(/^\/files\/[\w-]{22}\/wide\.png$/);
    await ben.page.keyboard.press("ArrowRight");
    expect(await shown()).toMatchObject({ alt: "square.png", title: "square.png", count: "2 of 2" });
    await ben.page.keyboard.press("ArrowRight"); // round to the first again
    expect(await shown()).toMatchObject({ alt: "wide.png", count: "1 of 2" });
    await ben.page.keyboard.press("ArrowLeft");
    expect(await shown()).toMatchObject({ alt: "square.png" });
    await ben.page.waitForFunction(() => {
      const i = document.getElementById("viewer-image") as HTMLImageElement;
      return i.complete && i.naturalWidth > 0;
    });
    await ben.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    expect(await ben.page.evaluate(() => document.activeElement?.querySelector("img")?.alt)).toBe("wide.png");

    // By mouse, from the second: the Close button.
    await msg.locator(".file-thumb__open").nth(1).click();
    await viewer.waitFor({ state: "visible" });
    expect(await shown()).toMatchObject({ alt: "square.png", count: "2 of 2" });
    await ben.page.click("#viewer-close");
    await viewer.waitFor({ state: "hidden" });
    expect(await ben.page.evaluate(() => document.activeElement?.querySelector("img")?.alt)).toBe("square.png");

    // Closed and opened again from the other before the close event fired: the image stays, the arrows work.
    await msg.locator(".file-thumb__open").first().click();
    await viewer.waitFor({ state: "visible" });
    await closeAndReopenAtOnce(ben.page, "image-viewer", msg.locator(".file-thumb__open").nth(1));
    expect(await shown()).toMatchObject({ alt: "square.png", count: "2 of 2", src: expect.stringMatching(/\/-\/display$/) });
    await ben.page.keyboard.press("ArrowRight");
    expect(await shown()).toMatchObject({ alt: "wide.png", count: "1 of 2" });
    await ben.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    expect(problems.list).toEqual([]);
  });

  it("downloads a document with its own bytes, and plays an animated image on request", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-download");
    const { animatedGif } = await import("./helpers/files.js");
    const gif: TestFile = { name: "dance.gif", type: "image/gif", bytes: await animatedGif(120, 80) };
    const report = pdf("minutes.pdf");
    await dropFiles(ana.page, [report, gif]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.press("#message-content", "Enter"); // files alone: no caption
    const msg = ben.page.locator("#messages li.msg:not(.msg--local)").filter({ has: ben.page.locator(".file-card__name", { hasText: "minutes.pdf" }) });
    await msg.waitFor();
    expect(await msg.locator(".msg__text").textContent()).toBe("");
    expect(await msg.locator(".msg__text").isVisible()).toBe(false);

    const [download] = await Promise.all([ben.page.waitForEvent("download"), msg.locator(".file-card__download").click()]);
    expect(download.suggestedFilename()).toBe("minutes.pdf");
    expect(await readFile(await download.path())).toEqual(report.bytes);

    // The animation shows its first frame (the thumbnail) until Play swaps in the original.
    const img = msg.locator(".file-thumb img");
    expect(new URL(await img.evaluate((i: HTMLImageElement) => i.src)).pathname).toMatch(/\/-\/thumb$/);
    const play = msg.locator(".file-thumb__play");
    expect(await play.getAttribute("aria-label")).toBe("Play dance.gif");
    await play.click();
    expect(await play.getAttribute("aria-pressed")).toBe("true");
    expect(new URL(await img.evaluate((i: HTMLImageElement) => i.src)).pathname).toMatch(/\/dance\.gif$/);
    await play.click();
    expect(await play.getAttribute("aria-pressed")).toBe("false");
    expect(problems.list).toEqual([]);
  });

  it("says at once why a file is too big, shows the server's reason for a refused one, and sends the others", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-limits");
    const big: TestFile = { name: "huge.bin", type: "application/octet-stream", bytes: Buffer.alloc(MAX_FILE_BYTES + 1, 7) };
    // An executable: file-type knows it by its bytes and the server refuses it (415 file_type_refused).
    const elf: TestFile = { name: "tool", type: "application/octet-stream", bytes: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120)]) };
    const notes = text("notes.txt", "bring water\n");
    const uploads: string[] = [];
    ana.page.on("request", (r) => {
      if (r.url().endsWith("/api/uploads")) uploads.push(r.url());
    });
    await pickFiles(ana.page, [big, elf, notes]);
    await chip(ana.page, "huge.bin").locator(".upload__status", { hasText: "This file is larger than 293 KB, the most one file may be." }).waitFor();
    await chip(ana.page, "tool").locator(".upload__status", { hasText: "Files of this type (application/x-elf) cannot be shared here." }).waitFor();
    await chip(ana.page, "notes.txt").locator("button", { hasText: "Remove" }).waitFor();
    expect(uploads).toHaveLength(2); // the big one never left the page
    expect(await chip(ana.page, "huge.bin").getAttribute("class")).toContain("upload--failed");
    expect(await ana.page.locator("#live-region").textContent()).toContain("huge.bin: This file is larger than 293 KB");

    // More than MAX_FILES_PER_MESSAGE (4 here) waiting to go: the extra one is refused with the reason.
    await pickFiles(ana.page, [text("a.txt", "a"), text("b.txt", "b"), text("c.txt", "c"), text("d.txt", "d")]);
    await chip(ana.page, "d.txt").locator(".upload__status", { hasText: "Not added: a message can carry at most 4 files." }).waitFor();
    for (const name of ["a.txt", "b.txt", "c.txt"]) await chip(ana.page, name).locator("button", { hasText: "Remove" }).waitFor();
    await chip(ana.page, "c.txt").locator("button").click(); // Remove: the focus moves to the next chip's button
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Remove d.txt");

    await ana.page.fill("#message-content", "the notes");
    await ana.page.press("#message-content", "Enter");
    const msg = withCaption(ben.page, "the notes");
    await msg.waitFor();
    expect(await msg.locator(".file-card__name").allTextContents()).toEqual(["notes.txt", "a.txt", "b.txt"]);
    expect(await msg.locator(".file-card__meta").first().textContent()).toBe("Text file · 12\u00a0bytes");
    // The refused ones stay in the tray with their reasons until removed; the sent ones went.
    expect(await ana.page.locator("#upload-list .upload__name").allTextContents()).toEqual(["huge.bin", "tool", "d.txt"]);
    for (const name of ["huge.bin", "tool", "d.txt"]) await chip(ana.page, name).locator("button", { hasText: "Remove" }).click();
    await ana.page.locator("#upload-tray").waitFor({ state: "hidden" });
    expect(await ana.page.evaluate(() => document.activeElement?.id)).toBe("message-content");
    // Chromium reports the refused upload's status as a console line: expected here, and nothing else.
    expect(problems.list.filter((p) => !(p.includes("status of 415") && p.includes("/api/uploads")))).toEqual([]);
  });

  it("Cancel stops an upload on its way and removes it; Send waits for the uploads still running", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-cancel");
    const held = await holdUploads(ana.page);
    await pickFiles(ana.page, [pdf("draft.pdf")]);
    const draft = await held.next();
    const cancel = chip(ana.page, "draft.pdf").locator("button", { hasText: "Cancel" });
    expect(await cancel.getAttribute("aria-label")).toBe("Cancel upload of draft.pdf");
    await cancel.click();
    await ana.page.locator("#upload-tray").waitFor({ state: "hidden" });
    expect(await ana.page.locator("#live-region").textContent()).toContain("Upload of draft.pdf cancelled.");
    await held.release(draft);

    // Send while a file is still uploading: the button says so and the message goes once the file is up.
    await pickFiles(ana.page, [pdf("final.pdf")]);
    const final = await held.next();
    await ana.page.fill("#message-content", "the final version");
    await ana.page.press("#message-content", "Enter");
    await ana.page.locator("#send-button", { hasText: "Uploading…" }).waitFor();
    expect(await ana.page.getAttribute("#send-button", "aria-disabled")).toBe("true");
    expect(await ana.page.locator("#message-content").evaluate((b: HTMLTextAreaElement) => b.readOnly)).toBe(true);
    await held.release(final);
    await held.stop();
    const msg = withCaption(ben.page, "the final version");
    await msg.waitFor();
    expect(await msg.locator(".file-card__name").allTextContents()).toEqual(["final.pdf"]);
    expect(await ana.page.locator("#send-button").textContent()).toBe("Send");
    expect(await ana.page.locator("#message-content").inputValue()).toBe("");
    // The cancelled one was never sent.
    expect(await ben.page.locator(".file-card__name", { hasText: "draft.pdf" }).count()).toBe(0);
    expect(problems.list).toEqual([]);
  });

  it("a send that failed keeps its files: Retry sends them with the same clientId, once", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-retry");
    await pickFiles(ana.page, [pdf("plan.pdf")]);
    await chip(ana.page, "plan.pdf").locator("button", { hasText: "Remove" }).waitFor();
    faults.failAppends = true;
    try {
      await ana.page.fill("#message-content", "the plan");
      await ana.page.press("#message-content", "Enter");
      // Stored nowhere: after its automatic retries it shows as failed, with its file and Retry.
      const failed = ana.page.locator("#messages li.msg--failed");
      await failed.waitFor({ timeout: 15_000 });
      expect(await failed.locator(".file-card__name").textContent()).toBe("plan.pdf");
    } finally {
      faults.failAppends = false;
    }
    await ana.page.locator("#messages li.msg--failed .btn--retry").click();
    const msg = withCaption(ben.page, "the plan");
    await msg.waitFor();
    expect(await msg.locator(".file-card__name").allTextContents()).toEqual(["plan.pdf"]);
    await withCaption(ana.page, "the plan").waitFor();
    expect(await ana.page.locator("#messages li.msg").count()).toBe(1);
    expect(await ben.page.locator("#messages li.msg").count()).toBe(1);
    expect(problems.list).toEqual([]);
  });

  it("the author removes one file in the editor and the other browser sees it go, keeping its place; search finds a file by its name", async () => {
    const { problems, ana, ben } = await twoPeople(suite, "files-edit");
    await pickFiles(ana.page, [pdf("agenda.pdf"), await png("whiteboard.png", 640, 480, "#f4a261")]);
    await ana.page.locator("#upload-list button", { hasText: "Remove" }).nth(1).waitFor();
    await ana.page.fill("#message-content", "agenda and the whiteboard");
    await ana.page.press("#message-content", "Enter");
    await withCaption(ben.page, "agenda and the whiteboard").waitFor();
    // Then enough talk that Ben reads from further down, the message with files above his view.
    const cleo = await suite.server.joined("files-edit", "Cleo");
    for (let i = 1; i <= 30; i++) expect(await cleo.timeout(5000).emitWithAck("send_message", { room: "files-edit", username: "Cleo", content: `reply ${i}` })).toMatchObject({ ok: true });
    await sentMessage(ben.page, "reply 30").waitFor();
    await sentMessage(ben.page, "reply 12").evaluate((el) => el.scrollIntoView({ block: "start" }));
    const topOf = () => sentMessage(ben.page, "reply 12").evaluate((el) => Math.round(el.getBoundingClientRect().top));
    const before = await topOf();

    // Ana edits by keyboard: Remove on the picture, Enter saves.
    const mine = withCaption(ana.page, "agenda and the whiteboard");
    await mine.hover();
    await mine.locator(".msg__action[data-action=edit]").click();
    const remove = mine.locator(".msg__file-remove");
    expect(await remove.evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")))).toEqual(["Remove agenda.pdf from the message", "Remove whiteboard.png from the message"]);
    await remove.nth(1).click();
    expect(await mine.locator(".msg__file-remove").count()).toBe(1);
    await ana.page.focus("#messages textarea.msg__editbox");
    await ana.page.keyboard.press("Enter");
    await mine.locator(".msg__editor").waitFor({ state: "detached" });
    expect(await mine.locator("img.file-thumb__img").count()).toBe(0);

    const his = withCaption(ben.page, "agenda and the whiteboard");
    await his.locator(".msg__edited").waitFor();
    expect(await his.locator("img.file-thumb__img").count()).toBe(0);
    expect(await his.locator(".file-card__name").allTextContents()).toEqual(["agenda.pdf"]);
    expect(await topOf()).toBe(before); // the picture went above his view: what he reads did not move

    // Search by a file's name: the hit shows the caption and the names of its files.
    await ben.page.fill("#search-input", "agenda");
    await ben.page.press("#search-input", "Enter");
    const hit = ben.page.locator("#search-results li.search-hit").first();
    await hit.locator(".search-hit__files", { hasText: "agenda.pdf" }).waitFor();
    expect(await hit.locator(".search-hit__text").textContent()).toBe("agenda and the whiteboard");
    expect(await hit.textContent()).not.toContain("/files/");
    expect(problems.list).toEqual([]);
  });
});
