export { SshFleet, FLEETS_ROOT, type SelfReboot, type SshFleetOptions } from './ssh-fleet.js';
export { FLEET_DISK, FLEET_DISK_MB, FleetHost, PRIVATE_MOUNTS } from './fleet-host.js';
export { debianOsRelease } from './os-release.js';
export { HOOK_BIN_DIR, LEGACY_ONLY_SSHD_ALGORITHMS, MODERN_SSHD_ALGORITHMS } from './sshd-config.js';
export {
  FLEET_SERVICE_DIR,
  FLEET_SERVICE_MANAGER,
  httpServerRunScript,
  installFleetService,
} from './fleet-services.js';
