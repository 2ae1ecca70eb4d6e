// Lighthouse 12 (the third-party audit of issue 23) against Debian's Chromium, with its default mobile profile
// (a mid-range phone, simulated slow 4G and a 4× slower CPU). chrome-launcher starts the browser; nothing is
// downloaded.
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";
import { CHROMIUM_PATH, CHROMIUM_ARGS } from "./browser.js";

export const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
export type Category = (typeof CATEGORIES)[number];
export type Scores = Record<Category, number>;

export interface Audit {
  scores: Scores;
  /** The audits that lost points, each with what Lighthouse says about it: what a failure report shows. */
  losses: string[];
  /** Lighthouse's measure of the host's CPU speed in this run: it falls when the machine is busy, and a report of a miss shows it. */
  benchmarkIndex: number;
}

/**
 * Lighthouse's errors for a recording of its own that failed ("Something went wrong with recording the trace over
 * your page load. Please run Lighthouse again.", "Chrome didn't collect any screenshots during the page load"): the
 * tool saw nothing, so it says nothing about the page. Such a run is made again, at most RECORDING_TRIES times in
 * all; every other error (no first paint, no LCP, a page that fails to load) fails at once. CI hit NO_NAVSTART once.
 */
const RECORDING_FAILURES = new Set(["NO_NAVSTART", "NO_TRACING_STARTED", "NO_RESOURCE_REQUEST", "NO_DCL", "NO_FMP", "NO_SPEEDLINE_FRAMES", "SPEEDINDEX_OF_ZERO", "NO_SCREENSHOTS", "INVALID_SPEEDLINE"]);
const RECORDING_TRIES = 3;

class RecordingFailed extends Error {}

/** One Lighthouse run of `url` in a browser of its own (a fresh profile: nothing cached); made again when Lighthouse's own recording failed. */
export async function audit(url: string): Promise<Audit> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await auditOnce(url);
    } catch (err) {
      if (!(err instanceof RecordingFailed) || attempt >= RECORDING_TRIES) throw err;
    }
  }
}

async function auditOnce(url: string): Promise<Audit> {
  const chrome = await launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROMIUM_ARGS });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES] });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { categories, audits, runtimeError } = result.lhr;
    if (runtimeError) {
      const message = `Lighthouse could not audit ${url}: ${runtimeError.code} ${runtimeError.message}`;
      throw RECORDING_FAILURES.has(runtimeError.code) ? new RecordingFailed(message) : new Error(message);
    }
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, categories[c]?.score ?? 0])) as Scores;
    const losses = Object.values(audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable")
      .map((a) => `${a.id} ${a.score ?? ""} ${a.displayValue ?? ""}`.trim());
    return { scores, losses, benchmarkIndex: Math.round(result.lhr.environment.benchmarkIndex) };
  } finally {
    chrome.kill();
  }
}

/** The middle value (the upper one of an even count). */
const median2 = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

/**
 * Lighthouse's own guidance on variance (its docs/variability.md, "Run Lighthouse multiple times") is the median of
 * five runs, which it says about halves the variability of one. One run is taken; only when it misses a floor are four more made, and the
 * median of the five is judged (one run's shortfall alone would otherwise fail on a busy machine what the page does
 * not deserve, and a page that misses in most runs still fails).
 */
export async function medianAudit(url: string, passes: (scores: Scores) => boolean): Promise<Audit & { runs: Scores[] }> {
  const first = await audit(url);
  if (passes(first.scores)) return { ...first, runs: [first.scores] };
  const all = [first];
  for (let i = 0; i < 4; i++) all.push(await audit(url));
  const median = (c: Category): number => median2(all.map((a) => a.scores[c]));
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(c)])) as Scores;
  return { scores, losses: [...new Set(all.flatMap((a) => a.losses))], runs: all.map((a) => a.scores), benchmarkIndex: median2(all.map((a) => a.benchmarkIndex)) };
}
