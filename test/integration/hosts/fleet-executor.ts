import { silentLogger } from '../../../src/log/index.js';
import { SshExecutor, type SshExecutorSettingsInput } from '../../../src/hosts/ssh/index.js';
import type { SshFleet } from '../../../src/local/fleet/index.js';

/** An executor wired to a fleet's key and known_hosts. */
export function executorFor(fleet: SshFleet, settings: Partial<SshExecutorSettingsInput> = {}): SshExecutor {
  const byName = new Map(fleet.hosts.map((h) => [h.name, h]));
  return new SshExecutor(
    { knownHostsPath: fleet.knownHostsPath, privateKeyPath: fleet.privateKeyPath, ...settings },
    { logger: silentLogger(), resolveHost: (name) => byName.get(name) },
  );
}
