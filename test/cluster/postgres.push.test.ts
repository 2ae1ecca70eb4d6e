// The PushStore contract on PostgreSQL: the same suite SQLite passes in test/storage.push.test.ts.
import { beforeAll } from "vitest";
import { describePushContract } from "../helpers/push-contract.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

describePushContract("postgres", () => openPostgresRepo(url));
