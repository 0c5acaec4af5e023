/**
 * TLS certificate renewal: `/cert renew <cert>` (or `/marshal run cert-renew …`, `marshal run cert-renew …`).
 *
 * Inputs   a certificate declared in the certificates directory (docs/certificates.md), and the shared
 *          rollout flags (canary default 2, taken from hosts whose inventory var `criticality` is `low`).
 * Phases   validation   load the definition, resolve its hosts (low criticality first); issue the new
 *                       certificate through ACME (or read the provided files) and check it against every
 *                       rule and the trust store. Any failure ends the run here; no host is touched.
 *          pre-checks   lock every host; each is reachable, has disk, its target directories are sound,
 *                       the current pair is there, the config test passes, it serves TLS now; the current
 *                       pair is backed up beside itself
 *          execution    canary → approval (new fingerprint, notAfter, SANs, what the canary serves) →
 *                       batches; per host: stage, swap, config test, reload, TLS check of the fingerprint
 *          audit        fingerprint, serial, issuer, notAfter; hosts that got and serve it, failures, who
 *                       asked and approved
 *          notify       on failure the certificate's owners (Slack) and the certificate team (email)
 *          cleanup      staged files go; after success the replaced pair stays for `keepPrevious`, older
 *                       ones go; after a failure the backups stay on hosts that may need them; the
 *                       record of which certificate is where (cert-renew/placement.ts) is updated
 * Rollback a host that fails puts its own backup back before failing; if the rollout fails, every host it
 *          changed gets the previous pair back, reloads and is checked to serve the old fingerprint.
 */
import {
  defineWorkflowModule,
  ErrorCode,
  rolloutStrategy,
  settleInParallel,
  ValidationError,
  type Json,
  type MarshalDeps,
  type TaskContext,
  type TaskHandle,
  type WorkflowBody,
} from '../src/authoring/index.js';
import type { CertificateServices } from '../src/certificates/certificate-services.js';
import { obtainCertificate } from './cert-renew/new-certificate.js';
import { CertificateWord, CertRenewParams } from './cert-renew/params.js';
import { placementAfterRun, placementKey } from './cert-renew/placement.js';
import { checkHosts, type ServedBefore } from './cert-renew/prechecks.js';
import { RemotePair } from './cert-renew/remote-pair.js';
import { fileContents, keyPurpose, NewCertificate, planOf, RenewalPlan } from './cert-renew/renewal-plan.js';
import { probeHost, short } from './cert-renew/served.js';
import { createSwapStep } from './cert-renew/swap-step.js';
import { certificateServices } from './cert-renew/services.js';

export { CertRenewParams } from './cert-renew/params.js';

const ROLLOUT = 'execution';
const APPROVAL_TIMEOUT_MS = 30 * 60_000;

type Ctx = TaskContext<CertRenewParams>;

export default defineWorkflowModule({
  name: 'cert-renew',
  summary: 'Renew a TLS certificate and deploy it: canary, approval, batches; rolls back on failure',
  params: CertRenewParams,
  syntax: {
    positionals: [
      {
        name: 'certificate',
        help: 'a certificate declared in the certificates directory, e.g. www-example',
        word: CertificateWord,
      },
    ],
    rollout: true,
  },
  slashCommand: {
    command: '/cert',
    subcommand: 'renew',
    description: 'Renew a TLS certificate, canary first',
  },
  workflow: (deps) => createCertRenew(deps),
});

export function createCertRenew(deps: MarshalDeps): WorkflowBody<CertRenewParams> {
  const certs = (): CertificateServices => certificateServices(deps);
  let planTask: TaskHandle<Json> | undefined;
  let certTask: TaskHandle<Json> | undefined;
  let hostsTask: TaskHandle<Json> | undefined;

  const planOfRun = (ctx: Ctx): RenewalPlan | undefined => {
    const parsed = RenewalPlan.safeParse(planTask && ctx.output(planTask));
    return parsed.success ? parsed.data : undefined;
  };
  const plan = (ctx: Ctx): RenewalPlan => {
    const p = planOfRun(ctx);
    if (!p) throw new Error(`task ${ctx.taskId} ran without the certificate's validation`);
    return p;
  };
  const newCert = (ctx: Ctx): NewCertificate | undefined => {
    const parsed = NewCertificate.safeParse(certTask && ctx.output(certTask));
    return parsed.success ? parsed.data : undefined;
  };
  const before = (ctx: Ctx): Record<string, string> => {
    const served = (hostsTask && ctx.output(hostsTask)) as Record<string, ServedBefore> | undefined;
    return Object.fromEntries(Object.entries(served ?? {}).map(([h, s]) => [h, s.fingerprintSha256]));
  };

  return {
    // Two renewals of one certificate at once would race on the same files.
    locks: (params) => [`certificate:${params.certificate}`],
    auditKind: 'cert.renew',

    tasks(wf) {
      const validation = wf.group('validation', (g) => {
        planTask = g.task(
          'definition',
          async (ctx) => {
            const definition = await certs().store.load(ctx.params.certificate);
            const hosts = deps.inventory.select(definition.deploy.hosts);
            const low = hosts.filter((h) => h.vars.criticality === 'low').map((h) => h.name);
            const ordered = [...low, ...hosts.map((h) => h.name).filter((n) => !low.includes(n))];
            const canary = ctx.params.canary;
            const wanted = typeof canary === 'number' ? canary : canary === '0%' ? 0 : 1;
            if (!ctx.dryRun && wanted > low.length)
              throw new ValidationError(
                `Certificate "${definition.name}"`,
                [
                  {
                    path: 'canary',
                    message: `a canary of ${wanted} needs as many hosts with inventory var criticality: low; "${definition.deploy.hosts}" has ${low.length}${low.length ? ` (${low.join(', ')})` : ''}. Give --canary ${low.length} or mark hosts criticality: low`,
                  },
                ],
                { code: ErrorCode.InvalidInput, context: { certificate: definition.name } },
              );
            return planOf(definition, ordered, low);
          },
          { timeoutMs: 60_000 },
        );
        certTask = g.task(
          'certificate',
          async (ctx) => {
            const definition = await certs().store.load(ctx.params.certificate);
            const cert = await obtainCertificate(certs(), definition, ctx);
            return cert ?? null;
          },
          { after: planTask, timeoutMs: 10 * 60_000 },
        );
      });

      const prechecks = wf.group(
        'pre-checks',
        (g) => {
          const locks = g.task('locks', async (ctx) => {
            // A dry run changes nothing, so it holds nothing that would block a real run.
            if (ctx.dryRun) return;
            await ctx.lock(
              plan(ctx).hosts.map((name) => `host:${name}`),
              `certificate renewal of ${ctx.params.certificate}`,
            );
          });
          hostsTask = g.task(
            'hosts',
            async (ctx) => {
              const p = plan(ctx);
              const cert = newCert(ctx);
              const newFiles =
                cert && !ctx.dryRun
                  ? fileContents(p, cert, certs().open(cert.sealedKey, keyPurpose(p.certificate, ctx.runId)))
                  : undefined;
              const served = await checkHosts(
                deps,
                certs(),
                p,
                p.hosts.map((name) => deps.inventory.get(name)),
                {
                  runId: ctx.runId,
                  dryRun: ctx.dryRun,
                  concurrency: Math.max(ctx.params.concurrency, 10),
                  signal: ctx.signal,
                  ...(newFiles ? { newFiles } : {}),
                },
              );
              return served as unknown as Json;
            },
            { after: locks, timeoutMs: 15 * 60_000 },
          );
        },
        { after: validation },
      );

      const execution = wf.rollout(ROLLOUT, {
        after: prechecks,
        targets: (ctx) => plan(ctx).hosts,
        strategy: (ctx) => rolloutStrategy(ctx.params, ctx),
        approval: {
          timeoutMs: APPROVAL_TIMEOUT_MS,
          evidence: (ctx) => approvalEvidence(ctx),
        },
        step: createSwapStep(deps, certs, (ctx) => ({
          plan: plan(ctx),
          cert: newCert(ctx),
          before: before(ctx),
        })),
      });
      wf.rollback('rollback', { of: execution, timeoutMs: 30 * 60_000 });
    },

    auditDetails: ({ ctx, outcome }) => {
      const cert = newCert(ctx);
      const p = planOfRun(ctx);
      return {
        certificate: ctx.params.certificate,
        new: cert
          ? {
              fingerprintSha256: cert.fingerprintSha256,
              serial: cert.serial,
              issuer: cert.issuer,
              notBefore: cert.notBefore,
              notAfter: cert.notAfter,
              dnsNames: cert.dnsNames,
            }
          : null,
        // Each host that got it was checked over TLS to serve it before it counted as changed.
        servedBy: [...outcome.changed],
        failedHosts: outcome.targets
          .filter((t) => !t.ok)
          .map((t) => ({ host: t.target, error: t.error ?? 'failed' })),
        selectedHosts: p?.hosts ?? [],
      };
    },

    // The certificate's owners and the requester hear about it in Slack; the certificate team by email.
    notify: async ({ ctx }, alert) => {
      const p = planOfRun(ctx);
      const owners = p && !ctx.dryRun ? p.owners : [];
      const title = `Certificate renewal failed: ${ctx.params.certificate}`;
      const text = `Renewal of ${ctx.params.certificate} (run ${ctx.runId}, asked by ${ctx.requester}):\n${alert.text}`;
      const email = deps.certificates?.email;
      if (email && !ctx.dryRun)
        await ctx
          .fenced(() => email.send({ subject: `[Marshal] ${title}`, text }))
          .catch((err: unknown) =>
            ctx.log.error(
              { err: err instanceof Error ? err.message : String(err) },
              'could not email the certificate team',
            ),
          );
      return { to: [...new Set([...owners, ctx.requester])], title, text };
    },

    async cleanup({ ctx, outcome }) {
      const p = planOfRun(ctx);
      if (!p || ctx.dryRun || !deps.certificates)
        return { placementRecorded: false, backupsRemoved: 0, cleanupFailures: [] };
      const c = certs();
      const results = await settleInParallel(p.hosts, Math.max(ctx.params.concurrency, 10), async (name) => {
        const pair = new RemotePair(
          deps.blocks,
          deps.executor,
          deps.inventory.get(name),
          p,
          ctx.runId,
          ctx.signal,
        );
        await pair.removeStaged();
        if (outcome.succeeded) {
          // This run's backup is now the previous pair: it stays; older ones past keepPrevious go.
          await pair.removeOldBackups(c.keepPreviousMs);
          return false;
        }
        // A host back on (or never off) the old pair does not need this run's copy of it.
        const [live, backup] = [await pair.liveShas(), await pair.backupShas()];
        const same = p.files.every((f) => backup[f.role] !== null && live[f.role] === backup[f.role]);
        if (!same) return false;
        await pair.removeBackup();
        return true;
      });
      // Where the run left things, once the pre-checks read what every host served (a run stopped in
      // validation touched nothing and leaves the last record as it is).
      const servedBefore = (hostsTask && ctx.output(hostsTask)) as Record<string, ServedBefore> | undefined;
      let placementRecorded = false;
      if (servedBefore) {
        const cert = newCert(ctx);
        const record = placementAfterRun({
          certificate: p.certificate,
          runId: ctx.runId,
          at: deps.clock().toISOString(),
          succeeded: outcome.succeeded,
          hosts: p.hosts,
          changed: outcome.changed,
          restoreFailed: outcome.restoreFailed.map((r) => r.target),
          newCert: cert,
          before: servedBefore,
        });
        await ctx.fenced(() => deps.records.set(placementKey(p.certificate), record as unknown as Json));
        placementRecorded = true;
      }
      return {
        placementRecorded,
        backupsRemoved: results.filter((r) => r.status === 'fulfilled' && r.value).length,
        cleanupFailures: results.flatMap((r, i) => (r.status === 'rejected' ? [p.hosts[i] ?? '?'] : [])),
      };
    },
  };

  /** What approvers see: the new certificate, and what each canary host serves now, over TLS. */
  async function approvalEvidence(ctx: Ctx): Promise<Json> {
    const p = plan(ctx);
    const cert = newCert(ctx);
    if (!cert) return { summary: 'no new certificate (dry run)' };
    const snapshot = await deps.runs.get(ctx.runId);
    const canary = snapshot.targets.filter((t) => t.stage === 'canary').map((t) => t.target);
    const checks = await Promise.all(
      canary.map(async (name) => {
        try {
          const served = await probeHost(certs(), deps.inventory.get(name), p, ctx.signal);
          const ok = served.fingerprintSha256 === cert.fingerprintSha256;
          return {
            name,
            ok,
            detail: `serves ${short(served.fingerprintSha256)}${ok ? ' (the new one)' : ''}`,
          };
        } catch (err) {
          return { name, ok: false, detail: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    return {
      summary: [
        `Certificate *${p.certificate}*: new fingerprint \`${cert.fingerprintSha256}\``,
        `notAfter ${cert.notAfter} · serial ${cert.serial} · issuer ${cert.issuer}`,
        `SANs: ${cert.dnsNames.join(', ')}`,
        `${p.hosts.length - canary.length} more host(s) after approval.`,
      ].join('\n'),
      checks,
      fingerprintSha256: cert.fingerprintSha256,
      notAfter: cert.notAfter,
      dnsNames: cert.dnsNames,
      canaryServed: Object.fromEntries(checks.map((c) => [c.name, c.detail])),
    };
  }
}
