import type { BundleRequirements } from '../manifest.js';
import type { DiskSpace } from './disk-space.js';
import type { OsReleaseInfo } from './os-release.js';
import { compareVersions, leadingVersion } from './version.js';

/** What the pre-checks learnt about one host. */
export interface HostFacts {
  os: OsReleaseInfo;
  /** `uname -r`, e.g. `6.1.0-18-amd64`. */
  kernelRelease: string;
  /** Free space where the bundle's file goes. */
  disk: DiskSpace;
}

/**
 * Every way a host falls short of a bundle's requirements, as sentences an operator can act on; empty when
 * it meets them all. `neededKb` adds room for what the push itself writes (a backup and a new copy).
 */
export function unmetRequirements(
  requirements: BundleRequirements,
  facts: HostFacts,
  neededKb = 0,
): string[] {
  const problems: string[] = [];
  const { os, kernel, disk } = requirements;
  if (os) {
    if (!os.id.includes(facts.os.id))
      problems.push(`OS is ${facts.os.id}, the bundle supports ${os.id.join(', ')}`);
    else if (os.minVersion !== undefined) {
      const have = facts.os.versionId === undefined ? undefined : leadingVersion(facts.os.versionId);
      const want = leadingVersion(os.minVersion) ?? [];
      if (!have)
        problems.push(
          `${facts.os.id} reports no numeric VERSION_ID, the bundle needs ${os.minVersion} or later`,
        );
      else if (compareVersions(have, want) < 0)
        problems.push(
          `${facts.os.id} ${facts.os.versionId ?? ''} is older than the required ${os.minVersion}`,
        );
    }
  }
  if (kernel) {
    const have = leadingVersion(facts.kernelRelease);
    const want = leadingVersion(kernel.minVersion) ?? [];
    if (!have) problems.push(`kernel release "${facts.kernelRelease}" does not start with a version number`);
    else if (compareVersions(have, want) < 0)
      problems.push(`kernel ${facts.kernelRelease} is older than the required ${kernel.minVersion}`);
  }
  const minKb = Math.max((disk?.minFreeMb ?? 0) * 1024, neededKb);
  if (facts.disk.availableKb < minKb)
    problems.push(
      `${formatKb(facts.disk.availableKb)} free on ${facts.disk.mountedOn}, the push needs ${formatKb(minKb)}`,
    );
  return problems;
}

function formatKb(kb: number): string {
  return kb >= 1024 * 1024
    ? `${(kb / 1024 / 1024).toFixed(1)} GiB`
    : kb >= 1024
      ? `${(kb / 1024).toFixed(1)} MiB`
      : `${kb} KiB`;
}
