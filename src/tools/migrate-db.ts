// `npm run migrate-db -- --from chat_history.db --to postgres://user:password@host:5432/chat`
// Copies an SQLite history into PostgreSQL (see src/storage/sqlite-to-postgres.ts). Safe to re-run, and to
// run again after it was interrupted: it carries on where it stopped; run again after either side changed copied
// messages, it settles them (copy-message-changes.ts). Stop the app's nodes while it runs.
import { parseArgs } from "node:util";
import { redactDatabaseUrl } from "../storage/postgres-pool.js";
import { CopyError, copySqliteToPostgres, type CopyProgress } from "../storage/sqlite-to-postgres.js";

const USAGE = "usage: npm run migrate-db -- --from <chat_history.db> --to <postgres://user:password@host:5432/database> [--batch 5000] [--files <FILES_PATH>]";
const CONNECT_TIMEOUT_MS = 10_000;
const BAR_WIDTH = 30;

interface Args {
  from: string;
  to: string;
  batchSize: number;
  /** The SQLite mode's file folder, when not beside the database. */
  files?: string;
}

function readArgs(argv: string[]): Args {
  const { values } = parseArgs({ args: argv, options: { from: { type: "string" }, to: { type: "string" }, batch: { type: "string" }, files: { type: "string" } }, strict: true });
  const batchSize = values.batch === undefined ? 5000 : Number(values.batch);
  if (!values.from || !values.to) throw new CopyError(`--from and --to are both required\n${USAGE}`);
  if (!/^postgres(ql)?:\/\//.test(values.to)) throw new CopyError(`--to must be a PostgreSQL URL such as postgres://user:password@host:5432/database`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 50_000) throw new CopyError("--batch must be a whole number from 1 to 50000");
  return { from: values.from, to: values.to, batchSize, ...(values.files !== undefined ? { files: values.files } : {}) };
}

const percent = (p: CopyProgress): number => (p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100));

/** A bar redrawn in place on a terminal; elsewhere (logs, CI, pipes) a plain line at every tenth. */
function progressPrinter(isTty: boolean, started: number): (p: CopyProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const pct = percent(p);
    if (isTty) {
      const filled = Math.round((pct / 100) * BAR_WIDTH);
      const rate = Math.round(p.done / Math.max((performance.now() - started) / 1000, 0.001));
      process.stdout.write(`\r[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${pct}% ${p.done}/${p.total} rows, ${rate} rows/s `);
      return;
    }
    const tenth = Math.floor(pct / 10);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    process.stdout.write(`progress: ${p.done}/${p.total} rows (${pct}%), copied ${p.copied}, skipped ${p.skipped}\n`);
  };
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`migrate-db: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const isTty = process.stdout.isTTY === true;
  const started = performance.now();
  process.stdout.write(`copying ${args.from} into ${redactDatabaseUrl(args.to)}\n`);
  try {
    const summary = await copySqliteToPostgres({ ...args, connectTimeoutMs: CONNECT_TIMEOUT_MS, onProgress: progressPrinter(isTty, started) });
    if (isTty) process.stdout.write("\n");
    const rate = Math.round(summary.done / Math.max(summary.seconds, 0.001));
    process.stdout.write(`done: ${summary.copied} rows copied, ${summary.skipped} skipped (already there), in ${summary.seconds.toFixed(1)} s (${rate} rows/s)\n`);
    const c = summary.changes;
    process.stdout.write(`changes: ${c.deletions} deletions and ${c.edits} edits carried over, ${c.keptInPostgres} rows changed in PostgreSQL since the last copy left as they are\n`);
    const m = summary.moderation;
    process.stdout.write(`moderation: ${m.moderators} moderators, ${m.bans} bans, ${m.audit} audit entries copied\n`);
    const a = summary.access;
    process.stdout.write(`private rooms: ${a.rooms} rooms, ${a.members} members, ${a.invites} invite links copied\n`);
    process.stdout.write(`room moves: ${summary.roomMoves} copied\n`);
    const f = summary.files;
    process.stdout.write(`files: ${f.files} files, ${f.blobs} stored contents copied${f.missing > 0 ? `, ${f.missing} missing from the folder (left out)` : ""}\n`);
    process.stdout.write(`reactions: ${summary.reactions} copied\n`);
  } catch (err) {
    if (isTty) process.stdout.write("\n");
    process.stderr.write(`migrate-db: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

void main();
