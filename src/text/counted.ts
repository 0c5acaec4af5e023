/**
 * `1 host`, `2 hosts`, `0 hosts`: a number with its noun, singular only for exactly one. `format` writes
 * the number (e.g. with thousands separators).
 */
export function counted(
  n: number,
  singular: string,
  plural = `${singular}s`,
  format: (n: number) => string = String,
): string {
  return `${format(n)} ${n === 1 ? singular : plural}`;
}
