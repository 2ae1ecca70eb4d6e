// Message text where it is plain text (notifications, pushes, search hits, reply quotes): each URL reads with the
// host its link would show. The page's rule (public/js/link-text.js, run in Node) and the server's mirror of it
// (src/shared/link-text.ts, for push text) give the same text for the same input, hand-picked and random.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { quoteLine } from "../src/chat/quote.js";
import { shownText as serverShownText } from "../src/shared/link-text.js";

interface HostEdit {
  start: number;
  end: number;
  shown: string;
}
interface PageLinkText {
  shownText(text: string): string;
  hostEdits(text: string): HostEdit[];
  shownSlice(text: string, edits: HostEdit[], from: number, to: number): string;
}
// Plain browser JavaScript without type declarations: loaded by URL so TypeScript does not look for any.
const page = (): Promise<PageLinkText> => import(new URL("../public/js/link-text.js", import.meta.url).href) as Promise<PageLinkText>;

const CASES: [string, string][] = [
  ["log in at https://аpple.com/login now", "log in at https://xn--pple-43d.com/login now"],
  ["https://аррӏе.com/login. Or https://www.аpple.com:8080/a?b#c!", "https://xn--80ak6aa92e.com/login. Or https://www.xn--pple-43d.com:8080/a?b#c!"],
  ["(https://ſacebook.com/x) and https://ｅｘａｍｐｌｅ.com and https://0x7f.1/", "(https://sacebook.com/x) and https://example.com and https://127.0.0.1/"],
  ["https://münchen.de/ https://gօօgle.com/", "https://xn--mnchen-3ya.de/ https://xn--ggle-vifa.com/"],
  // As typed: ASCII (case and port kept), genuine IDN under its own TLD, not links at all.
  ["HTTP://EXAMPLE.COM:80/x https://пример.рф/путь https://例子.中国/", "HTTP://EXAMPLE.COM:80/x https://пример.рф/путь https://例子.中国/"],
  ["https://аpple.com@evil.com https://evil.com\\@аpple.com ftp://аpple.com аpple.com", "https://аpple.com@evil.com https://evil.com\\@аpple.com ftp://аpple.com аpple.com"],
  ["<b>https://аpple.com/?q=<i></b>", "<b>https://xn--pple-43d.com/?q=<i></b>"],
  // No host where a reader looks for one: no link, so as typed (the link would have read "https://xn--pple-43d.com/аpple.com").
  ["https:///аpple.com/login", "https:///аpple.com/login"],
  ["no links here, just 🎉 and a\nnew line", "no links here, just 🎉 and a\nnew line"],
];

describe("URLs in plain text read with their link's host", () => {
  it.each(CASES)("%s", async (typed, shown) => {
    const { shownText } = await page();
    expect(shownText(typed)).toBe(shown);
    expect(serverShownText(typed)).toBe(shown);
  });

  it("changes only the host: the edits cover the typed host and port, nothing else", async () => {
    const { hostEdits } = await page();
    const text = "see https://www.аpple.com:8080/login ok";
    const [edit, ...more] = hostEdits(text);
    expect(more).toEqual([]);
    expect(edit && text.slice(edit.start, edit.end)).toBe("аpple");
    expect(edit?.shown).toBe("xn--pple-43d");
  });

  it("draws slices so that pieces one after another read as the whole text, the host in the piece holding its start", async () => {
    const { hostEdits, shownSlice, shownText } = await page();
    const text = "at https://аpple.com/login now";
    const edits = hostEdits(text);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(shownSlice(text, edits, 0, cut) + shownSlice(text, edits, cut, text.length)).toBe(shownText(text));
    }
    const hostStart = text.indexOf("аpple");
    expect(shownSlice(text, edits, hostStart, hostStart + 2)).toBe("xn--pple-43d"); // a mark on "аp" marks the host
    expect(shownSlice(text, edits, hostStart + 2, hostStart + 5)).toBe("");
    expect(shownSlice(text, edits, text.indexOf("login"), text.indexOf(" now"))).toBe("login");
  });

  it("reads a URL that ends the text with its link's host when that host only adds to the typed one (http://10.0 is 10.0.0.0)", async () => {
    const { hostEdits, shownSlice, shownText } = await page();
    const cases: [string, string][] = [
      ["see http://10.0", "see http://10.0.0.0"],
      ["https://0", "https://0.0.0.0"],
    ];
    for (const [typed, shown] of cases) {
      expect(serverShownText(typed)).toBe(shown);
      expect(shownText(typed)).toBe(shown);
      // Pieces one after another (a search hit's marks), none empty, read as the whole.
      const edits = hostEdits(typed);
      for (let cut = 1; cut < typed.length; cut++) expect(shownSlice(typed, edits, 0, cut) + shownSlice(typed, edits, cut, typed.length)).toBe(shown);
    }
  });

  it("agrees between page and server on random hosts of look-alike letters", async () => {
    const { shownText } = await page();
    const letters = fc.constantFrom(..."aeopcxyſ-0ｅаеорсхуɡօοαпримерф例子テスト中国ü".split(""));
    const label = fc.array(letters, { minLength: 1, maxLength: 8 }).map((l) => l.join(""));
    const tld = fc.constantFrom("com", "de", "рф", "中国", "xn--p1ai", "1");
    const url = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld, fc.constantFrom("", "/x", ":8080/a?b", "\\@apple.com", "."));
    fc.assert(
      fc.property(url, ([labels, top, tail]) => {
        const text = `go https://${labels.join(".")}.${top}${tail} now`;
        expect(serverShownText(text)).toBe(shownText(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe("a reply's quote", () => {
  it("shows a look-alike host as punycode even when the excerpt is cut inside it", async () => {
    type Quote = { id: number; sender: string; excerpt: string | null; deleted?: boolean };
    const { quoteText } = (await import(new URL("../public/js/reply-quote.js", import.meta.url).href)) as { quoteText(q: Quote): string };
    const quote = (excerpt: string | null): Quote => ({ id: 1, sender: "ana", excerpt });
    expect(quoteText(quote("log in at https://аpple.com/login now"))).toBe("log in at https://xn--pple-43d.com/login now");
    expect(quoteText(quote(`${"a".repeat(80)} https://аpp…`))).toBe(`${"a".repeat(80)} https://xn--pp-6kc…`);
    expect(quoteText(quote("https://аpple.com/lo…"))).toBe("https://xn--pple-43d.com/lo…");
    expect(quoteText(quote(null))).toBe("Deleted message");
  });
});

describe("the quote line the original's clients read above a reply", () => {
  it("shows a look-alike host as punycode, cut by the excerpt's … or not, and a deleted original as before", () => {
    const line = (excerpt: string | null) => quoteLine({ id: 1, sender: "Ana", excerpt, ...(excerpt === null ? { deleted: true } : {}) });
    expect(line("log in at https://аpple.com/login now")).toBe("> Ana: log in at https://xn--pple-43d.com/login now");
    expect(line(`${"a".repeat(80)} https://аpp…`)).toBe(`> Ana: ${"a".repeat(80)} https://xn--pp-6kc…`);
    expect(line("https://пример.рф/ and аpple.com, no link")).toBe("> Ana: https://пример.рф/ and аpple.com, no link");
    expect(line(null)).toBe("> Ana: (deleted message)");
  });
});

class FakeClassList {
  readonly names = new Set<string>();
  toggle(name: string, force: boolean): void {
    if (force) this.names.add(name);
    else this.names.delete(name);
  }
}

/** The few DOM calls the unsent list makes, on plain objects: enough to read what it shows and what Copy copies. */
class FakeElement {
  className = "";
  textContent = "";
  type = "";
  hidden = true;
  readonly children: FakeElement[] = [];
  readonly listeners = new Map<string, () => void>();
  // The offline view marks the page offline on its body (offline-view.js).
  readonly ownerDocument = { createElement: () => new FakeElement(), body: { classList: new FakeClassList() } };
  get childElementCount(): number {
    return this.children.length;
  }
  append(...nodes: (FakeElement | string)[]): void {
    for (const node of nodes) if (typeof node !== "string") this.children.push(node);
  }
  prepend(node: FakeElement): void {
    this.children.unshift(node);
  }
  setAttribute(): void {}
  remove(): void {}
  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, listener);
  }
}

describe("the home page's Messages not sent", () => {
  it("shows a look-alike host as punycode, and Copy gives the text as written", async () => {
    type Item = { clientId: string; content: string; attachments: { name: string }[] };
    type View = { keep(title: string, items: Item[]): number };
    const { createUnsentView } = (await import(new URL("../public/js/unsent-view.js", import.meta.url).href)) as {
      createUnsentView(els: { unsent: FakeElement; unsentList: FakeElement }): View;
    };
    const els = { unsent: new FakeElement(), unsentList: new FakeElement() };
    const typed = "pasted: https://аpple.com/login";
    createUnsentView(els).keep("general", [{ clientId: "c1", content: typed, attachments: [{ name: "notes.pdf" }] }]);

    const [li] = els.unsentList.children;
    const body = li?.children.find((el) => el.className === "unsent__text");
    expect(body?.textContent).toBe("pasted: https://xn--pple-43d.com/login\n(files: notes.pdf)");

    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    try {
      li?.children.find((el) => el.textContent === "Copy")?.listeners.get("click")?.();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(writeText).toHaveBeenCalledWith(`${typed}\n(files: notes.pdf)`);
  });
});

describe("the offline copy of a room", () => {
  it("shows a look-alike host as punycode in the last messages the page kept", async () => {
    type Cached = { id: number; sender: string; text: string; sentAt: string; edited: boolean };
    type Deps = { win: unknown; banner: FakeElement; scroller: FakeElement; cache: { read(room: string): Promise<Cached[]> }; currentRoom(): string; hasLoaded(): boolean };
    const { createOfflineView } = (await import(new URL("../public/js/offline-view.js", import.meta.url).href)) as { createOfflineView(deps: Deps): unknown };
    const scroller = new FakeElement();
    const drawn = new Promise<FakeElement>((resolve) => (scroller.prepend = resolve));
    const cached: Cached[] = [
      { id: 1, sender: "Ben", text: "log in at https://аpple.com/login", sentAt: "2026-12-07T10:00:00.000Z", edited: false },
      { id: 2, sender: "Ben", text: "or https://аpple.com/", sentAt: "2026-12-07T10:01:00.000Z", edited: true },
    ];
    const win = { navigator: { onLine: false }, addEventListener: () => undefined };
    createOfflineView({ win, banner: new FakeElement(), scroller, cache: { read: () => Promise.resolve(cached) }, currentRoom: () => "general", hasLoaded: () => false });

    const texts = (await drawn).children.find((el) => el.className === "offline-copy__list")?.children.map((li) => li.children.find((el) => el.className === "offline-copy__text")?.textContent);
    expect(texts).toEqual(["log in at https://xn--pple-43d.com/login", "or https://xn--pple-43d.com/ (edited)"]);
    expect(scroller.ownerDocument.body.classList.names.has("is-offline")).toBe(true);
  });
});
