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

/**
 * How long a host of a batch may run before it is slow: `factor` × the median of the peers of its batch
 * that have finished, once at least two and at least half of its peers have (before that the batch's
 * median is not known: the first hosts to finish are the fastest). Undefined until then.
 */
export function slowAfter(
  finishedPeersMs: readonly number[],
  peersInBatch: number,
  factor: number,
): number | undefined {
  if (finishedPeersMs.length < 2 || 2 * finishedPeersMs.length < peersInBatch) return undefined;
  const m = median(finishedPeersMs);
  return m !== undefined && m > 0 ? factor * m : undefined;
}
