import type { Bundle } from '../../src/bundles/bundle.js';
import { PrecheckFailedError } from '../../src/bundles/errors/precheck-failed-error.js';
import { parseDfPortable } from '../../src/bundles/prechecks/disk-space.js';
import { parseOsRelease } from '../../src/bundles/prechecks/os-release.js';
import { unmetRequirements, type HostFacts } from '../../src/bundles/prechecks/requirements.js';
import { HOST_FACT_PROBES, hostFactsCommand, splitHostFacts } from '../../src/bundles/remote-commands.js';
import {
  ErrorCode,
  settleInParallel,
  ValidationError,
  type HostExecutor,
  type Host,
} from '../../src/authoring/index.js';
import type { HostDirectory } from './deps.js';

/** The selector's hosts, by name. Fails closed: a selector that matches nothing stops the run. */
export function resolveTargets(inventory: HostDirectory, selector: string): string[] {
  const names = [...new Set(inventory.select(selector).map((h) => h.name))];
  if (names.length === 0)
    throw new ValidationError(
      'Config push',
      [{ path: 'selector', message: `"${selector}" matches no host in the inventory` }],
      { code: ErrorCode.NoHostsMatched },
    );
  return names;
}

/** Each host answers the probes and meets the bundle's requirements; otherwise every shortfall is listed. */
export async function checkHosts(
  executor: HostExecutor,
  hosts: readonly Host[],
  bundle: Bundle,
  options: { concurrency: number; signal: AbortSignal },
): Promise<{ host: string; facts: HostFacts }[]> {
  // Room for the backup and the staged copy, in KiB, beyond what the manifest asks for.
  const neededKb = Math.ceil((2 * Buffer.byteLength(bundle.content)) / 1024);
  const results = await settleInParallel(hosts, options.concurrency, async (host) => {
    const facts = await probe(executor, host, bundle.manifest.file.target, options.signal);
    return {
      host: host.name,
      facts,
      problems: unmetRequirements(bundle.manifest.requirements, facts, neededKb),
    };
  });
  const failures: { host: string; problems: string[] }[] = [];
  const passed: { host: string; facts: HostFacts }[] = [];
  results.forEach((result, i) => {
    const host = hosts[i]?.name ?? '?';
    if (result.status === 'rejected') failures.push({ host, problems: [errorText(result.reason)] });
    else if (result.value.problems.length > 0) failures.push({ host, problems: result.value.problems });
    else passed.push({ host, facts: result.value.facts });
  });
  if (failures.length > 0) throw new PrecheckFailedError(failures, { bundle: bundle.manifest.name });
  return passed;
}

async function probe(
  executor: HostExecutor,
  host: Host,
  target: string,
  signal: AbortSignal,
): Promise<HostFacts> {
  // One round trip for the three probes: it doubles as the reachability check, so an unreachable host
  // fails here with its reason.
  const result = await executor.exec(host, hostFactsCommand(target), {
    signal,
    timeoutMs: 20_000,
    maxOutputBytes: 16 * 1024,
  });
  const probe = result.exitCode === null ? undefined : HOST_FACT_PROBES[result.exitCode];
  if (result.exitCode !== 0)
    throw new Error(
      `${probe ?? 'probing the host'} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().slice(0, 200)}`,
    );
  const facts = splitHostFacts(result.stdout);
  if (!facts) throw new Error('the host probes printed something else than kernel, os-release and df');
  const kernelRelease = facts.kernelRelease;
  const os = parseOsRelease(facts.osRelease, host.name);
  const disk = parseDfPortable(facts.df, host.name);
  return { kernelRelease, os, disk };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
