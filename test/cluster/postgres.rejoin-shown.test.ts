// A rejoin's `shown` on PostgreSQL: the cases SQLite answers in test/chat.rejoin-shown.test.ts, on an in-process
// app whose store is a PostgreSQL repository of its own.
import { startTestApp } from "../helpers/app.js";
import { describeRejoinShownCases } from "../helpers/rejoin-shown-cases.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

describeRejoinShownCases("PostgreSQL", async (env) => startTestApp({ env, store: await openPostgresRepo(await clusterDatabase()) }));
