// A test app whose store runs a step just before an append, when the test arms it: a ban, a kick or a move then
// lands between the handler's checks and the insert, as a race would place it.
import { onTestFinished } from "vitest";
import type { NewMessage } from "../../src/storage/repository.js";
import type { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { startTestApp, type TestApp } from "./app.js";
import { MODERATOR_TOKEN } from "./private-rooms.js";

/** A test app whose appends run `before(msg)` first, in the store, when `armed` says so. */
export async function appWithLanding(before: (repo: SqliteMessageRepository, msg: NewMessage) => Promise<void>, armed: () => boolean): Promise<TestApp> {
  const app = await startTestApp({
    env: { MODERATOR_TOKEN },
    wrapRepo: (repo) => ({
      append: async (m) => {
        if (armed()) await before(repo, m);
        return repo.append(m);
      },
      page: (room, q) => repo.page(room, q),
      search: (room, q, o) => repo.search(room, q, o),
      isHealthy: () => repo.isHealthy(),
      close: () => repo.close(),
    }),
  });
  onTestFinished(app.close);
  return app;
}
