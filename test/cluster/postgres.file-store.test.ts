// The FileStore contract on PostgreSQL (file_chunk rows): the same suite the disk store passes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll } from "vitest";
import { describeFileStoreContract } from "../helpers/file-store-contract.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

describeFileStoreContract("postgres", async () => {
  const repo = await openPostgresRepo(url);
  const spool = mkdtempSync(join(tmpdir(), "mr-pgspool-"));
  return {
    store: repo.fileStore(spool),
    close: async () => {
      await repo.close();
      rmSync(spool, { recursive: true, force: true });
    },
  };
});
