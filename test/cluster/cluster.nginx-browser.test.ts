// Issue 10, §4: the documented setup, tested. nginx runs from docs/nginx-cluster.conf (placement by the page's
// room, WebSocket upgrade headers), two Chromium pages of one room chat through it on one node (issue 21), that
// node is SIGKILLed, and both pages reconnect through nginx to another node and show every message once,
// without a reload. Needs PostgreSQL, Redis, nginx and /usr/bin/chromium.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startCluster, type Cluster, type ClusterNode } from "../helpers/cluster.js";
import { startNginx, type Nginx } from "../helpers/nginx.js";
import { anyMessage, join, launchChromium, messageTexts, newPerson, Problems, send, sentMessage } from "../e2e/helpers/browser.js";

let cluster: Cluster;
let nginx: Nginx;
let browser: Browser;
beforeAll(async () => {
  cluster = await startCluster({ pgAdminUrl: inject("pgAdminUrl") });
  [nginx, browser] = await Promise.all([startNginx(cluster.nodes.map((n) => `127.0.0.1:${n.port}`)), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await nginx?.remove();
  await cluster?.remove();
});

/** Open Socket.IO connections per node, from each node's /metrics (mr_connected_sockets). */
async function socketsPerNode(): Promise<Map<ClusterNode, number>> {
  const counts = new Map<ClusterNode, number>();
  for (const node of cluster.nodes.filter((n) => n.isUp())) {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    counts.set(node, Number(/^mr_connected_sockets(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? "0"));
  }
  return counts;
}

describe("cluster: nginx in front, a room's node dies", () => {
  it("keeps a room's two pages on one node, and reconnects both through nginx to one other node when it dies, every message once, without a reload", async () => {
    const problems = new Problems();
    const [ana, ben] = [await newPerson(browser, problems, "ana"), await newPerson(browser, problems, "ben")];
    const room = "behind-nginx";

    const base = await socketsPerNode();
    await join(ana.page, nginx.url, "Ana", room);
    const anaNode = await gained(base);
    const afterAna = await socketsPerNode();
    await join(ben.page, nginx.url, "Ben", room);
    const benNode = await gained(afterAna);
    const where = `Ana on ${anaNode.id}, Ben on ${benNode.id}`;
    expect(benNode, `${where}: one room's pages on one node (the page's ?affinity=)`).toBe(anaNode);

    await send(ana.page, "one (Ana)");
    await send(ben.page, "two (Ben)");
    await sentMessage(ana.page, "two (Ben)").waitFor({ timeout: 10_000 });
    await sentMessage(ben.page, "one (Ana)").waitFor({ timeout: 10_000 });

    // No reload: a mark on the page's window would not survive one.
    await ana.page.evaluate(() => ((window as unknown as { mark: string }).mark = "same page"));
    problems.allowNetworkErrors = true; // the page's attempts at the dead node, before nginx moves on
    const exit = await anaNode.kill();
    expect(exit.signal).toBe("SIGKILL");

    await ana.page.fill("#message-content", "three (Ana, while her node was down)");
    await ana.page.press("#message-content", "Enter");
    await ana.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 30_000 });
    await sentMessage(ana.page, "three (Ana, while her node was down)").waitFor({ timeout: 20_000 });
    await ben.page.locator("#connection-banner").waitFor({ state: "hidden", timeout: 30_000 });
    await send(ben.page, "four (Ben, after the node came back elsewhere)");
    await send(ben.page, "five (Ben, after)");

    const expected = ["one (Ana)", "two (Ben)", "three (Ana, while her node was down)", "four (Ben, after the node came back elsewhere)", "five (Ben, after)"];
    for (const [who, page] of [["Ana", ana.page], ["Ben", ben.page]] as const) {
      for (const text of ["three (Ana, while her node was down)", "five (Ben, after)"]) {
        await sentMessage(page, text).waitFor({ timeout: 20_000 }).catch(async () => {
          throw new Error(`${where}; after the kill Ana is on ${await nodeOfPages()}: ${who}'s page never showed "${text}"; it shows ${JSON.stringify(await messageTexts(page))}`);
        });
      }
      const texts = await messageTexts(page);
      const sorted = [...texts].sort();
      expect(sorted, `${where}; every message once: ${JSON.stringify(texts)}`).toEqual([...expected].sort());
      for (const text of expected) expect(await anyMessage(page, text).count(), `${where}: "${text}" once`).toBe(1);
    }
    expect(await ana.page.evaluate(() => (window as unknown as { mark?: string }).mark), "the page was not reloaded").toBe("same page");
    const anaNow = await socketsPerNode();
    expect([...anaNow.values()].reduce((a, b) => a + b, 0), `${where}: both pages connected to live nodes`).toBe(2);
    expect([...anaNow.values()].filter((n) => n > 0), `${where}: both on one other node`).toEqual([2]);
    problems.allowNetworkErrors = false;
    expect(problems.list.filter((p) => !/WebSocket connection to .* failed|net::ERR_|Failed to load resource/.test(p))).toEqual([]);
    await ana.context.close();
    await ben.context.close();
  }, 120_000);
});

/** Which live nodes hold connections now (the two pages are the only clients). */
async function nodeOfPages(): Promise<string> {
  return [...(await socketsPerNode())].filter(([, n]) => n > 0).map(([node, n]) => `${node.id} (${n})`).join(", ");
}

/** Waits until exactly one node has one more connection than in `before`, and returns it. */
async function gained(before: Map<ClusterNode, number>): Promise<ClusterNode> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const now = await socketsPerNode();
    const grown = [...now].filter(([node, n]) => n > (before.get(node) ?? 0)).map(([node]) => node);
    const [only] = grown;
    if (grown.length === 1 && only !== undefined) return only;
    if (Date.now() > deadline) throw new Error(`cannot tell which node the page is on: ${JSON.stringify([...now].map(([n, c]) => [n.id, c]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
