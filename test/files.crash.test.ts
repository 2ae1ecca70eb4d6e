// Issue 18: a crash never leaves a file record pointing at half a file. The server as a child process, SIGKILLed in
// the middle of an upload, and between an upload and the send that would use it; started again on the same database
// and folder, every recorded file's bytes are whole and named by their SHA-256, and nothing half-written remains.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { newSessionCookie } from "../src/http/session.js";
import { defaultFilesPath } from "../src/storage/files.js";
import { tempDatabase } from "./helpers/app.js";
import { startChildServer, type ChildServer } from "./helpers/child-server.js";
import { pdf } from "./helpers/sample-files.js";

const SECRET = "child-secret-key-0123456789abcdef";
const session = (): string => newSessionCookie(SECRET, false).split(";")[0] as string;

async function server(path: string): Promise<ChildServer> {
  const s = await startChildServer({ databasePath: path, env: { LOG_LEVEL: "debug" } });
  onTestFinished(s.stop);
  return s;
}

/** Every recorded file's bytes on disk, checked against their name; and what else is in the folder. */
function checkFolder(databasePath: string): { recorded: number; whole: number; strays: string[] } {
  const root = defaultFilesPath(databasePath);
  const db = new Database(databasePath, { readonly: true });
  const shas = (db.prepare("SELECT sha256, thumb_sha256, display_sha256 FROM chat_file").all() as Record<string, string | null>[]).flatMap((r) => Object.values(r).filter((v): v is string => v !== null));
  db.close();
  let whole = 0;
  for (const sha of shas) {
    const path = join(root, sha.slice(0, 2), sha);
    if (existsSync(path) && createHash("sha256").update(readFileSync(path)).digest("hex") === sha) whole++;
  }
  const onDisk = existsSync(root) ? readdirSync(root).filter((d) => d !== "tmp").flatMap((d) => readdirSync(join(root, d))) : [];
  return { recorded: shas.length, whole, strays: [...readdirSync(join(root, "tmp")), ...onDisk.filter((f) => !shas.includes(f))] };
}

describe("files and crashes", () => {
  it("SIGKILL in the middle of an upload: no record, and after a restart no half file anywhere", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await server(db.path);
    const cookie = session();
    const boundary = "----crash";
    const req = httpRequest(`${first.url}/api/uploads`, { method: "POST", headers: { Cookie: cookie, Origin: first.url, "Content-Type": `multipart/form-data; boundary=${boundary}`, "Transfer-Encoding": "chunked" } });
    req.on("error", () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
    req.write(Buffer.alloc(2 * 1024 * 1024, 9));
    await first.waitForLog((l) => l.event === "upload_receiving");
    first.proc.kill("SIGKILL");
    await first.exited;
    req.destroy();
    const second = await server(db.path); // opening clears the spool
    expect(checkFolder(db.path)).toEqual({ recorded: 0, whole: 0, strays: [] });
    await second.stop();
  });

  it("SIGKILL between an upload and its send: the upload is whole after a restart, and the send still works", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await server(db.path);
    const cookie = session();
    const { default: request } = await import("supertest");
    const res = await request(first.url).post("/api/uploads").set("Cookie", cookie).set("Origin", first.url).attach("file", pdf(), "a.pdf").expect(201);
    first.proc.kill("SIGKILL");
    await first.exited;
    const second = await server(db.path); // opening clears the spool (its copy of the upload, if the kill came before its removal)
    expect(checkFolder(db.path)).toEqual({ recorded: 1, whole: 1, strays: [] });
    const { connectTo } = await import("./helpers/child-server.js");
    const socket = await connectTo(second.url, { extraHeaders: { cookie } });
    onTestFinished(() => void socket.disconnect());
    expect((await socket.timeout(5000).emitWithAck("join_chat", { room: "r", username: "Ana" })).ok).toBe(true);
    const sent = await socket.timeout(5000).emitWithAck("send_message", { room: "r", username: "Ana", content: "after the crash", attachments: [res.body.upload.id] });
    expect(sent.ok && sent.message.attachments?.[0]?.name).toBe("a.pdf");
  });
});
