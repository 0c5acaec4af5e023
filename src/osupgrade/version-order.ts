/**
 * Orders two release versions as operators read them: numeric parts as numbers, others as text, part by
 * part (`12.10` after `12.9`, `24.04` after `22.04`). Negative when `a` is older.
 */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): string[] => v.split(/[.\-+~_]/).filter(Boolean);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}
