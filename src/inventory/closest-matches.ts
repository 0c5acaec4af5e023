/**
 * Names from `candidates` that look like a typo of `input`, best first: what "did you mean …?" offers.
 * Edit distance with transpositions is enough for operator typos (`rgion`, `wbe`, `web-1` for `web-01`).
 */
export function closestMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  // Short words are close to everything at distance 2, so they get less slack.
  const threshold = needle.length <= 4 ? 1 : Math.max(2, Math.floor(needle.length / 4));
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    const hay = name.toLowerCase();
    const prefix = needle.length >= 3 && (hay.startsWith(needle) || needle.startsWith(hay));
    const distance = prefix ? 1 : editDistance(needle, hay);
    if (distance <= threshold) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/**
 * Every candidate, closest to `input` first (ties by name): for listing all the choices, e.g. the
 * workflows when an unknown one was asked for.
 */
export function rankByDistance(input: string, candidates: Iterable<string>): string[] {
  const needle = input.toLowerCase();
  return [...new Set(candidates)]
    .map((name) => ({ name, distance: editDistance(needle, name.toLowerCase(), Infinity) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((s) => s.name);
}

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. Lengths
 * further apart than `cutoff` give their difference, a lower bound, without the full table.
 */
export function editDistance(a: string, b: string, cutoff = 3): number {
  if (Math.abs(a.length - b.length) > cutoff) return Math.abs(a.length - b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** `'x' or 'y'`: close names as a suggestion offers them. */
export function quotedAlternatives(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(' or ');
}

/** `; did you mean 'x' or 'y'?` for names already found close, or nothing when there are none. */
export function didYouMeanOneOf(close: readonly string[]): string {
  return close.length === 0 ? '' : `; did you mean ${quotedAlternatives(close)}?`;
}

/** `; did you mean 'x' or 'y'?`, or nothing when no name is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  return didYouMeanOneOf(closestMatches(input, candidates));
}
