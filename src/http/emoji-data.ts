// The reaction picker's full emoji list (issue 22): the one file of the unicode-emoji-json package the page needs,
// data-by-group.json, at one address, read and minified once at the first request (the data as published, only
// its white space gone: 422 kB become 270 kB), then served from memory with a day's caching and an ETag. The
// page fetches it only when its picker's full list is first opened (public/js/emoji-data.js).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Router } from "express";

/** Where the page asks for it (public/js/emoji-data.js's EMOJI_DATA_URL). */
export const EMOJI_DATA_PATH = "/emoji/data-by-group.json";

export function emojiDataRoute(): Router {
  const router = Router();
  let body: string | null = null;
  router.get(EMOJI_DATA_PATH, (_req, res) => {
    body ??= JSON.stringify(JSON.parse(readFileSync(createRequire(import.meta.url).resolve("unicode-emoji-json/data-by-group.json"), "utf8")));
    res.set("Cache-Control", "public, max-age=86400").type("application/json").send(body);
  });
  return router;
}
