// What every cluster test file needs: a database of its own on the run's PostgreSQL, and repositories on it.
import { inject } from "vitest";
import { createCapturingLogger } from "../../src/log.js";
import { PostgresMessageRepository, type PostgresOptions } from "../../src/storage/postgres.js";
import { createDatabase } from "../helpers/postgres.js";

/** A fresh database on the server that global-setup.ts started; returns its URL. */
export function clusterDatabase(): Promise<string> {
  return createDatabase(inject("pgAdminUrl"));
}

/** A repository on `url` with test-sized timeouts (a failure shows within seconds, not minutes). */
export function openPostgresRepo(url: string, opts: Partial<PostgresOptions> = {}): Promise<PostgresMessageRepository> {
  return PostgresMessageRepository.open({ url, poolSize: 4, statementTimeoutMs: 5000, connectTimeoutMs: 2000, log: createCapturingLogger(), ...opts });
}
