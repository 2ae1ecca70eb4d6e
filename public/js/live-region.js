// The screen-reader live region (#live-region, aria-live="polite"): short lines read out, never shown. A line
// that quotes a message remembers which one, so the message's edit or deletion reaches the line too: a deleted
// message's text must not stay readable there (a moderator deleted it for a reason), nor wait in the queue to be
// read out after it is gone.

/** How many lines the region keeps: screen readers read additions, so older ones are only there to be browsed. */
const KEEP_LINES = 5;

/** @typedef {{ room: string, id: number }} QuotedMessage */

/** @param {Document} doc @param {HTMLElement} region */
export function createLiveRegion(doc, region) {
  /** @param {QuotedMessage} about */
  const linesAbout = (about) =>
    [...region.children].filter((p) => p instanceof HTMLElement && p.dataset.room === about.room && p.dataset.messageId === String(about.id));

  return {
    /**
     * @param {string} text read out by screen readers, never shown
     * @param {QuotedMessage} [about] the message the text quotes, if it quotes one
     */
    announce(text, about) {
      const p = doc.createElement("p");
      p.textContent = text;
      if (about) {
        p.dataset.room = about.room;
        p.dataset.messageId = String(about.id);
      }
      region.append(p);
      while (region.childElementCount > KEEP_LINES) region.firstElementChild?.remove();
    },

    /**
     * A quoted message changed: its lines take the new text, or go (null: it was deleted, or its new text is
     * not known). An edit rewrites the line rather than dropping it: a line not read out yet (a typo fixed
     * right after sending) is still read, with the words the message has now.
     * @param {QuotedMessage} about @param {string | null} text
     */
    revise(about, text) {
      for (const p of linesAbout(about)) {
        if (text === null) p.remove();
        else p.textContent = text;
      }
    },
  };
}
