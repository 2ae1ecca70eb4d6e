// One Chromium and one app per test file; every test gets its own browser profiles and problem list.
import { afterAll, afterEach, beforeAll, beforeEach, onTestFinished } from "vitest";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { join, launchChromium, newPerson, Problems, waitForPresence, type Person } from "./browser.js";
import type { LogLine } from "../../../src/log.js";
import { startServer, type E2eServer, type E2eServerOptions } from "./server.js";

export interface Suite {
  readonly browser: Browser;
  readonly server: E2eServer;
  /**
   * The current test expects the server to log this error event (a fault it injects on purpose); every
   * other error line fails the test.
   */
  allowServerError(event: string): void;
}

export function browserSuite(opts: E2eServerOptions = {}): Suite {
  let browser: Browser | null = null;
  let server: E2eServer | null = null;
  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), startServer(opts)]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  // Any error the server logs during a test fails that test, with the line: a page that looks right can
  // still hide a handler that threw.
  let seenErrors = 0;
  let allowed = new Set<string>();
  beforeEach(() => {
    seenErrors = server?.errorLines.length ?? 0;
    allowed = new Set();
  });
  afterEach(() => {
    const fresh = (server?.errorLines ?? []).slice(seenErrors).filter((line) => !allowed.has(line.event));
    if (fresh.length > 0) throw new Error(serverErrorReport(fresh));
  });
  return {
    get browser() {
      if (!browser) throw new Error("browser not launched");
      return browser;
    },
    get server() {
      if (!server) throw new Error("server not started");
      return server;
    },
    allowServerError(event) {
      allowed.add(event);
    },
  };
}

export function serverErrorReport(lines: readonly LogLine[]): string {
  const shown = lines.slice(0, 5).map((l) => `  ${JSON.stringify(l, errorsAsObjects)}`);
  const more = lines.length > shown.length ? `\n  ... and ${lines.length - shown.length} more` : "";
  return `the server logged ${lines.length} error line(s) during this test:\n${shown.join("\n")}${more}`;
}

/** Error objects stringify as {}; show their name, message and the top of the stack instead. */
function errorsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack?.split("\n").slice(0, 4).join(" | ") } : value;
}

export interface World {
  problems: Problems;
  /** A person with their own browser profile; closed when the test ends. */
  person(label: string, options?: BrowserContextOptions): Promise<Person>;
}

export function world(suite: Suite): World {
  const problems = new Problems();
  return {
    problems,
    async person(label, options) {
      const p = await newPerson(suite.browser, problems, label, options);
      onTestFinished(() => p.context.close());
      return p;
    },
  };
}

/** Ana and Ben, each in their own browser, both in `room` and each seeing the other. */
export async function twoPeople(suite: Suite, room: string): Promise<{ problems: Problems; ana: Person; ben: Person }> {
  const { problems, person } = world(suite);
  const [ana, ben] = await Promise.all([person("ana"), person("ben")]);
  await join(ana.page, suite.server.url, "Ana", room);
  await join(ben.page, suite.server.url, "Ben", room);
  await waitForPresence(ana.page, ["Ana", "Ben"]);
  return { problems, ana, ben };
}
