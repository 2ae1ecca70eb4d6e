// A misspelt setting (HISTROY_LIMIT=50) is otherwise ignored without a word: the default runs and nobody knows why.
// At start, each variable whose name is a near miss of a setting's gets one warning naming the setting.

/**
 * `env`, noting each name read into `read`: passed to loadConfig, it lists the settings' names by reading them, so
 * there is no second list to keep.
 */
export function notingReads<E extends Record<string, string | undefined>>(env: E, read: Set<string>): E {
  return new Proxy(env, {
    get: (target, name) => {
      if (typeof name === "string") read.add(name);
      return Reflect.get(target, name) as unknown;
    },
  });
}

/** Names shorter than this are left alone: PGPORT is two letters from PORT, and short names are anyone's. */
const MIN_NAME_LENGTH = 6;
/** Two edits: a transposed pair, a doubled or dropped letter, a wrong one, or two of these. */
const MAX_EDITS = 2;

export interface MisspeltVariable {
  name: string;
  /** The setting it is nearest to. */
  meant: string;
}

/**
 * The given names that are not settings but within MAX_EDITS (case aside) of one; each with the nearest setting
 * (the first in alphabetical order on a tie). Names near none of ours (PATH, HOME, npm_*) are never returned.
 */
export function misspeltVariables(names: Iterable<string>, settings: ReadonlySet<string>): MisspeltVariable[] {
  const candidates = [...settings].filter((s) => s.length >= MIN_NAME_LENGTH).sort();
  const found: MisspeltVariable[] = [];
  for (const name of [...names].sort()) {
    if (settings.has(name) || name.length < MIN_NAME_LENGTH) continue;
    let best: { meant: string; edits: number } | null = null;
    for (const setting of candidates) {
      const edits = editDistance(name.toUpperCase(), setting);
      if (edits <= MAX_EDITS && (best === null || edits < best.edits)) best = { meant: setting, edits };
    }
    if (best !== null) found.push({ name, meant: best.meant });
  }
  return found;
}

/** Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_EDITS) return MAX_EDITS + 1; // cheap way out: most names are far apart
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}
