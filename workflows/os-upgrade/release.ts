import { ErrorCode, ValidationError, type Json } from '../../src/authoring/index.js';
import {
  OsUpgradeSettings,
  certifiedRelease,
  loadCatalog,
  type CatalogRelease,
} from '../../src/osupgrade/index.js';

/** The workflow's settings from Marshal's config, or a clear refusal naming the fields. */
export function readSettings(settings: unknown): OsUpgradeSettings {
  if (settings === undefined)
    throw new ValidationError(
      "Marshal's config",
      [
        {
          path: 'workflowSettings.os-upgrade',
          message:
            'is missing: give the signed release catalog, its public key and the upgrade profile (docs/os-upgrade.md)',
        },
      ],
      { code: ErrorCode.InvalidConfig },
    );
  const parsed = OsUpgradeSettings.safeParse(settings);
  if (!parsed.success)
    throw ValidationError.fromZod("Marshal's config workflowSettings.os-upgrade", parsed.error, {
      code: ErrorCode.InvalidConfig,
    });
  return parsed.data;
}

/** What validation hands on: the release as the verified catalog says, with its certification. */
export interface ChosenRelease {
  [key: string]: Json;
  name: string;
  version: string;
  url: string;
  sha256: string;
  sizeBytes: number;
  certifiedBy: string;
  certifiedAt: string;
  checks: string[];
}

export async function chooseRelease(
  settings: OsUpgradeSettings,
  configDir: string,
  name: string,
): Promise<ChosenRelease> {
  const catalog = await loadCatalog(settings.catalog, settings.publicKey, configDir);
  const r: CatalogRelease = certifiedRelease(catalog, name, settings.requiredChecks);
  return {
    name: r.name,
    version: r.version,
    url: r.image.url,
    sha256: r.image.sha256,
    sizeBytes: r.image.sizeBytes,
    certifiedBy: r.certification!.by,
    certifiedAt: r.certification!.at,
    checks: r.certification!.checks,
  };
}

/** Where the image is downloaded on a host: one file per release, in the profile's download directory. */
export function imagePath(settings: OsUpgradeSettings, release: ChosenRelease): string {
  return `${settings.profile.downloadDir}/marshal-os-${release.name}.img`;
}
