// One Chromium and one app per test file; every test gets its own browser profiles and problem list.
import { afterAll, beforeAll, onTestFinished } from "vitest";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { launchChromium, newPerson, Problems, type Person } from "./browser.js";
import { startServer, type E2eServer, type E2eServerOptions } from "./server.js";

export interface Suite {
  readonly browser: Browser;
  readonly server: E2eServer;
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
  return {
    get browser() {
      if (!browser) throw new Error("browser not launched");
      return browser;
    },
    get server() {
      if (!server) throw new Error("server not started");
      return server;
    },
  };
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
