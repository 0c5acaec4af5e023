/**
 * Names from `candidates` that look like a typo of `input`, best first: what "did you mean …?" offers.
 * Plain edit distance is enough for operator typos (`rgion`, `web-1` for `web-01`) and needs no index.
 */
export function closestMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  const threshold = Math.max(2, Math.floor(needle.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    const hay = name.toLowerCase();
    const distance =
      hay.startsWith(needle) || needle.startsWith(hay) ? 1 : editDistance(needle, hay, threshold);
    if (distance <= threshold) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** Levenshtein distance, giving up (returning `cap + 1`) once it cannot be within `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > cap) return cap + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** ` (did you mean 'x' or 'y'?)`, or nothing when no name is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const close = closestMatches(input, candidates);
  if (close.length === 0) return '';
  return `; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?`;
}
