import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../../hosts/host.js';
import { quote } from '../../hosts/quote.js';
import { BOOT_SCRIPT, PRIVATE_MOUNTS } from './fleet-host.js';
import type { SshFleet } from './ssh-fleet.js';

/**
 * Services on fleet hosts, supervised by runit (fleet hosts have no systemd): `runsvdir` starts at each
 * boot from the host's rc.local and runs every service under FLEET_SERVICE_DIR; `sv` controls them over
 * SSH (ServiceManager `{ kind: 'runit', serviceDir: FLEET_SERVICE_DIR }`).
 */
export const FLEET_SERVICE_DIR = `${PRIVATE_MOUNTS.state}/service`;

export const FLEET_SERVICE_MANAGER = { kind: 'runit', serviceDir: FLEET_SERVICE_DIR } as const;

const RC_LOCAL = `#!/bin/sh
# Fleet host boot: supervise the services (runit), as init would.
exec runsvdir -P ${FLEET_SERVICE_DIR}
`;

/**
 * Puts a runit service on a host (`<FLEET_SERVICE_DIR>/<name>/run`) and runsvdir in its rc.local. The
 * service runs from the host's next boot on: call `fleet.reboot(host)` (or let a workflow reboot it).
 */
export function installFleetService(
  fleet: SshFleet,
  host: Host | string,
  name: string,
  runScript: string,
): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`service name ${name}: letters, digits, _ . - only`);
  const state = fleet.localPath(host, PRIVATE_MOUNTS.state);
  const dir = join(state, 'service', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run'), runScript, { mode: 0o755 });
  writeFileSync(join(state, BOOT_SCRIPT), RC_LOCAL);
  chmodSync(join(state, BOOT_SCRIPT), 0o755);
}

/**
 * A runit run script for an HTTP server (Python's http.server) on the host's own address, serving `dir`
 * (a path on the host). Every request is logged on the host in `<dir>/../access.log`.
 */
export function httpServerRunScript(address: string, port: number, dir: string): string {
  return `#!/bin/sh
mkdir -p ${quote(dir)}
exec python3 -m http.server --bind ${quote(address)} --directory ${quote(dir)} ${port} >>${quote(`${dir}/../access.log`)} 2>&1
`;
}
