/**
 * Dotted numeric versions as hosts report them: `12`, `22.04`, and kernel releases like `6.1.0-18-amd64`
 * or `5.15.0-91-generic`, of which only the leading dotted numbers count.
 */
export function leadingVersion(text: string): number[] | undefined {
  const match = /^(\d+(?:\.\d+)*)/.exec(text.trim());
  return match?.[1]?.split('.').map(Number);
}

/** -1, 0 or 1; missing parts count as 0, so `12` equals `12.0`. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
