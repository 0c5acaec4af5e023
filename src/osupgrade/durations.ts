/** The median of some numbers (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Whether a host took `factor` times its batch's median or longer. Needs two peers: one slow host
 * among a few points to the host, many slow hosts to the release, and a lone host has nobody to compare.
 */
export function isSlow(durationMs: number, peersMs: readonly number[], factor: number): boolean {
  const m = median(peersMs);
  return peersMs.length >= 2 && m !== undefined && m > 0 && durationMs >= factor * m;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
