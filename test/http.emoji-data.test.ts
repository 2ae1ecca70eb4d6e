// The reaction picker's emoji list (issue 22): one file of the unicode-emoji-json package, served minified with
// caching, and never named by the page itself (the picker fetches it only when its full list is first opened).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { EMOJI_DATA_PATH } from "../src/http/emoji-data.js";
import { startTestApp } from "./helpers/app.js";

describe("GET /emoji/data-by-group.json", () => {
  it("serves the package's data-by-group.json as published, without its white space, cached for a day", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.url).get(EMOJI_DATA_PATH).expect(200).expect("Content-Type", /application\/json/);
    expect(res.headers["cache-control"]).toBe("public, max-age=86400");
    expect(res.headers.etag).toBeDefined();
    const published = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("unicode-emoji-json/data-by-group.json"), "utf8")) as unknown;
    expect(JSON.parse(res.text)).toEqual(published);
    expect(res.text).toBe(JSON.stringify(published));
    const groups = published as { name: string; emojis: { emoji: string; name: string }[] }[];
    expect(groups.flatMap((g) => g.emojis).length).toBeGreaterThan(1800);
    expect(groups.flatMap((g) => g.emojis).find((e) => e.name === "thumbs up")?.emoji).toBe("👍");
    // A repeat with the ETag costs nothing.
    await request(app.url).get(EMOJI_DATA_PATH).set("If-None-Match", String(res.headers.etag)).expect(304);
  });

  it("is not referenced by the page (no preload, no script): the picker fetches it on demand", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const page = await request(app.url).get("/").expect(200);
    expect(page.text).not.toContain("/emoji/");
    // The picker's module names the same address the server serves.
    const module = readFileSync(new URL("../public/js/emoji-data.js", import.meta.url), "utf8");
    expect(module).toContain(`export const EMOJI_DATA_URL = "${EMOJI_DATA_PATH}";`);
  });
});
