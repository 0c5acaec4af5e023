import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../../hosts/host.js';
import { PRIVATE_MOUNTS, type FleetHost } from './fleet-host.js';
import type { SshFleet } from './ssh-fleet.js';

/** Where a fleet host keeps its two root slots and its boot loader's files. */
export const SLOTS_DIR = `${PRIVATE_MOUNTS.state}/slots`;

/**
 * `abctl`, the test fleet's A/B image tool, on each host's PATH. Two slots (`a`, `b`), each a directory
 * with the release's os-release; the boot loader's files name the `default` slot and a one-shot `next`
 * slot (like grub-reboot: a boot that is never marked good falls back to the default at the next reboot).
 * An image is a tar with `os-release` (and whatever else) at its top.
 */
export const ABCTL = `#!/bin/sh
set -eu
S=${SLOTS_DIR}
booted=$(cat "$S/booted")
if [ "$booted" = a ]; then inactive=b; else inactive=a; fi
case "\${1:-}" in
  status)
    echo "booted=$booted"
    echo "default=$(cat "$S/default")"
    echo "next=$(cat "$S/next" 2>/dev/null || echo none)"
    for s in a b; do
      if [ -f "$S/$s/os-release" ]; then v=$(. "$S/$s/os-release" && echo "\${VERSION_ID:-?}"); else v=empty; fi
      echo "slot.$s=$v"
    done ;;
  install)
    img=\${2:-}
    [ -f "$img" ] || { echo "abctl install: no image file $img" >&2; exit 2; }
    rm -rf "$S/.incoming"; mkdir -p "$S/.incoming"
    if ! tar -xf "$img" -C "$S/.incoming" || [ ! -f "$S/.incoming/os-release" ]; then
      rm -rf "$S/.incoming"; echo "abctl install: $img is not a slot image (a tar with os-release)" >&2; exit 3
    fi
    rm -rf "\${S:?}/$inactive"; mv "$S/.incoming" "$S/$inactive"
    echo "installed into slot $inactive" ;;
  set-next)
    [ -f "$S/$inactive/os-release" ] || { echo "abctl set-next: slot $inactive is empty" >&2; exit 4; }
    echo "$inactive" > "$S/next.tmp" && mv "$S/next.tmp" "$S/next" ;;
  mark-good)
    echo "$booted" > "$S/default.tmp" && mv "$S/default.tmp" "$S/default"; rm -f "$S/next" ;;
  boot-other)
    [ -f "$S/$inactive/os-release" ] || { echo "abctl boot-other: slot $inactive is empty" >&2; exit 4; }
    echo "$inactive" > "$S/default.tmp" && mv "$S/default.tmp" "$S/default"
    echo "$inactive" > "$S/next.tmp" && mv "$S/next.tmp" "$S/next" ;;
  cancel-next)
    rm -f "$S/next"; echo "$booted" > "$S/default.tmp" && mv "$S/default.tmp" "$S/default" ;;
  *)
    echo "usage: abctl status | install <image> | set-next | mark-good | boot-other | cancel-next" >&2; exit 64 ;;
esac
`;

/** The upgrade profile for hosts with `abctl` (docs/os-upgrade.md): what the tests and the demo use. */
export function abSlotProfile(downloadDir: string = `${PRIVATE_MOUNTS.state}/disk`): {
  downloadDir: string;
  commands: Record<string, string>;
} {
  return {
    downloadDir,
    commands: {
      fetch: 'curl -fsS --retry 2 -o {file} -- {url}',
      verify: "printf '%s  %s\\n' {sha256} {file} | sha256sum -c --status -",
      install: 'abctl install {file}',
      setNextBoot: 'abctl set-next',
      currentVersion: '. /etc/os-release && echo "$VERSION_ID"',
      markGood: 'abctl mark-good',
      bootPrevious: 'abctl boot-other',
      cancelNextBoot: 'abctl cancel-next',
      reboot: 'reboot',
    },
  };
}

/**
 * Gives fleet hosts two slots and a boot loader: slot `a` holds the host's current os-release, `abctl`
 * is on its PATH, and at every fleet reboot the booted slot's os-release becomes `/etc/os-release`.
 */
export class FleetSlots {
  private readonly oldSlotHosts = new Set<string>();

  constructor(private readonly fleet: SshFleet) {
    fleet.onBoot((m) => this.boot(m));
  }

  static install(fleet: SshFleet, hosts: readonly (Host | string)[] = fleet.hosts): FleetSlots {
    const slots = new FleetSlots(fleet);
    for (const h of hosts) slots.prepare(h);
    return slots;
  }

  private dir(host: Host | string | FleetHost): string {
    const m = typeof host === 'object' && 'dirs' in host ? host : this.fleet.member(host);
    return join(m.dirs.state, 'slots');
  }

  prepare(host: Host | string): void {
    const m = this.fleet.member(host);
    const dir = this.dir(m);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'a'), { recursive: true });
    writeFileSync(join(dir, 'a', 'os-release'), readFileSync(m.dirs.osRelease));
    writeFileSync(join(dir, 'default'), 'a\n');
    writeFileSync(join(dir, 'booted'), 'a\n');
    this.fleet.install(host, 'abctl', ABCTL);
  }

  /** At its next reboots the host ignores the next-boot choice and boots its default (old) slot. */
  comeBackOnOldSlot(host: Host | string, yes = true): void {
    const name = this.fleet.member(host).name;
    if (yes) this.oldSlotHosts.add(name);
    else this.oldSlotHosts.delete(name);
  }

  /** What the host's boot loader reads: `booted`, `default`, `next` (or null). */
  state(host: Host | string): { booted: string; default: string; next: string | null } {
    const dir = this.dir(host);
    const read = (f: string): string | null =>
      existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim() : null;
    return { booted: read('booted') ?? '?', default: read('default') ?? '?', next: read('next') };
  }

  /** The boot loader: a one-shot `next` slot wins over `default`; the booted slot's os-release is the host's. */
  private boot(m: FleetHost): void {
    const dir = this.dir(m);
    if (!existsSync(join(dir, 'booted'))) return;
    const read = (f: string): string | null =>
      existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim() : null;
    const next = read('next');
    rmSync(join(dir, 'next'), { force: true });
    const slot = next && !this.oldSlotHosts.has(m.name) ? next : (read('default') ?? 'a');
    writeFileSync(join(dir, 'booted'), `${slot}\n`);
    // In place: the host's /etc/os-release is a bind mount of this inode.
    writeFileSync(m.dirs.osRelease, readFileSync(join(dir, slot, 'os-release')));
  }
}
