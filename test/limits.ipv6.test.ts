// Per-address caps count an IPv6 client's whole /64 (IPV6_PREFIX_LENGTH), and IPv4-mapped IPv6 as IPv4.
import { describe, expect, it, onTestFinished } from "vitest";
import { addressKey } from "../src/shared/address-key.js";
import { startTestApp, type TestApp } from "./helpers/app.js";

describe("addressKey", () => {
  it("keeps IPv4 as it is and reads IPv4-mapped IPv6 as IPv4", () => {
    expect(addressKey("203.0.113.5", 64)).toBe("203.0.113.5");
    expect(addressKey("::ffff:203.0.113.5", 64)).toBe("203.0.113.5");
    expect(addressKey("::FFFF:cb00:7105", 64)).toBe("203.0.113.5");
  });

  it("cuts IPv6 to the prefix, whatever the notation", () => {
    expect(addressKey("2001:db8:1:1::1", 64)).toBe("2001:db8:1:1:0:0:0:0/64");
    expect(addressKey("2001:DB8:1:1:ffff:1:2:3", 64)).toBe(addressKey("2001:db8:1:1::", 64));
    expect(addressKey("2001:db8:1:2::1", 64)).not.toBe(addressKey("2001:db8:1:1::1", 64));
    expect(addressKey("fe80::1%eth0", 64)).toBe("fe80:0:0:0:0:0:0:0/64");
    expect(addressKey("2001:db8:1:1::1", 128)).toBe("2001:db8:1:1:0:0:0:1/128");
    expect(addressKey("2001:db8:1:1::1", 48)).toBe(addressKey("2001:db8:1:ffff::9", 48));
    expect(addressKey("2001:db8:ffff::1", 36)).toBe("2001:db8:f000:0:0:0:0:0/36"); // a prefix inside a group keeps its top bits
    expect(addressKey("2001:db8:ffff::1", 20)).toBe("2001:0:0:0:0:0:0:0/20");
    expect(addressKey("2001:db8:ffff::1", 1)).toBe("0:0:0:0:0:0:0:0/1");
  });
});

/** Whether a cookie-less client the server sees at `ip` may open a connection (TRUST_PROXY is on). */
async function canConnect(app: TestApp, ip: string): Promise<boolean> {
  try {
    await app.connect({ options: { extraHeaders: { "x-forwarded-for": ip } } });
    return true;
  } catch {
    return false;
  }
}

describe("per-address handshake caps with IPv6", () => {
  it("MAX_CONNECTIONS_PER_IP: two addresses in one /64 share the cap; another /64 does not", async () => {
    const app = await startTestApp({ env: { TRUST_PROXY: "true", MAX_CONNECTIONS_PER_IP: "1" } });
    onTestFinished(app.close);
    expect(await canConnect(app, "2001:db8:1:1::1")).toBe(true);
    expect(await canConnect(app, "2001:db8:1:1:ffff::2")).toBe(false);
    expect(await canConnect(app, "2001:db8:1:2::1")).toBe(true);
    expect(app.logs).toContainEqual(expect.objectContaining({ event: "handshake_refused", reason: "too_many_connections" }));
  });

  it("HANDSHAKES_PER_MINUTE_PER_IP: the /64 is one budget", async () => {
    const app = await startTestApp({ env: { TRUST_PROXY: "true", HANDSHAKES_PER_MINUTE_PER_IP: "1" } });
    onTestFinished(app.close);
    expect(await canConnect(app, "2001:db8:1:1::1")).toBe(true);
    expect(await canConnect(app, "2001:db8:1:1::2")).toBe(false);
    expect(await canConnect(app, "2001:db8:9:9::1")).toBe(true);
  });

  it("counts an IPv4-mapped IPv6 address as the IPv4 address", async () => {
    const app = await startTestApp({ env: { TRUST_PROXY: "true", MAX_CONNECTIONS_PER_IP: "1" } });
    onTestFinished(app.close);
    expect(await canConnect(app, "203.0.113.5")).toBe(true);
    expect(await canConnect(app, "::ffff:203.0.113.5")).toBe(false);
  });

  it("IPV6_PREFIX_LENGTH=128 counts every IPv6 address on its own", async () => {
    const app = await startTestApp({ env: { TRUST_PROXY: "true", MAX_CONNECTIONS_PER_IP: "1", IPV6_PREFIX_LENGTH: "128" } });
    onTestFinished(app.close);
    expect(await canConnect(app, "2001:db8:1:1::1")).toBe(true);
    expect(await canConnect(app, "2001:db8:1:1::2")).toBe(true);
    expect(await canConnect(app, "2001:db8:1:1::1")).toBe(false);
  });
});
