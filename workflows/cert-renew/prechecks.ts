import { posix } from 'node:path';
import {
  ErrorCode,
  MarshalError,
  settleInParallel,
  sh,
  type Host,
  type MarshalDeps,
} from '../../src/authoring/index.js';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import { RemotePair } from './remote-pair.js';
import type { DeployedFileSpec, RenewalPlan } from './renewal-plan.js';
import { probeHost } from './served.js';

/** Room for the staged pair, this run's backup and a restore copy: far more than certificates need. */
const MIN_FREE_KB = 1024;

/** What a host served when the pre-checks read it. */
export interface ServedBefore {
  fingerprintSha256: string;
  notAfter: string;
}

/**
 * Every host, before any is changed: reachable; free disk where the files go; each target directory
 * exists, is a directory, and is writable by no one but its owner; the current certificate and key are
 * there; the service's config test passes on the live files and, when the new files are known (not a
 * dry run), with them staged in place of the live ones (a reload that would take the service down is
 * caught here, before any host changes; the staged copies are removed again); the service serves a
 * certificate over TLS now. Then (not in a dry run) the current pair is backed up beside itself. Every
 * shortfall of every host is listed at once.
 */
export async function checkHosts(
  deps: Pick<MarshalDeps, 'blocks' | 'executor'>,
  certs: CertificateServices,
  plan: RenewalPlan,
  hosts: readonly Host[],
  options: {
    runId: string;
    dryRun: boolean;
    concurrency: number;
    signal: AbortSignal;
    /** The new files, to run the config test with them staged; absent in a dry run. */
    newFiles?: readonly { spec: DeployedFileSpec; content: string }[];
  },
): Promise<Record<string, ServedBefore>> {
  const ctx = { signal: options.signal };
  const results = await settleInParallel(hosts, options.concurrency, async (host) => {
    const problems: string[] = [];
    const dirs = [...new Set(plan.files.map((f) => posix.dirname(f.path)))];
    for (const dir of dirs) {
      const r = await deps.blocks.run(host, sh`stat -c '%F|%U|%a' -- ${dir}`, ctx, {
        what: `inspect ${dir}`,
        okExitCodes: [0, 1],
        timeoutMs: 20_000,
      });
      if (r.exitCode !== 0) {
        problems.push(`${dir} does not exist`);
        continue;
      }
      const [type = '', owner = '', mode = ''] = r.stdout.trim().split('|');
      if (type !== 'directory') problems.push(`${dir} is a ${type}, not a directory`);
      else if ((parseInt(mode, 8) & 0o022) !== 0)
        problems.push(`${dir} is writable by its group or others (mode ${mode}, owner ${owner})`);
      else {
        const disk = await deps.blocks.diskUsage(host, dir, ctx);
        if (disk.availableKb < MIN_FREE_KB)
          problems.push(`${disk.mountedOn} has ${disk.availableKb} KiB free; at least ${MIN_FREE_KB} needed`);
      }
    }
    const pair = new RemotePair(deps.blocks, deps.executor, host, plan, options.runId, options.signal);
    const live = await pair.liveShas();
    for (const f of plan.files)
      if (live[f.role] === null) problems.push(`${f.path} (the current ${f.role}) is missing`);
    const test = await pair.test();
    if (!test.ok) problems.push(`\`${plan.test.argv.join(' ')}\` fails now: ${test.output}`);
    else if (options.newFiles && problems.length === 0) {
      await pair.stage(options.newFiles);
      try {
        const staged = await pair.testStaged();
        if (!staged.ok)
          problems.push(
            `\`${plan.test.argv.join(' ')}\` fails with the new certificate staged: ${staged.output}`,
          );
      } finally {
        await pair.removeStaged();
      }
    }
    let served: ServedBefore | undefined;
    try {
      const s = await probeHost(certs, host, plan, options.signal);
      served = { fingerprintSha256: s.fingerprintSha256, notAfter: s.notAfter };
    } catch (err) {
      problems.push(`serves no certificate on port ${plan.port}: ${(err as Error).message}`);
    }
    if (problems.length === 0 && !options.dryRun) await pair.backUp();
    return { problems, served };
  });
  const failures: { host: string; problems: string[] }[] = [];
  const served: Record<string, ServedBefore> = {};
  results.forEach((result, i) => {
    const host = hosts[i]!.name;
    if (result.status === 'rejected')
      failures.push({
        host,
        problems: [result.reason instanceof Error ? result.reason.message : String(result.reason)],
      });
    else if (result.value.problems.length > 0) failures.push({ host, problems: result.value.problems });
    else if (result.value.served) served[host] = result.value.served;
  });
  if (failures.length > 0) {
    const shown = failures.slice(0, 5).map((f) => `${f.host}: ${f.problems.join('; ')}`);
    const more = failures.length > 5 ? `; and ${failures.length - 5} more host(s)` : '';
    throw new MarshalError(
      ErrorCode.PrecheckFailed,
      `Certificate "${plan.certificate}": pre-checks failed on ${failures.length} host(s), none was changed: ${shown.join(' | ')}${more}`,
      { retryable: false, context: { certificate: plan.certificate, failures } },
    );
  }
  return served;
}
