// The app shell (issue 23 §1): the files a page needs to start, listed once at app start, and the build version
// their contents make, which the pages carry (data-app-version). The service worker (/sw.js) precaches exactly
// this list per version, so after the first visit the whole module graph comes from its cache, not one import
// at a time from the network. (The pages do not modulepreload all of it: measured, that delayed the first paint;
// docs/performance.md.) Reads files only when called (createApp), never at import.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, posix, relative, sep } from "node:path";
import express, { type Router } from "express";

/** The page's entry module; every module it imports, directly or not, is part of the shell. */
const ENTRY = "/chat.js";
/** Served by Socket.IO itself (serveClient), not from public/: versioned by the socket.io package. */
const SOCKET_IO_MODULE = "/socket.io/socket.io.esm.min.js";
/** The worker's own code: served at /sw.js with the shell baked in, never precached as a shell file. */
export const WORKER_SOURCE = "sw/worker.js";
/** The pages' shell: the chat page (home, rooms and invites all render it), which the worker falls back to offline. */
export const SHELL_PAGE = "/";

export interface AppShell {
  /** A short hash of the shell's files, the views and the worker's code: a new deploy is a new version. */
  version: string;
  /** The modules the chat page imports at start, in dependency order (imports before importers). */
  modules: string[];
  /** Every URL the worker precaches, the page first. */
  files: string[];
  /** The worker's source, with nothing baked in yet. */
  workerSource: string;
}

// `import x from "./a.js"`, `import "./a.js"`, `export { x } from "./a.js"`, over several lines too; JSDoc's
// `@import` and `import("./a.js").Type` in comments start with `*` or sit inside braces, so they never match.
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^;'"]*?\sfrom\s*)?["']([^"']+)["']/gm;
const BARE_IMPORT = /^\s*import\s*["']([^"']+)["']/gm;

/** The relative module specifiers `source` imports. */
export function importsOf(source: string): string[] {
  const found = new Set<string>();
  for (const re of [STATIC_IMPORT, BARE_IMPORT]) for (const m of source.matchAll(re)) if (m[1]?.startsWith(".")) found.add(m[1]);
  return [...found];
}

/** The module graph from `entry` (a URL path under publicDir), depth first, imports before importers. */
export function moduleGraph(publicDir: string, entry: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (url: string): void => {
    if (seen.has(url)) return;
    seen.add(url);
    const file = join(publicDir, ...url.split("/"));
    // A folder without the page (a test's few static files) has no graph: nothing to preload or precache.
    if (url !== SOCKET_IO_MODULE && !existsSync(file)) return;
    if (url !== SOCKET_IO_MODULE) for (const spec of importsOf(readFileSync(file, "utf8"))) visit(posix.normalize(posix.join(posix.dirname(url), spec)));
    order.push(url);
  };
  visit(entry);
  return order;
}

/** Every file under `dir` (relative, with / separators), sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

function socketIoVersion(): string {
  const pkg = createRequire(import.meta.url)("socket.io/package.json") as { version: string };
  return pkg.version;
}

/** Scripts a page loads outside the module graph (before the first paint: views/chat.ejs), precached with it. */
const CLASSIC_SCRIPTS = ["/js/deep-link-hold.js"];

/** Lists the shell under `publicDir` and hashes it with the views: call once per app. */
export function buildAppShell(publicDir: string, viewsDir: string): AppShell {
  const modules = moduleGraph(publicDir, ENTRY);
  const styles = filesUnder(publicDir)
    .filter((f) => f.endsWith(".css"))
    .map((f) => `/${f}`);
  const images = ["/favicon.svg", "/manifest.webmanifest", ...filesUnder(join(publicDir, "icons")).map((f) => `/icons/${f}`)].filter((url) => existsSync(join(publicDir, url)));
  const scripts = CLASSIC_SCRIPTS.filter((url) => existsSync(join(publicDir, url)));
  const assets = [...modules, ...scripts, ...styles, ...images];
  const workerFile = join(publicDir, WORKER_SOURCE);
  const workerSource = existsSync(workerFile) ? readFileSync(workerFile, "utf8") : "";

  const hash = createHash("sha256");
  for (const url of assets) {
    hash.update(url);
    hash.update(url === SOCKET_IO_MODULE ? socketIoVersion() : readFileSync(join(publicDir, ...url.split("/"))));
  }
  for (const view of filesUnder(viewsDir)) hash.update(view).update(readFileSync(join(viewsDir, view)));
  hash.update(workerSource);
  return { version: hash.digest("hex").slice(0, 12), modules, files: [SHELL_PAGE, ...assets], workerSource };
}

/** /sw.js: the worker's code after the constants it reads (the version and the list), as JSON. */
export function workerScript(shell: AppShell): string {
  return `const SHELL = ${JSON.stringify({ version: shell.version, files: shell.files })};\n${shell.workerSource}`;
}

/**
 * /sw.js at the root, so its scope is the whole site: revalidated on every check (no-cache), so a deploy is seen
 * at the next update check. Every response names the version (X-App-Version): the worker tells a page of
 * another version from its own by it.
 */
export function appShellRoutes(shell: AppShell): Router {
  const router = express.Router();
  const script = workerScript(shell);
  router.use((_req, res, next) => {
    res.set("X-App-Version", shell.version);
    next();
  });
  router.get("/sw.js", (_req, res) => {
    res.set("Cache-Control", "no-cache").type("text/javascript").send(script);
  });
  return router;
}
