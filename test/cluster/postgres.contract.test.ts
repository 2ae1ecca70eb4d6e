// The MessageRepository contract on PostgreSQL: the same suite SQLite passes in test/storage.contract.test.ts.
import pg from "pg";
import { beforeAll } from "vitest";
import { describeRepositoryContract } from "../helpers/repository-contract.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

describeRepositoryContract("postgres", () => openPostgresRepo(url), {
  setContent: async (id, content) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("UPDATE chat_message SET content = $1 WHERE id = $2", [content, id]);
    } finally {
      await client.end();
    }
  },
});
