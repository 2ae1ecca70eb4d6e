// The page's links in message text (public/js/linkify.js, link-host.js, punycode.js), run in Node: which URLs become
// links, and that a link's visible host is the host it leads to, in punycode when it could pass for another site.
import { domainToUnicode } from "node:url";
import { describe, expect, it } from "vitest";

// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const load = (name: string) => import(new URL(`../public/js/${name}`, import.meta.url).href);

interface Run {
  text: string;
  href?: string;
  shown?: string;
}

async function linkify() {
  const { splitLinks } = await load("linkify.js");
  const runs = (text: string) => splitLinks(text) as Run[];
  const links = (text: string) => runs(text).filter((r) => r.href !== undefined);
  /** The one link in `text`, as the reader sees it and where it leads. */
  const link = (text: string) => {
    const [only, ...more] = links(text);
    expect(more).toEqual([]);
    return { shown: only?.shown, href: only?.href };
  };
  return { runs, links, link };
}

describe("links in message text", () => {
  it("links only http(s) URLs and leaves sentence punctuation outside the link", async () => {
    const { runs, links } = await linkify();
    const hrefs = (text: string) => links(text).map((r) => r.href);
    expect(hrefs("see https://example.com/a.")).toEqual(["https://example.com/a"]);
    expect(hrefs("(at https://example.com/b)")).toEqual(["https://example.com/b"]);
    expect(hrefs("https://en.wikipedia.org/wiki/Foo_(bar), nice")).toEqual(["https://en.wikipedia.org/wiki/Foo_(bar)"]);
    expect(hrefs("HTTP://EXAMPLE.COM/x!")).toEqual(["http://example.com/x"]);
    expect(hrefs("javascript:alert(1) data:text/html,<b> ftp://x.org file:///etc/passwd")).toEqual([]);
    expect(runs("a <b>https://x.org/?q=<i></b> z").map((r) => r.text).join("")).toBe("a <b>https://x.org/?q=<i></b> z"); // nothing lost, nothing added
  });

  it("does not link a URL whose text names another host than it leads to (user:password@ before the host)", async () => {
    const { runs, links } = await linkify();
    const text = "log in at https://bank.example.com@evil.example/login or https://bank.example.com:pin@evil.example/";
    expect(links(text)).toEqual([]);
    expect(runs(text).map((r) => r.text).join("")).toBe(text); // shown as the text it is
    expect(links("https://example.com/@bob and https://example.com/?a=b@c").map((r) => r.href)).toEqual([
      "https://example.com/@bob",
      "https://example.com/?a=b@c",
    ]);
  });

  it("does not link a URL a reader would cut at another place than the parser: a backslash or an @ before the path", async () => {
    const { runs, links } = await linkify();
    // WHATWG URL reads "\\" as "/": this leads to evil.com, and reads as apple.com behind a user name.
    const tricks = ["https://evil.com\\@apple.com", "https://evil.com\\\\@apple.com/x", "https://evil.com:443\\@apple.com", "https://evil.com\\.apple.com/"];
    // Percent-encoded, the "@" is the parser's too: a user name, refused as before (the first leads to apple.com).
    tricks.push("https://evil.com%5C@apple.com", "https://evil.com%5c@apple.com/", "https://apple.com%2F@evil.com");
    // No host where a reader looks for one: the parser finds it in what reads as the path.
    tricks.push("https:///\u0430pple.com/login", "https:///evil.com", "http://?x=1");
    for (const trick of tricks) {
      expect(links(`see ${trick} now`), trick).toEqual([]);
      expect(runs(`see ${trick} now`).map((r) => r.text).join("")).toBe(`see ${trick} now`);
    }
    // An "@" after the host's end, which every reader sees, stays a link.
    expect(links("https://evil.com/@apple.com https://evil.com?@apple.com https://evil.com#@apple.com").map((r) => r.href)).toEqual([
      "https://evil.com/@apple.com",
      "https://evil.com/?@apple.com",
      "https://evil.com/#@apple.com",
    ]);
  });

  it("shows ASCII hosts as typed, case and port included", async () => {
    const { link } = await linkify();
    expect(link("https://example.com/a?b#c")).toEqual({ shown: "https://example.com/a?b#c", href: "https://example.com/a?b#c" });
    expect(link("HTTP://EXAMPLE.COM:80/x")).toEqual({ shown: "HTTP://EXAMPLE.COM:80/x", href: "http://example.com/x" });
    expect(link("https://[::1]:8443/")).toEqual({ shown: "https://[::1]:8443/", href: "https://[::1]:8443/" });
  });

  it("shows a whole-script Cyrillic look-alike under .com as punycode, the link still leading to it", async () => {
    const { link, runs } = await linkify();
    // Every letter Cyrillic: "арр" + "ӏ" (palochka) + "е" reads "apple".
    expect(link("log in at https://аррӏе.com/login now")).toEqual({ shown: "https://xn--80ak6aa92e.com/login", href: "https://xn--80ak6aa92e.com/login" });
    expect(link("https://раураl.com")).toEqual({ shown: "https://xn--l-7sba6dbr.com", href: "https://xn--l-7sba6dbr.com/" });
    // The run's text stays as typed: mentions are placed by its length.
    expect(runs("see https://аррӏе.com/login").map((r) => r.text).join("")).toBe("see https://аррӏе.com/login");
  });

  it("shows a label mixing scripts as punycode, whatever the top-level domain", async () => {
    const { link } = await linkify();
    expect(link("https://аpple.com/x")).toEqual({ shown: "https://xn--pple-43d.com/x", href: "https://xn--pple-43d.com/x" }); // Cyrillic а + Latin
    expect(link("https://gօօgle.com/")).toEqual({ shown: "https://xn--ggle-vifa.com/", href: "https://xn--ggle-vifa.com/" }); // Armenian օ
    expect(link("https://аpple.рф/")).toEqual({ shown: "https://xn--pple-43d.xn--p1ai/", href: "https://xn--pple-43d.xn--p1ai/" });
    expect(link("https://www.аpple.com:8080/a?b#c")).toEqual({ shown: "https://www.xn--pple-43d.com:8080/a?b#c", href: "https://www.xn--pple-43d.com:8080/a?b#c" });
  });

  it("shows any non-ASCII label under an ASCII top-level domain as punycode, genuine or not", async () => {
    const { link } = await linkify();
    expect(link("https://ɡoogle.com/")).toEqual({ shown: "https://xn--oogle-qmc.com/", href: "https://xn--oogle-qmc.com/" }); // Latin script small g
    expect(link("https://münchen.de/")).toEqual({ shown: "https://xn--mnchen-3ya.de/", href: "https://xn--mnchen-3ya.de/" });
  });

  it("shows genuine IDN hosts under their own script's top-level domain as typed", async () => {
    const { link } = await linkify();
    expect(link("https://пример.рф/путь")).toEqual({ shown: "https://пример.рф/путь", href: "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C" });
    expect(link("HTTPS://ПРИМЕР.РФ")).toEqual({ shown: "HTTPS://ПРИМЕР.РФ", href: "https://xn--e1afmkfd.xn--p1ai/" });
    expect(link("https://paypal.рф")).toEqual({ shown: "https://paypal.рф", href: "https://paypal.xn--p1ai/" });
    expect(link("https://例子.中国/")).toEqual({ shown: "https://例子.中国/", href: "https://xn--fsqu00a.xn--fiqs8s/" });
    expect(link("https://テスト例.中国")).toEqual({ shown: "https://テスト例.中国", href: "https://xn--zckzah4162a.xn--fiqs8s/" });
    // A Cyrillic label under a Chinese top-level domain is not of its script.
    expect(link("https://тест.中国")).toEqual({ shown: "https://xn--e1aybc.xn--fiqs8s", href: "https://xn--e1aybc.xn--fiqs8s/" });
  });

  it("shows the host the URL parser reads when the typed one differs from it in more than case", async () => {
    const { link } = await linkify();
    // A long s looks like f, and the parser reads it as s: the text must not say facebook.
    expect(link("https://ſacebook.com/")).toEqual({ shown: "https://sacebook.com/", href: "https://sacebook.com/" });
    expect(link("https://ｅｘａｍｐｌｅ.com/")).toEqual({ shown: "https://example.com/", href: "https://example.com/" });
    expect(link("https://0x7f.1/")).toEqual({ shown: "https://127.0.0.1/", href: "https://127.0.0.1/" });
  });

  it("decodes punycode as Node's URL module does, and refuses what is not punycode", async () => {
    const { decodePunycode } = await load("punycode.js");
    for (const ace of ["xn--pple-43d", "xn--e1afmkfd", "xn--p1ai", "xn--fsqu00a", "xn--mnchen-3ya", "xn--a-b--3ra", "xn--e28h", "xn--ngbrx4e"]) {
      expect(decodePunycode(ace.slice(4))).toBe(domainToUnicode(ace));
    }
    expect(decodePunycode("abc-")).toBe("abc");
    for (const bad of ["-abc", "é", "99999999999", "a-!"]) expect(decodePunycode(bad)).toBeNull();
  });
});
