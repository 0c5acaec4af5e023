import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { AuditEntry } from '../../src/audit/index.js';
import type { RunSnapshot } from '../../src/engine/index.js';
import { HOOK_BIN_DIR } from '../../src/local/fleet/sshd-config.js';
import { MARSHAL_APPROVE } from '../../src/slack/blocks/index.js';
import {
  DEMO_APPROVER,
  DEMO_REQUESTER,
  LOADED,
  TARGET,
  TRACE_LOG,
  type ConfigPushFixture,
} from './config-push-fixture.js';

/**
 * Shared parts of the config-push fault scenarios (test/faults/): real `marshal worker` processes,
 * hosts that trace what Marshal does to them, and the checks every scenario ends with: the run's report
 * equals what the hosts really hold, each host changed exactly once or put back, the audit whole.
 */

/** A copy of the repository's bundles with the rate limiter's reload allowed `reloadTimeoutSeconds`. */
export function bundlesWithReloadTimeout(reloadTimeoutSeconds: number): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'marshal-fault-bundles-'));
  cpSync(resolve('bundles'), dir, { recursive: true });
  const manifest = join(dir, 'rate-limiter', 'bundle.yaml');
  const text = readFileSync(manifest, 'utf8');
  const changed = text.replace(/(reload:\n\s+argv: .*\n\s+timeoutSeconds: )\d+/, `$1${reloadTimeoutSeconds}`);
  if (changed === text)
    throw new Error('the rate limiter manifest no longer has a reload timeout to shorten');
  writeFileSync(manifest, changed);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Logs every rename onto the config file (an install or a restore) in the host's trace log. */
export const MV_TRACE = `#!/bin/sh
echo "mv $*" >> ${TRACE_LOG}
PATH=\${PATH#${HOOK_BIN_DIR}:} exec mv "$@"
`;

/**
 * The reload (a `cp` onto loaded.yaml) takes `seconds` and logs its start and end, as a real gateway's
 * reload takes a while: a fault can land in the middle of it.
 */
export function slowReload(seconds: number): string {
  return `#!/bin/sh
last=""; for a in "$@"; do last="$a"; done
if [ "$last" = ${LOADED} ]; then
  echo "reload-start" >> ${TRACE_LOG}
  sleep ${seconds}
  PATH=\${PATH#${HOOK_BIN_DIR}:} cp "$@" || exit 1
  echo "reload" >> ${TRACE_LOG}
  exit 0
fi
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cp "$@"
`;
}

export const isInstall = (line: string): boolean => /^mv .*marshal-new-/.test(line) && line.endsWith(TARGET);
export const isRestore = (line: string): boolean =>
  /^mv .*marshal-restore-/.test(line) && line.endsWith(TARGET);

/** `marshal worker` as operators run it, in its own process, with a short BullMQ lock. */
export async function startMarshalWorker(
  f: ConfigPushFixture,
  options: { lockDurationMs: number; stalledIntervalMs: number },
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      'bin/marshal.js',
      'worker',
      '--concurrency',
      '16',
      '--lock-duration',
      String(options.lockDurationMs),
      '--stalled-interval',
      String(options.stalledIntervalMs),
    ],
    {
      env: {
        ...process.env,
        REDIS_URL: f.env.redisUrl,
        MARSHAL_CONFIG: f.env.configPath,
        MARSHAL_PREFIX: f.env.prefix,
        // 'info': the worker says it is running at that level.
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve_, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('marshal worker is running')) resolve_();
    });
    child.once('exit', (code) =>
      reject(new Error(`marshal worker exited with ${code} before it ran: ${out}`)),
    );
  });
  // Keep reading its output, so a chatty worker never blocks on a full pipe.
  child.stdout?.resume();
  return child;
}

/** Alice pushes the rate limiter to the web hosts (canary 1, then the rest); Bob approves the canary. */
export async function startApprovedPush(f: ConfigPushFixture, concurrency: number): Promise<string> {
  const reply = await f.sendCommand(
    DEMO_REQUESTER,
    `push rate-limiter to role=web --canary 1 --batches 100% --delay 1s --concurrency ${concurrency}`,
  );
  const runId = reply.runId;
  if (!runId) throw new Error(`the push did not start: ${reply.text}`);
  await f.press(MARSHAL_APPROVE, await f.waitForApprovalCard(runId), DEMO_APPROVER);
  return runId;
}

/** Every traced host: renames logged, reloads as `reload` gives them (or per host, by name). */
export function traceHosts(f: ConfigPushFixture, reload: (host: string) => string): void {
  for (const host of f.hosts) {
    f.env.fleet.install(host, 'mv', MV_TRACE);
    f.env.fleet.install(host, 'cp', reload(host.name));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The end state every fault scenario must reach, host by host:
 * - what the run reports equals what the host holds (its file and what the application serves);
 * - a host reported changed was installed exactly once; a host put back holds its old file again;
 * - hosts the run did not select were not touched;
 * - the workflow's audit has exactly one finished record, nothing of the workflow's after it, and each
 *   host's last record agrees with the run's report. (The engine's own records of run events — locks
 *   released, run finished — follow it in the chain; they are the audit trail's, not the workflow's.)
 */
export function expectFleetAsReported(
  f: ConfigPushFixture,
  run: RunSnapshot,
  chain: AuditEntry[],
  before: Record<string, string | undefined>,
  selected: readonly string[],
): void {
  const audit = chain.filter((e) => e.kind.startsWith('config.'));
  const wanted = f.bundleSha();
  const reached = new Map(run.targets.map((t) => [t.target, t]));
  for (const host of f.hosts.map((h) => h.name)) {
    const t = reached.get(host);
    const calls = f.tracedCalls(host);
    const held = { file: f.hostSha(host), serves: f.hostSha(host, LOADED) };
    if (!selected.includes(host)) {
      expect({ host, ...held, calls }).toEqual({ host, file: before[host], serves: before[host], calls: [] });
      continue;
    }
    if (!t) {
      // Selected but never reached (the rollout halted before its turn): then it must be untouched.
      expect({ host, ...held, calls }).toEqual({ host, file: before[host], serves: before[host], calls: [] });
      continue;
    }
    // Hosts whose restore failed or is unknown are reported so; none of the scenarios may end there.
    expect({ host, restore: t.restore ?? 'none' }).not.toEqual({ host, restore: 'failed' });
    expect({ host, restore: t.restore ?? 'none' }).not.toEqual({ host, restore: 'unknown' });
    const keepsChange = t.ok && t.changed && t.restore === undefined;
    expect({ host, ...held, installs: calls.filter(isInstall).length <= 1 }).toEqual({
      host,
      file: keepsChange ? wanted : before[host],
      serves: keepsChange ? wanted : before[host],
      installs: true,
    });
    if (keepsChange)
      expect({ host, installs: calls.filter(isInstall).length }).toEqual({ host, installs: 1 });
  }
  const finished = audit.filter((e) => e.kind === 'config.push.finished');
  expect(finished).toHaveLength(1);
  expect(
    audit.at(-1)?.kind,
    `records after the run's finished record: ${JSON.stringify(audit.slice(audit.indexOf(finished[0]!) + 1))}`,
  ).toBe('config.push.finished');
  // The finished record lists every host as the run reports it.
  const listed =
    (finished[0]?.data as { hosts?: { host: string; ok: boolean; changed: boolean }[] }).hosts ?? [];
  expect(listed.map((h) => ({ host: h.host, ok: h.ok, changed: h.changed }))).toEqual(
    run.targets.map((t) => ({ host: t.target, ok: t.ok, changed: t.changed })),
  );
  for (const t of run.targets) {
    const own = audit.filter((e) => e.target === t.target);
    const last = own.at(-1);
    // A host found changed on reconciliation (its worker died before auditing) has no record of its own.
    if (t.ok && t.changed && t.restore === undefined)
      expect({ host: t.target, last: last?.kind ?? 'config.host.changed' }).toEqual({
        host: t.target,
        last: 'config.host.changed',
      });
    else if (t.restore === 'restored')
      expect({ host: t.target, last: last?.kind }).toEqual({ host: t.target, last: 'config.host.restored' });
    else if (!t.ok && last)
      expect({
        host: t.target,
        last: last.kind,
        restored: (last.data as { restored?: boolean }).restored,
      }).toEqual({
        host: t.target,
        last: 'config.host.failed',
        restored: true,
      });
  }
}
