// Statements prepared once per SQLite connection and kept with it: preparing again on every call cost 2.9 % of a
// rejoin's CPU in the restart-storm profile (issue 19). A WeakMap, so a closed connection takes its statements along.
import type Database from "better-sqlite3";

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `sql` prepared on `db`, the first time it is asked for on that connection. */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let mine = statements.get(db);
  if (mine === undefined) statements.set(db, (mine = new Map()));
  let statement = mine.get(sql);
  if (statement === undefined) mine.set(sql, (statement = db.prepare(sql)));
  return statement;
}
