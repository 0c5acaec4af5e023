import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  ErrorCode,
  MarshalError,
  isMarshalError,
  type HostStep,
  type HostStepContext,
  type MarshalDeps,
} from '../../src/authoring/index.js';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import { RemotePair } from './remote-pair.js';
import { fileContents, keyPurpose, type NewCertificate, type RenewalPlan } from './renewal-plan.js';
import { probeHost, short, waitUntilServed } from './served.js';
import type { CertRenewParams } from './params.js';

/** What the run knows when a host's step runs: the plan, the new certificate, what each host served before. */
export interface StepInputs {
  plan: RenewalPlan;
  cert: NewCertificate | undefined;
  /** Host → fingerprint it served at the pre-checks (the certificate a rollback must bring back). */
  before: Record<string, string>;
}

/** What `apply` hands to `rollback`: the fingerprint to bring back and the one put in. */
const Applied = z.object({ previous: z.string(), current: z.string() });

/**
 * Recorded before the swap: a takeover after a crash knows the old certificate's fingerprint (for
 * rollback) and that this run's backup is on the host. (`reloading` was also written before the reload by
 * earlier versions; it is still read.)
 */
const SwapCheckpoint = z.object({ phase: z.enum(['swapping', 'reloading']), previous: z.string() });

type Ctx = HostStepContext<CertRenewParams>;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * One host's renewal: stage the new pair beside the old, run the service's config test with the staged
 * files in place of the live ones (`RemotePair.testStaged`), swap them in (one rename per file), reload,
 * and check over TLS from Marshal that the host serves the new fingerprint. A failed staged test fails the
 * host with nothing swapped. A failure after the swap (the reload, or the served fingerprint) puts this
 * run's backup back, reloads, and checks the old fingerprint is served again before the error goes up.
 */
export function createSwapStep(
  deps: Pick<MarshalDeps, 'blocks' | 'executor' | 'audit' | 'clock'>,
  certs: () => CertificateServices,
  inputs: (ctx: Ctx) => StepInputs,
): HostStep<CertRenewParams> {
  const now = (): string => deps.clock().toISOString();
  const open = (ctx: Ctx) => {
    const { plan, cert, before } = inputs(ctx);
    const pair = new RemotePair(deps.blocks, deps.executor, ctx.host, plan, ctx.runId, ctx.signal);
    return { plan, cert, before, pair };
  };
  const required = (cert: NewCertificate | undefined): NewCertificate => {
    if (!cert) throw new Error('the rollout ran without the validated certificate');
    return cert;
  };
  const audit = (ctx: Ctx, kind: string, data: Record<string, unknown>): Promise<void> =>
    ctx.fenced(() =>
      deps.audit.append({
        runId: ctx.runId,
        at: now(),
        kind,
        actor: 'marshal',
        target: ctx.target,
        data: data,
      }),
    );

  /** Back to the pair the pre-checks saved: restored, reloaded, the old fingerprint served. */
  const restore = async (ctx: Ctx, pair: RemotePair, plan: RenewalPlan, previous: string): Promise<void> => {
    const backup = await pair.backupShas();
    const missing = plan.files.filter((f) => backup[f.role] === null).map((f) => pair.backup(f));
    if (missing.length > 0)
      throw new MarshalError(
        ErrorCode.PrecheckFailed,
        `${ctx.target}: this run's backup is missing (${missing.join(', ')}): restore the previous pair by hand`,
        { context: { host: ctx.target } },
      );
    const live = await pair.liveShas();
    if (plan.files.some((f) => live[f.role] !== backup[f.role])) await pair.restore();
    await pair.reload();
    await waitUntilServed(certs(), ctx.host, plan, previous, ctx.signal);
  };

  return {
    name: 'swap certificate',
    timeoutMs: 5 * 60_000,

    // Read-only: checksums of the live files, and what the host serves.
    async check(ctx) {
      const { plan, cert, pair } = open(ctx);
      const c = required(cert);
      const keyPem = certs().open(c.sealedKey, keyPurpose(plan.certificate, ctx.runId));
      const live = await pair.liveShas();
      const inPlace = fileContents(plan, c, keyPem).every((f) => live[f.spec.role] === sha256(f.content));
      if (!inPlace) return 'not_applied';
      const served = await probeHost(certs(), ctx.host, plan, ctx.signal).catch(() => undefined);
      return served?.fingerprintSha256 === c.fingerprintSha256 ? 'applied' : 'not_applied';
    },

    async plan(ctx) {
      const { plan, cert } = open(ctx);
      const served = await probeHost(certs(), ctx.host, plan, ctx.signal);
      const next = cert
        ? `${short(cert.fingerprintSha256)} (notAfter ${cert.notAfter})`
        : 'a certificate issued at run time by the ACME CA';
      return `serves ${short(served.fingerprintSha256)} (notAfter ${served.notAfter}); would get ${next} at ${plan.files.map((f) => f.path).join(', ')}, then \`${plan.test.argv.join(' ')}\` and \`${plan.reload.argv.join(' ')}\``;
    },

    async apply(ctx) {
      const { plan, cert, before, pair } = open(ctx);
      const c = required(cert);
      const previous = before[ctx.target];
      if (!previous) throw new Error(`${ctx.target} has no served certificate recorded by the pre-checks`);
      const keyPem = certs().open(c.sealedKey, keyPurpose(plan.certificate, ctx.runId));
      const files = fileContents(plan, c, keyPem);
      const live = await pair.liveShas();
      const inPlace = files.every((f) => live[f.spec.role] === sha256(f.content));
      if (!inPlace) {
        // The config test reads the staged files before anything live changes: a pair the service
        // would refuse at its reload fails this host here, with nothing swapped and nothing to restore.
        await pair.stage(files);
        const test = await pair.testStaged();
        if (!test.ok) {
          await pair.removeStaged().catch(() => undefined);
          await audit(ctx, 'cert.host.failed', {
            certificate: plan.certificate,
            fingerprintSha256: c.fingerprintSha256,
            previousFingerprintSha256: previous,
            swapped: false,
            restored: true,
            error: `config test with the staged files failed: ${test.output}`,
          });
          throw new MarshalError(
            ErrorCode.ConfigCheckFailed,
            `${ctx.target}: \`${plan.test.argv.join(' ')}\` fails with the new certificate staged (nothing was swapped): ${test.output}`,
            { context: { host: ctx.target } },
          );
        }
        await ctx.checkpoint({ phase: 'swapping', previous });
        await pair.swap();
      } else {
        // This run swapped them (after their staged test passed) on a worker that died before the
        // reload: finish, never swap twice.
        ctx.log.warn({ host: ctx.target }, 'new certificate found in place: finishing reload and check');
      }
      try {
        if (inPlace) {
          // The staged test passed before that swap; the live test guards the reload all the same.
          const test = await pair.test();
          if (!test.ok)
            throw new MarshalError(
              ErrorCode.ConfigCheckFailed,
              `${ctx.target}: \`${plan.test.argv.join(' ')}\` fails with the new certificate: ${test.output}`,
              { context: { host: ctx.target } },
            );
        }
        // No second checkpoint before the reload: a reload may repeat, and the one before the swap
        // already tells a takeover and the rollback everything they use (the fingerprint to bring back).
        await pair.reload();
        await waitUntilServed(certs(), ctx.host, plan, c.fingerprintSha256, ctx.signal);
      } catch (err) {
        let restored = false;
        try {
          await restore(ctx, pair, plan, previous);
          restored = true;
        } catch (restoreErr) {
          ctx.log.error(
            { host: ctx.target, err: restoreErr instanceof Error ? restoreErr.message : String(restoreErr) },
            'restoring the previous certificate after a failed swap also failed',
          );
        }
        // Put back: nothing left for the rollout's rollback. Not put back: the checkpoint stays, so it tries.
        if (restored) await ctx.checkpoint(null);
        await audit(ctx, 'cert.host.failed', {
          certificate: plan.certificate,
          fingerprintSha256: c.fingerprintSha256,
          previousFingerprintSha256: previous,
          swapped: true,
          restored,
          error: isMarshalError(err) ? err.message : String(err),
        });
        throw err;
      }
      await audit(ctx, 'cert.host.deployed', {
        certificate: plan.certificate,
        fingerprintSha256: c.fingerprintSha256,
        serial: c.serial,
        notAfter: c.notAfter,
        previousFingerprintSha256: previous,
        served: true,
        stage: ctx.stage.kind,
      });
      return {
        changed: true,
        summary: `serves ${short(c.fingerprintSha256)} (was ${short(previous)})`,
        data: { previous, current: c.fingerprintSha256 },
      };
    },

    // May repeat: restores only files that differ from the backup, then reloads and checks either way.
    async rollback(ctx, applied, checkpoint) {
      const { plan, before, pair } = open(ctx);
      const fromApply = Applied.safeParse(applied);
      const fromCheckpoint = SwapCheckpoint.safeParse(checkpoint);
      const previous = fromApply.success
        ? fromApply.data.previous
        : fromCheckpoint.success
          ? fromCheckpoint.data.previous
          : before[ctx.target];
      if (!previous) throw new Error(`${ctx.target}: no record of the certificate it served before`);
      await restore(ctx, pair, plan, previous);
      await audit(ctx, 'cert.host.restored', {
        certificate: plan.certificate,
        fingerprintSha256: previous,
        served: true,
      });
    },
  };
}
