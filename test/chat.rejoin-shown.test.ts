// A rejoin's `shown` on SQLite (the cases: test/helpers/rejoin-shown-cases.ts; the same on PostgreSQL:
// test/cluster/postgres.rejoin-shown.test.ts).
import { startTestApp } from "./helpers/app.js";
import { describeRejoinShownCases } from "./helpers/rejoin-shown-cases.js";

describeRejoinShownCases("SQLite", (env) => startTestApp({ env }));
