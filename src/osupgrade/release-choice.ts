import { closestMatches } from '../inventory/closest-matches.js';
import { REQUIRED_CHECKS, type Catalog, type CatalogRelease } from './catalog-schema.js';
import { ReleaseRefused } from './errors/release-refused.js';

/** A release Marshal may install: in the catalog, certified with every required check, not revoked. */
export function certifiedRelease(
  catalog: Catalog,
  name: string,
  requiredChecks: readonly string[] = REQUIRED_CHECKS,
): CatalogRelease {
  const release = catalog.releases.find((r) => r.name === name);
  if (!release) {
    const names = catalog.releases.map((r) => r.name);
    const close = closestMatches(name, names);
    throw new ReleaseRefused(
      name,
      `is not in the release catalog; ${close.length ? `closest: ${close.join(', ')}` : `listed: ${names.join(', ') || '(none)'}`}`,
      { listed: names },
    );
  }
  if (release.revoked)
    throw new ReleaseRefused(
      name,
      `was revoked by ${release.revoked.by} at ${release.revoked.at}: ${release.revoked.reason}`,
      { revoked: release.revoked },
    );
  if (!release.certification)
    throw new ReleaseRefused(name, 'is not certified: nobody has signed off its checks', {
      required: requiredChecks,
    });
  const missing = requiredChecks.filter((c) => !release.certification!.checks.includes(c));
  if (missing.length > 0)
    throw new ReleaseRefused(
      name,
      `is not certified for ${missing.join(', ')} (certified by ${release.certification.by} for ${release.certification.checks.join(', ')})`,
      { missing },
    );
  return release;
}
