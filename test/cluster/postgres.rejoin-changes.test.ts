// A rejoin's reactions and the quotes of older originals on PostgreSQL: the cases SQLite answers in
// test/chat.rejoin-changes.test.ts, on an in-process app whose store is a PostgreSQL repository of its own.
import { startTestApp } from "../helpers/app.js";
import { describeRejoinCases } from "../helpers/rejoin-cases.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

describeRejoinCases("PostgreSQL", async (env) => startTestApp({ env, store: await openPostgresRepo(await clusterDatabase()) }));
