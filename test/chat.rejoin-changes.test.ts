// A rejoin's reactions and the quotes of older originals on SQLite (the cases: test/helpers/rejoin-cases.ts; the
// same on PostgreSQL: test/cluster/postgres.rejoin-changes.test.ts).
import { startTestApp } from "./helpers/app.js";
import { describeRejoinCases } from "./helpers/rejoin-cases.js";

describeRejoinCases("SQLite", (env) => startTestApp({ env }));
