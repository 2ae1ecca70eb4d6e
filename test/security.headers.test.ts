import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";

/** "default-src 'self'; script-src 'self'" -> { "default-src": ["'self'"], ... } */
function parseCsp(header: string | undefined): Record<string, string[]> {
  expect(header, "Content-Security-Policy header").toBeTypeOf("string");
  const directives: Record<string, string[]> = {};
  for (const part of (header as string).split(";").map((s) => s.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    directives[(name as string).toLowerCase()] = values;
  }
  return directives;
}

describe("security headers", () => {
  it("serves the page with the strict CSP of issue 5: self only, no inline, no framing, no plugins", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.app.http).get("/").expect(200);
    const csp = parseCsp(res.headers["content-security-policy"]);

    expect(csp["default-src"]).toEqual(["'self'"]);
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["style-src"]).toEqual(["'self'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]); // ws/wss to the same host are 'self' (CSP Level 3)
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    // Nothing anywhere re-opens what those close.
    const everything = Object.values(csp).flat();
    expect(everything.filter((v) => /unsafe-|^\*$|^https?:$|^wss?:$/.test(v))).toEqual([]);
  });

  it("never sends upgrade-insecure-requests on plain HTTP, so LAN installs without TLS keep working", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.app.http).get("/").expect(200);
    expect(Object.keys(parseCsp(res.headers["content-security-policy"]))).not.toContain("upgrade-insecure-requests");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("adds each ALLOWED_ORIGINS entry with its ws/wss twin to connect-src", async () => {
    const app = await startTestApp({ env: { ALLOWED_ORIGINS: "https://chat.example.com, http://lan.example:8080" } });
    onTestFinished(app.close);
    const res = await request(app.app.http).get("/").expect(200);
    expect(parseCsp(res.headers["content-security-policy"])["connect-src"]).toEqual([
      "'self'",
      "https://chat.example.com",
      "wss://chat.example.com",
      "http://lan.example:8080",
      "ws://lan.example:8080",
    ]);
  });

  it.each(["/", "/r/general", "/no-such-page", "/api/rooms", "/healthz"])("sends Referrer-Policy no-referrer, nosniff and the CSP on %s", async (path) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.app.http).get(path).set("Accept", "text/html");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(parseCsp(res.headers["content-security-policy"])["default-src"]).toEqual(["'self'"]);
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("renders pages with no inline script, style or event handler, so the CSP needs no 'unsafe-inline'", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    for (const path of ["/", "/r/general", "/no-such-page"]) {
      const html = (await request(app.app.http).get(path).set("Accept", "text/html")).text;
      expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // every script has a src
      expect(html, path).not.toMatch(/<style[\s>]/i);
      expect(html, path).not.toMatch(/\sstyle\s*=/i);
      expect(html, path).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html, path).not.toMatch(/javascript:/i);
    }
  });
});
