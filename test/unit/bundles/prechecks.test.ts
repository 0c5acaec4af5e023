import { describe, expect, it } from 'vitest';
import { UnexpectedHostOutputError } from '../../../src/bundles/errors/unexpected-host-output-error.js';
import { parseDfPortable } from '../../../src/bundles/prechecks/disk-space.js';
import { parseOsRelease } from '../../../src/bundles/prechecks/os-release.js';
import { unmetRequirements, type HostFacts } from '../../../src/bundles/prechecks/requirements.js';
import { compareVersions, leadingVersion } from '../../../src/bundles/prechecks/version.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { thrownBy } from '../../support/refusal.js';

const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
ID=debian
`;
const UBUNTU_2204 = `NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n`;
const DF = `Filesystem     1024-blocks     Used Available Capacity Mounted on
/dev/vda         264212084 24657448  81733464      24% /
`;

function thrown(fn: () => unknown): UnexpectedHostOutputError {
  const err = thrownBy(UnexpectedHostOutputError, fn);
  expect(err.code).toBe(ErrorCode.UnexpectedHostOutput);
  return err;
}

describe('os-release', () => {
  it('reads ID and VERSION_ID, quoted or not', () => {
    expect(parseOsRelease(DEBIAN_12)).toEqual({ id: 'debian', versionId: '12' });
    expect(parseOsRelease(UBUNTU_2204)).toEqual({ id: 'ubuntu', versionId: '22.04' });
    expect(parseOsRelease("ID='alpine'\nVERSION_ID=3.19.1\n# comment\n")).toEqual({
      id: 'alpine',
      versionId: '3.19.1',
    });
  });

  it('accepts a rolling release without VERSION_ID', () => {
    expect(parseOsRelease('ID=arch\n')).toEqual({ id: 'arch', versionId: undefined });
  });

  it('refuses output without an ID line, or that is not os-release at all', () => {
    expect(thrown(() => parseOsRelease('NAME=Debian\n')).message).toContain('it has no ID= line');
    expect(
      thrown(() => parseOsRelease('cat: /etc/os-release: No such file or directory\n', 'web-01')).context,
    ).toMatchObject({
      host: 'web-01',
      probe: '/etc/os-release',
    });
  });
});

describe('versions', () => {
  it('reads the leading dotted numbers of kernel releases', () => {
    expect(leadingVersion('6.1.0-18-amd64')).toEqual([6, 1, 0]);
    expect(leadingVersion('5.15.0-91-generic\n')).toEqual([5, 15, 0]);
    expect(leadingVersion('Linux')).toBeUndefined();
  });

  it('compares numerically, not as text, with missing parts as zero', () => {
    expect(compareVersions([5, 15], [5, 4])).toBe(1);
    expect(compareVersions([6, 1, 0], [5, 15])).toBe(1);
    expect(compareVersions([12], [12, 0])).toBe(0);
    expect(compareVersions([11], [12])).toBe(-1);
  });
});

describe('df -Pk', () => {
  it('reads the free space, how full it is, and the mount point', () => {
    expect(parseDfPortable(DF)).toMatchObject({
      filesystem: '/dev/vda',
      availableKb: 81733464,
      mountedOn: '/',
    });
    expect(parseDfPortable(DF).usedPercent).toBe(Number(/(\d+)%/.exec(DF)![1]));
  });

  it('keeps file system and mount names with spaces', () => {
    const out =
      'Filesystem 1024-blocks Used Available Capacity Mounted on\nmy disk 100 40 60 40% /mnt/my data\n';
    expect(parseDfPortable(out)).toEqual({
      filesystem: 'my disk',
      availableKb: 60,
      usedPercent: 40,
      mountedOn: '/mnt/my data',
    });
  });

  it('refuses non-POSIX output, an error message, or several file systems', () => {
    expect(
      thrown(() =>
        parseDfPortable('Filesystem Size Used Avail Use% Mounted on\n/dev/vda 252G 24G 78G 24% /\n'),
      ).message,
    ).toContain('header');
    expect(
      thrown(() => parseDfPortable('df: /etc/marshal-apps/x: No such file or directory\n')).message,
    ).toContain('header');
    expect(thrown(() => parseDfPortable(`${DF}/dev/vdb 1 1 0 100% /srv\n`)).message).toContain(
      'expected one file system, found 2',
    );
    expect(
      thrown(() => parseDfPortable('Filesystem 1024-blocks Used Available Capacity Mounted on\n')).message,
    ).toContain('no line');
  });
});

describe('requirements', () => {
  const facts: HostFacts = {
    os: { id: 'debian', versionId: '12' },
    kernelRelease: '6.1.0-18-amd64',
    disk: { filesystem: '/dev/vda', availableKb: 200 * 1024, usedPercent: 60, mountedOn: '/' },
  };
  const requirements = {
    os: { id: ['debian'], minVersion: '12' },
    kernel: { minVersion: '5.15' },
    disk: { minFreeMb: 50 },
  };

  it('passes a host that meets every requirement', () => {
    expect(unmetRequirements(requirements, facts)).toEqual([]);
  });

  it('names each shortfall: old OS, old kernel, too little disk', () => {
    const old: HostFacts = {
      os: { id: 'debian', versionId: '11' },
      kernelRelease: '5.10.0-26-amd64',
      disk: { ...facts.disk, availableKb: 10 * 1024 },
    };
    expect(unmetRequirements(requirements, old)).toEqual([
      'debian 11 is older than the required 12',
      'kernel 5.10.0-26-amd64 is older than the required 5.15',
      '10.0 MiB free on /, the push needs 50.0 MiB',
    ]);
  });

  it('refuses an OS the bundle does not support', () => {
    expect(unmetRequirements(requirements, { ...facts, os: { id: 'ubuntu', versionId: '22.04' } })).toEqual([
      'OS is ubuntu, the bundle supports debian',
    ]);
  });

  it('counts the room the push itself needs even without a disk requirement', () => {
    expect(unmetRequirements({}, { ...facts, disk: { ...facts.disk, availableKb: 3 } }, 12)).toEqual([
      '3 KiB free on /, the push needs 12 KiB',
    ]);
  });
});
