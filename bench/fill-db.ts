// Pre-fills a database for workloads 3 and 6 directly, not through the socket: a million sends would
// take minutes and measure the send path again. The file has only the legacy Flask table, as an
// upgraded install would; each server then adds its columns and indexes when it first opens it.
import { closeSync, copyFileSync, fsyncSync, openSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { applyMigration, migrations } from "../src/storage/migrations.js";

export interface FillRoom {
  room: string;
  messages: number;
}

export interface FillResult {
  rows: number;
  fillMs: number;
}

const LEGACY_DDL = `CREATE TABLE chat_message (id INTEGER PRIMARY KEY, chat_room VARCHAR(50),
  sender VARCHAR(50), content VARCHAR(500), timestamp DATETIME)`;
const FIRST_TIMESTAMP_MS = Date.UTC(2024, 0, 1);
const SENDERS_PER_ROOM = 50;

/** The text of a room's k-th message; the default is the same short line throughout. */
export type ContentOf = (room: string, k: number) => string;

const sameLine: ContentOf = (room, k) => `fill ${room} #${k}: lorem ipsum dolor sit amet, consectetur adipiscing elit`;

export function fillDatabase(path: string, rooms: readonly FillRoom[], contentOf: ContentOf = sameLine): FillResult {
  const started = performance.now();
  const db = new Database(path);
  // A throwaway fixture: no journal and no fsync make a million rows take seconds, not minutes.
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.exec(LEGACY_DDL);
  const insert = db.prepare<[string, string, string, string]>(
    "INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)",
  );
  const total = rooms.reduce((sum, r) => sum + r.messages, 0);
  const order = interleave(rooms, total);
  db.transaction(() => {
    const written = rooms.map(() => 0);
    for (let i = 0; i < total; i++) {
      const r = order[i] ?? 0;
      const room = rooms[r]?.room ?? "";
      const k = written[r] ?? 0;
      written[r] = k + 1;
      insert.run(room, `user${k % SENDERS_PER_ROOM}`, contentOf(room, k), legacyTimestamp(FIRST_TIMESTAMP_MS + i * 1000));
    }
  })();
  // Back to the Flask default so each server meets the file as an old install would leave it.
  db.pragma("journal_mode = DELETE");
  db.close();
  flushToDisk(path);
  return { rows: total, fillMs: performance.now() - started };
}

/**
 * The file brought to schema `version` only, as a release of that version left it: opening the repository then runs
 * the later migrations alone, which is what a migration bench times.
 */
export function migrateFileTo(path: string, version: number): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    for (const m of migrations.filter((step) => step.version <= version)) {
      db.transaction(() => {
        applyMigration(db, m);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** A file's size in bytes; 0 when it does not exist (a WAL already checkpointed away). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A copy of the fixture for one server, on the disk before the server starts (see flushToDisk). */
export function copyFixture(from: string, to: string): void {
  copyFileSync(from, to);
  flushToDisk(to);
}

/**
 * Written without fsync, the file's pages (about 150 MB at full size) would reach the disk in the kernel's own time,
 * while the next workload runs: its commits' fsyncs then queue behind them. Workload 1's first run, right after the
 * fill, was the slowest of its three in two full runs out of three (44,690 against 70-74k messages/s).
 */
function flushToDisk(path: string): void {
  const fd = openSync(path, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Spreads each room's rows evenly over the table instead of one room after another, so a small
 * room's newest 100 sit among a large room's rows, as in a real database: without an index on
 * the room, finding them means scanning.
 */
function interleave(rooms: readonly FillRoom[], total: number): Uint8Array {
  const order = new Uint8Array(total);
  const written = rooms.map(() => 0);
  for (let i = 0; i < total; i++) {
    let best = 0;
    let bestLag = -Infinity;
    rooms.forEach((room, r) => {
      const lag = (room.messages * (i + 1)) / total - (written[r] ?? 0);
      if (lag > bestLag) [best, bestLag] = [r, lag];
    });
    order[i] = best;
    written[best] = (written[best] ?? 0) + 1;
  }
  return order;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC: what the Flask app stored. */
function legacyTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23).replace("T", " ")}000`;
}

/**
 * Chat-like text for the search bench: 3-20 words drawn with a Zipf-like skew from a few hundred real words
 * and a few thousand made-up ones (so the index has a long tail), deterministic for a given (room, k).
 * Every SEARCH_RARE_EVERY-th message holds SEARCH_RARE_WORD; about 1 in SEARCH_PHRASE_EVERY holds SEARCH_PHRASE,
 * whose words are also common on their own; SEARCH_COMMON_WORD is among the most frequent words.
 */
export const SEARCH_RARE_WORD = "zeugma";
export const SEARCH_RARE_EVERY = 50_000;
export const SEARCH_PHRASE = "see you tomorrow";
export const SEARCH_PHRASE_EVERY = 500;
export const SEARCH_COMMON_WORD = "the";

const COMMON = `the a to and you i it is of in that for on we this see be have are with meeting not at
  do can so just what was but tomorrow if me all will get like know think time good about out there one
  now up go no yes how when your today from make want need let us back work some people new day week call
  lunch coffee idea plan later thanks sure right well really still maybe after next before office home code
  review deploy bug fix test build release team project email doc link file sorry great nice cool ok`.split(/\s+/);
const SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "vel", "san", "qui", "bra", "dex", "fo", "gul", "hin", "jor", "pex", "zul"];

function madeUpWord(n: number): string {
  let w = "";
  for (let x = n + 16; x > 0; x = Math.floor(x / 16)) w += SYLLABLES[x % 16];
  return w;
}

/** A small deterministic PRNG (mulberry32): the same file every run, without storing it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const chatLikeContent: ContentOf = (room, k) => {
  const next = random(k * 2654435761 + room.length);
  const count = 3 + Math.floor(next() * 18);
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = next();
    // Two in three words from the common list (skewed to its head), the rest from a long tail of 4,000.
    words.push(r < 0.66 ? (COMMON[Math.floor(COMMON.length * next() ** 2)] as string) : madeUpWord(Math.floor(4000 * next() ** 3)));
  }
  if (k % SEARCH_RARE_EVERY === SEARCH_RARE_EVERY - 1) words.splice(Math.floor(words.length / 2), 0, SEARCH_RARE_WORD);
  if (next() < 1 / SEARCH_PHRASE_EVERY) words.push(...SEARCH_PHRASE.split(" "));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1) + (next() < 0.3 ? "?" : ".");
};
