import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { detached } from '../../src/hosts/blocks/reboot.js';
import { BOOT_ID_COMMAND } from '../../src/hosts/blocks/wait-until-reachable.js';
import type { Host } from '../../src/hosts/host.js';
import { sh } from '../../src/hosts/quote.js';
import { HostKeyPolicy } from '../../src/hosts/ssh/host-key-policy.js';
import {
  hostFactsCommand,
  parseHostFacts,
  profileCommand,
  type OsUpgradeSettings,
  type ProfileCommand,
} from '../../src/osupgrade/index.js';
import { REBOOT_POLL } from '../../workflows/os-upgrade/upgrade-step.js';
import { imagePath, type ChosenRelease } from '../../workflows/os-upgrade/release.js';
import { pool } from '../config-push/bare-ssh.js';
import { BareLink } from './bare-link.js';
import { bareWaitForNewBoot } from './bare-new-boot.js';
import type { HostTimes, Phase } from './host-timeline.js';

/**
 * "bare": ssh2 alone doing the remote work of Marshal's OS upgrade, with the command text built by the
 * same builders (the upgrade profile's commands, hostFactsCommand, the reboot block's detached command):
 *   pre-checks  connect to every host, the one combined probe, its facts parsed (older than the release)
 *   upgrade     every host at the same concurrency, as the upgrade step does it: fetch, sha256 check,
 *               install into the inactive slot, next boot (and the image removed), boot id read, reboot
 *               detached, looks for a new boot id on the step's poll schedule, then the running version
 *               over SSH and the health check (a TCP connect to port 22, from here) at once, mark good
 * One connection per host, opened in the pre-checks and kept (a new one after the reboot), as Marshal's pool
 * keeps it. Left out, being orchestration rather than remote work: the engine, Redis, locks, the approval,
 * checkpoints, audit and history records, the slow-host watch, and the process-group prefix of Marshal's
 * executor.
 */
export interface BareUpgradeResult {
  ms: number;
  passes: { precheck: number; upgrade: number };
  hosts: HostTimes;
}

export interface BareUpgradeInput {
  hosts: readonly Host[];
  privateKeyPath: string;
  knownHostsPath: string;
  settings: OsUpgradeSettings;
  release: ChosenRelease;
  concurrency: number;
}

export async function bareUpgradeRound(input: BareUpgradeInput): Promise<BareUpgradeResult> {
  const key = readFileSync(input.privateKeyPath);
  const hostKeys = new HostKeyPolicy(input.knownHostsPath, false);
  const links = new Map(input.hosts.map((h) => [h.name, new BareLink(h, key, hostKeys)]));
  const hosts: HostTimes = new Map();
  const started = performance.now();
  try {
    const probe = hostFactsCommand(input.settings);
    // Marshal's pre-checks run at max(concurrency, 20).
    await pool(input.hosts, Math.max(input.concurrency, 20), async (host) => {
      const r = await links.get(host.name)!.exec(probe.command.text, { stdin: probe.stdin });
      const facts = parseHostFacts(r.stdout);
      if (r.code !== 0 || !facts.ok) throw new Error(`bare: pre-check probe on ${host.name}: exit ${r.code}`);
      if (facts.facts.version === input.release.version || facts.facts.busy.length > 0)
        throw new Error(`bare: ${host.name} is not eligible (${facts.facts.version})`);
    });
    const precheck = performance.now() - started;
    await pool(input.hosts, input.concurrency, async (host) => {
      const times: Partial<Record<Phase, number>> = {};
      hosts.set(host.name, times);
      await upgradeHost(links.get(host.name)!, input, times);
    });
    const ms = performance.now() - started;
    return { ms, passes: { precheck, upgrade: ms - precheck }, hosts };
  } finally {
    for (const link of links.values()) link.end();
  }
}

async function upgradeHost(
  link: BareLink,
  input: BareUpgradeInput,
  times: Partial<Record<Phase, number>>,
): Promise<void> {
  const { settings, release } = input;
  const stamp = (phase: Phase): void => void (times[phase] = Date.now());
  const command = (name: ProfileCommand, values: Record<string, string> = {}) =>
    profileCommand(settings.profile, name, values);
  const file = imagePath(settings, release);
  stamp('start');
  await link.must(command('fetch', { url: release.url, file }).text, 'fetch');
  await link.must(command('verify', { file, sha256: release.sha256 }).text, 'verify');
  stamp('fetch');
  await link.must(command('install', { file }).text, 'install');
  await link.must(sh`${command('setNextBoot')} && ${sh`{ rm -f -- ${file} || true; }`}`.text, 'next boot');
  stamp('install');

  stamp('reboot');
  const previousBootId = (await link.must(BOOT_ID_COMMAND.text, 'boot id')).trim();
  // The host may drop the session before it reports the detached command's exit: the wait tells.
  await link.exec(detached(command('reboot')).text).catch(() => undefined);
  await bareWaitForNewBoot(link, previousBootId, REBOOT_POLL, settings.rebootTimeoutMs);
  stamp('back');

  const [running] = await Promise.all([
    link.must(command('currentVersion').text, 'version'),
    healthy(link.host, settings),
  ]);
  if (running.trim() !== release.version)
    throw new Error(`bare: ${link.host.name} came back running ${running.trim()}, not ${release.version}`);
  stamp('healthy');
  await link.must(command('markGood').text, 'mark good');
  stamp('done');
}

/** The workflow's health check as the fleet's settings give it (`tcp:22`, one pass), probed from here. */
async function healthy(host: Host, settings: OsUpgradeSettings): Promise<void> {
  if (settings.health === 'none') return;
  const m = /^tcp:(\d+)$/.exec(settings.health);
  if (!m || settings.healthSuccesses !== 1)
    throw new Error(`bare: health ${settings.health} ×${settings.healthSuccesses} is not supported here`);
  const deadline = Date.now() + 2 * 60_000;
  while (!(await tcpConnects(host.address, Number(m[1])))) {
    if (Date.now() > deadline) throw new Error(`bare: ${host.name} failed its health check`);
    await new Promise((r) => setTimeout(r, settings.healthIntervalMs));
  }
}

function tcpConnects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
