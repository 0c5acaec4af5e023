import {
  isMarshalError,
  type Host,
  type HostExecutor,
  type Json,
  type TaskContext,
  type WorkflowRecords,
} from '../../src/authoring/index.js';
import {
  FailedBefore,
  failedKey,
  hostFactsCommand,
  parseHostFacts,
  skipReason,
  type OsUpgradeSettings,
} from '../../src/osupgrade/index.js';
import type { OsUpgradeParams } from './params.js';
import type { ChosenRelease } from './release.js';

export interface PrecheckResult {
  [key: string]: Json;
  eligible: string[];
  skipped: { host: string; reason: string }[];
  /** Hosts that failed this release before and are tried again because of --include-failed. */
  includedFailed: string[];
  /** Each eligible host's version before the upgrade. */
  versions: Record<string, string>;
  startedAt: string;
}

async function inParallel<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * Every pre-check of every host, one probe each: reachable, not failed this release before, no critical
 * workload, room for the image, older than the release. A host that fails one is left out with the
 * reason; the run goes on with the rest.
 */
export async function checkHosts(
  deps: { executor: HostExecutor; records: WorkflowRecords },
  ctx: TaskContext<OsUpgradeParams>,
  settings: OsUpgradeSettings,
  release: ChosenRelease,
  hosts: readonly Host[],
  locked: ReadonlyMap<string, string>,
): Promise<PrecheckResult> {
  const probe = hostFactsCommand(settings);
  const results = await inParallel(hosts, Math.max(ctx.params.concurrency, 20), async (host) => {
    const lockedBy = locked.get(host.name);
    if (lockedBy) return { host: host.name, reason: lockedBy };
    let stdout: string;
    try {
      const r = await deps.executor.exec(host, probe.command, {
        signal: ctx.signal,
        stdin: probe.stdin,
        timeoutMs: 30_000,
        maxOutputBytes: 16 * 1024,
      });
      if (r.exitCode !== 0)
        return {
          host: host.name,
          reason: `the pre-check probe failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(0, 200)}`,
        };
      stdout = r.stdout;
    } catch (err) {
      ctx.signal.throwIfAborted();
      return {
        host: host.name,
        reason: `unreachable: ${isMarshalError(err) || err instanceof Error ? err.message : String(err)}`,
      };
    }
    const read = parseHostFacts(stdout);
    if (!read.ok) return { host: host.name, reason: read.problem };
    const remembered = FailedBefore.safeParse(await deps.records.get(failedKey(host.name, release.name)));
    const failedBefore = remembered.success ? remembered.data : undefined;
    const reason = skipReason({
      facts: read.facts,
      target: release,
      failedBefore,
      includeFailed: ctx.params.includeFailed,
      allowDowngrade: ctx.params.allowDowngrade,
    });
    return { host: host.name, reason, version: read.facts.version, failedBefore: failedBefore !== undefined };
  });
  const result: PrecheckResult = {
    eligible: [],
    skipped: [],
    includedFailed: [],
    versions: {},
    startedAt: new Date().toISOString(),
  };
  for (const r of results) {
    if (r.reason) {
      result.skipped.push({ host: r.host, reason: r.reason });
      continue;
    }
    result.eligible.push(r.host);
    if ('version' in r && r.version) result.versions[r.host] = r.version;
    if ('failedBefore' in r && r.failedBefore) result.includedFailed.push(r.host);
  }
  return result;
}

export function formatSkipped(skipped: PrecheckResult['skipped']): string {
  return skipped.map((s) => `• ${s.host}: ${s.reason}`).join('\n');
}
