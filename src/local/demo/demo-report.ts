import { quote } from '../../hosts/quote.js';

/**
 * What the local run prints besides the thread, as pure functions of what it found: the fleet at the
 * end, and (with --keep) how to reach the environment left running.
 */

export interface FleetRow {
  name: string;
  role: string;
  address: string;
  /** The first 12 hex digits of the host's rate-limiter.yaml's sha256, or undefined when it has none. */
  sha: string | undefined;
  /** Whether that file is the bundle's (pushed) rather than the one it had before. */
  pushed: boolean;
}

/** Every host with its role, so hosts the selector left out (role=api) read as left out, not skipped. */
export function fleetTable(rows: readonly FleetRow[], selector: string): string {
  const lines = [`── The fleet now (the push selected ${selector}) ──`];
  lines.push(`  ${'host'.padEnd(10)} ${'role'.padEnd(5)} ${'address'.padEnd(16)} rate-limiter.yaml`);
  for (const r of rows) {
    const file = r.sha
      ? `sha256 ${r.sha}… ${r.pushed ? 'the pushed bundle' : 'as before (not selected)'}`
      : '(none)';
    lines.push(`  ${r.name.padEnd(10)} ${r.role.padEnd(5)} ${r.address.padEnd(16)} ${file}`);
  }
  return lines.join('\n');
}

export interface KeptEnvironment {
  redisUrl: string;
  configPath: string;
  prefix: string;
  consoleUrl: string | undefined;
  /** The command that runs Marshal (absolute, so it works from any directory). */
  marshal: string;
  /** Set when the demo runs Marshal's sources (MARSHAL_FROM_SOURCES=1): the other terminal should too. */
  fromSources: boolean;
  pid: number;
}

/** The exact lines to reach the running environment from another terminal, and how to stop it. */
export function keepInstructions(k: KeptEnvironment): string {
  return [
    '── The local run stays up (--keep) ──',
    'In another terminal, as this user:',
    `  export REDIS_URL=${quote(k.redisUrl)}`,
    `  export MARSHAL_CONFIG=${quote(k.configPath)}`,
    `  export MARSHAL_PREFIX=${quote(k.prefix)}`,
    ...(k.fromSources ? ['  export MARSHAL_FROM_SOURCES=1'] : []),
    `  ${k.marshal} status`,
    `  ${k.marshal} run config-push rate-limiter to role=api --canary 1 --batches 100%`,
    '(the terminal acts as alice; approve as bob in the console)',
    ...(k.consoleUrl ? [`Console: ${k.consoleUrl}/`] : []),
    `Stop it: Ctrl-C here, or kill ${k.pid} (everything it started is stopped and its files removed).`,
  ].join('\n');
}
