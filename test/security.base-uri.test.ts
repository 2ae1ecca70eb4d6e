// The README's CSP promise `base-uri 'none'`: an injected <base href> cannot re-point the page's relative
// script and form URLs at another site. Checked on every kind of HTML page the app serves.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";

function directive(header: unknown, name: string): string[] | undefined {
  expect(header, "Content-Security-Policy header").toBeTypeOf("string");
  for (const part of (header as string).split(";")) {
    const [key, ...values] = part.trim().split(/\s+/);
    if (key?.toLowerCase() === name) return values;
  }
  return undefined;
}

describe("CSP base-uri", () => {
  it.each([
    ["the home page", "/", 200],
    ["a room link", "/r/general", 200],
    ["the not-found page", "/no-such-page", 404],
  ])("is 'none' on %s", async (_what, path, status) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.app.http).get(path).expect(status);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(directive(res.headers["content-security-policy"], "base-uri")).toEqual(["'none'"]);
  });
});
