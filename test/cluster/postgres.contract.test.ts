// The MessageRepository contract on PostgreSQL: the same suite SQLite passes in test/storage.contract.test.ts.
import { beforeAll } from "vitest";
import { describeRepositoryContract } from "../helpers/repository-contract.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

describeRepositoryContract("postgres", () => openPostgresRepo(url));
