// What every cluster test file needs: a database of its own on the run's PostgreSQL, and repositories on it.
import pg from "pg";
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

/** The ids stored in `room`, ascending: the truth every member's view is checked against. */
export async function storedIds(url: string, room: string): Promise<Map<string, number[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM chat_message WHERE chat_room = $1 ORDER BY id", [room]);
    return new Map([[room, rows.map((r) => Number(r.id))]]);
  } finally {
    await client.end();
  }
}
