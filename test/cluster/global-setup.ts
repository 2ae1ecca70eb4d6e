// One PostgreSQL per `npm run test:cluster` run; each test file makes its own database on it (clusterDatabase()).
// The teardown stops it and removes its folder, whether the tests passed or not.
import type { TestProject } from "vitest/node";
import { startPostgres } from "../helpers/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://… of the run's server (its `postgres` database); make a database per file from it. */
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide("pgAdminUrl", server.url());
  return server.remove;
}
