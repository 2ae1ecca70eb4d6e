// Reads the tables of a Markdown page by the section (heading) they sit under, for tests that check docs
// against the code. Fenced code blocks are skipped, so an example table in a code sample does not count.

export interface MarkdownTable {
  /** Headings above the table, outermost first (e.g. ["Protocol reference", "Error codes"]). */
  headings: string[];
  header: string[];
  rows: string[][];
}

export function readMarkdownTables(markdown: string): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  const headings: string[] = [];
  let inFence = false;
  let current: string[] | undefined;
  const flush = (): void => {
    if (current && current.length >= 2) {
      const [header, , ...body] = current.map(splitRow);
      tables.push({ headings: [...headings], header: header ?? [], rows: body });
    }
    current = undefined;
  };
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] && heading[2] !== undefined) {
      flush();
      headings.length = heading[1].length - 1;
      while (headings.length < heading[1].length - 1) headings.push("");
      headings[heading[1].length - 1] = heading[2];
      continue;
    }
    if (line.trimStart().startsWith("|")) (current ??= []).push(line);
    else flush();
  }
  flush();
  return tables;
}

/** Cells of one row; `\|` inside a cell is a literal bar. */
function splitRow(line: string): string[] {
  const cells = line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/);
  return cells.map((c) => c.trim());
}

/** The `code` spans of a cell: "`join_chat`" -> ["join_chat"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
}
