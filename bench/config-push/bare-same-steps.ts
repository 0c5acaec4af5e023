import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Client } from 'ssh2';
import type { Bundle } from '../../src/bundles/bundle.js';
import { parseDfPortable } from '../../src/bundles/prechecks/disk-space.js';
import { parseOsRelease } from '../../src/bundles/prechecks/os-release.js';
import { unmetRequirements } from '../../src/bundles/prechecks/requirements.js';
import {
  backupCommand,
  bundleCommand,
  fileContentCommand,
  fileStateCommand,
  hostFactsCommand,
  installCommand,
  parseFileContent,
  parseFileState,
  removeCommand,
  splitHostFacts,
} from '../../src/bundles/remote-commands.js';
import { sidePaths } from '../../src/bundles/target-path.js';
import type { Host } from '../../src/hosts/host.js';
import { HostKeyPolicy } from '../../src/hosts/ssh/host-key-policy.js';
import { uploadAtomic } from '../../src/hosts/ssh/sftp-transfer.js';
import type { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { bareConnect, bareExec, bareMust, bareSftp, median, pool } from './bare-ssh.js';

/**
 * "bare (same steps)": ssh2 alone doing the remote work Marshal's config-push workflow does, pass by pass,
 * with the command text built by the same builders (src/bundles/remote-commands.ts):
 *   pre-checks  connect to every host, one combined probe (hostFactsCommand), parse it, check requirements
 *   canary      the first host's install step
 *   batch       the rest at the same concurrency
 *   cleanup     rm of the staged, restore and backup side files on every host
 * Install step, as RemoteConfigFile runs it: read (checksum + text), backup, atomic SFTP upload of the
 * staged copy (uploadAtomic: temp file, fsync, chmod, rename), the bundle's check on it, mv, sha256sum,
 * reload, health. One connection per host, opened in the pre-checks and kept to the end, as Marshal's pool
 * keeps it. Left out, being orchestration rather than remote work: the engine, Redis, the approval gate,
 * audit records, and the `echo PGID$$ >&2;` prefix Marshal's executor puts before each command.
 */
export interface SameStepsResult {
  ms: number;
  phases: { precheck: number; canary: number; batch: number; cleanup: number };
  /** Median install step of one host in the batch, on an open connection (Marshal's hostStepMs). */
  hostStepMs: number;
}

export async function bareSameStepsRound(
  env: DemoEnvironment,
  bundle: Bundle,
  concurrency: number,
): Promise<SameStepsResult> {
  const key = readFileSync(env.fleet.privateKeyPath);
  const hostKeys = new HostKeyPolicy(env.fleet.knownHostsPath, false);
  const hosts = env.fleet.hosts;
  const target = bundle.manifest.file.target;
  const paths = sidePaths(target, `bare-${randomUUID()}`);
  const clients = new Map<string, Client>();
  // Marshal's pre-checks and cleanup run at max(concurrency, 10).
  const passConcurrency = Math.max(concurrency, 10);
  const neededKb = Math.ceil((2 * Buffer.byteLength(bundle.content)) / 1024);
  const started = performance.now();
  let mark = started;
  const lap = (): number => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  try {
    await pool(hosts, passConcurrency, async (host) => {
      const client = await bareConnect(host, key, hostKeys);
      clients.set(host.name, client);
      const out = await bareMust(client, host, hostFactsCommand(target).text, 'host probes');
      const facts = splitHostFacts(out);
      if (!facts) throw new Error(`bare: host probes on ${host.name} printed something else`);
      const problems = unmetRequirements(
        bundle.manifest.requirements,
        {
          kernelRelease: facts.kernelRelease,
          os: parseOsRelease(facts.osRelease, host.name),
          disk: parseDfPortable(facts.df, host.name),
        },
        neededKb,
      );
      if (problems.length > 0) throw new Error(`bare: ${host.name}: ${problems.join('; ')}`);
    });
    const precheck = lap();

    const install = (host: Host): Promise<void> => installStep(clients.get(host.name)!, host, bundle, paths);
    await install(hosts[0]!);
    const canary = lap();
    const perHost: number[] = [];
    await pool(hosts.slice(1), concurrency, async (host) => {
      const t = performance.now();
      await install(host);
      perHost.push(performance.now() - t);
    });
    const batch = lap();

    await pool(hosts, passConcurrency, async (host) => {
      await bareMust(
        clients.get(host.name)!,
        host,
        removeCommand([paths.candidate, paths.restore, paths.backup]).text,
        'cleanup',
      );
    });
    const cleanup = lap();
    return {
      ms: performance.now() - started,
      phases: { precheck, canary, batch, cleanup },
      hostStepMs: median(perHost),
    };
  } finally {
    for (const client of clients.values()) client.end();
  }
}

async function installStep(
  client: Client,
  host: Host,
  bundle: Bundle,
  paths: ReturnType<typeof sidePaths>,
): Promise<void> {
  const { target, mode } = bundle.manifest.file;
  const { commands } = bundle.manifest;
  const must = (text: string, what: string): Promise<string> => bareMust(client, host, text, what);
  const read = parseFileContent(await must(fileContentCommand(target).text, 'read'));
  if (!read) throw new Error(`bare: read of ${target} on ${host.name} printed something else`);
  if (read.state.exists) await must(backupCommand(target, paths.backup).text, 'backup');
  const sftp = await bareSftp(client);
  try {
    await uploadAtomic(sftp, { path: paths.candidate, content: bundle.content, mode }, {});
  } finally {
    sftp.end();
  }
  if (commands.check) await must(bundleCommand(commands.check, paths.candidate).text, 'check');
  await must(installCommand(paths.candidate, target).text, 'mv');
  const state = parseFileState(await must(fileStateCommand(target).text, 'sha256sum'));
  if (!state?.exists || state.sha256 !== bundle.sha256) throw new Error(`bare: checksum on ${host.name}`);
  await must(bundleCommand(commands.reload, target).text, 'reload');
  if (commands.health) {
    // Same retry rule as Marshal's health check; on the test fleet the first try passes.
    for (let attempt = 1; ; attempt++) {
      if ((await bareExec(client, bundleCommand(commands.health, target).text)).code === 0) break;
      if (attempt >= commands.health.attempts) throw new Error(`bare: health on ${host.name}`);
      await new Promise((r) => setTimeout(r, commands.health!.intervalSeconds * 1000));
    }
  }
}
