// The RoomAccessStore contract on PostgreSQL: the same suite SQLite passes in test/storage.access.test.ts.
import { beforeAll } from "vitest";
import { describeAccessContract } from "../helpers/access-contract.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

describeAccessContract("postgres", () => openPostgresRepo(url));
