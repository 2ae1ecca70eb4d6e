// The area a finger can tap to reach a control, measured as the browser hit-tests it: the pixels around the
// control's centre where elementFromPoint lands on the control (or on a label of it). An area drawn by padding, a
// ::before or a label counts; a part a neighbour covers does not. WCAG 2.5.5 and Apple's HIG ask for 44 x 44 CSS px.
// Measured to the pixel, across and down through the middle: a rounded corner (the composer's buttons) is no miss.
// Chromium's elementFromPoint lands on a box from about 0.6 px before its left and top edges, so a 44 px box whose
// edges are whole pixels counts 45 (one by the screen's edge, 44).
import type { Page } from "playwright-core";

export const TAP_MIN_PX = 44;

export interface TapArea {
  selector: string;
  /** Pixel columns, along the control's middle row, whose centre lands on the control. */
  width: number;
  /** Pixel rows, along its middle column, the same way. */
  height: number;
}

/** The tap area of each control (by CSS selector); every one must be on screen. */
export function tapAreas(page: Page, selectors: string[]): Promise<TapArea[]> {
  return page.evaluate((list) => {
    const LIMIT_PX = 100; // farther than any tap area here reaches
    return list.map((selector) => {
      const control = document.querySelector(selector);
      if (!control) throw new Error(`no ${selector}`);
      const lands = (x: number, y: number): boolean => {
        const at = document.elementFromPoint(x, y);
        return at !== null && (control.contains(at) || (at instanceof HTMLLabelElement && at.control === control));
      };
      const box = control.getBoundingClientRect();
      // Pixel centres (n + 0.5), so an area of exactly 44 px counts 44 wherever its edges fall.
      const midX = Math.floor(box.left + box.width / 2) + 0.5;
      const midY = Math.floor(box.top + box.height / 2) + 0.5;
      const reach = (step: (i: number) => [number, number]): number => {
        let i = 1;
        while (i < LIMIT_PX && lands(...step(i))) i++;
        return i - 1;
      };
      const left = reach((i) => [midX - i, midY]);
      const right = reach((i) => [midX + i, midY]);
      const up = reach((i) => [midX, midY - i]);
      const down = reach((i) => [midX, midY + i]);
      const isHit = lands(midX, midY);
      return { selector, width: isHit ? left + right + 1 : 0, height: isHit ? up + down + 1 : 0 };
    });
  }, selectors);
}

/** The controls whose tap area is under 44 x 44 px. */
export async function smallTapAreas(page: Page, selectors: string[]): Promise<TapArea[]> {
  return (await tapAreas(page, selectors)).filter((a) => a.width < TAP_MIN_PX || a.height < TAP_MIN_PX);
}
