// Measuring the room bar on a phone (room-bar-phone.test.ts, room-bar-counts.test.ts): its controls' edges, and
// whether the room's name shows whole.
import type { Page } from "playwright-core";

export interface Bar {
  height: number;
  /** Controls shown, each with its left and right edge. */
  controls: { id: string; left: number; right: number }[];
  screenWidth: number;
}

export function roomBar(page: Page): Promise<Bar> {
  return page.evaluate(() => {
    const bar = document.querySelector(".room-bar");
    if (!bar) throw new Error("no room bar");
    // The open room actions hang below the bar (position: absolute), not in its row.
    const controls = [...bar.children]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).position !== "absolute")
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { id: el.id, left: Math.round(r.left), right: Math.round(r.right) };
      });
    return { height: bar.getBoundingClientRect().height, controls, screenWidth: document.documentElement.clientWidth };
  });
}

/** The controls lying (partly) outside the screen. */
export function outside(bar: Bar): Bar["controls"] {
  return bar.controls.filter((c) => c.left < 0 || c.right > bar.screenWidth);
}

/**
 * The room bar's name shows whole, not even a pixel's fraction cut with "…": scrollWidth rounds that away (it said
 * 194 <= 194 for a lock and name 0.14 px too wide, shown "weekend-hike-20…"), so the text's own right edge is checked too (the h2 has no padding).
 */
export function isNameWhole(page: Page): Promise<boolean> {
  return page.locator("#room-title").evaluate((el) => {
    const text = document.createRange();
    text.selectNodeContents(el);
    return el.scrollWidth <= el.clientWidth && text.getBoundingClientRect().right <= el.getBoundingClientRect().right;
  });
}
