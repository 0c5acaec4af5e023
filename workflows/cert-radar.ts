/**
 * The expiry radar: `/cert radar [--renew]` on demand, and on the schedule of the config's
 * `certificates.radar.cron` (a BullMQ job scheduler: one scan per tick across every worker).
 *
 * Reads every declared certificate from every one of its hosts over real TLS, and posts one digest:
 * what expires within its renew-before window (or has expired), what could not be read, what is fine.
 * With `--renew` (or `autoRenew` in the schedule) it starts a `cert-renew` run for each certificate
 * inside its window; each such run still waits for a person's approval after its canary.
 */
import { z } from 'zod';
import { defineWorkflowModule } from '../src/authoring/index.js';
import { scanCertificate, stateText, type CertificateScan } from './cert-renew/scan.js';
import { certificateServices } from './cert-renew/services.js';

export const CertRadarParams = z
  .object({
    renew: z.boolean().default(false),
  })
  .strict();
export type CertRadarParams = z.infer<typeof CertRadarParams>;

export default defineWorkflowModule({
  name: 'cert-radar',
  summary: 'Scan every declared certificate on every host; digest what expires soon, optionally renew it',
  params: CertRadarParams,
  syntax: {
    positionals: [],
    flags: {
      renew: {
        kind: 'boolean',
        help: 'start a renewal run (which waits for approval) for each certificate inside its window',
      },
    },
  },
  slashCommand: { command: '/cert', subcommand: 'radar', description: 'What expires soon, everywhere' },
  workflow: (deps) => ({
    tasks(wf) {
      wf.task(
        'scan',
        async (ctx) => {
          const certs = certificateServices(deps);
          const scans: CertificateScan[] = [];
          const broken: string[] = [];
          for (const name of await certs.store.names()) {
            try {
              scans.push(await scanCertificate(deps, certs, name, ctx.signal));
            } catch (err) {
              broken.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
            }
          }
          const due = scans.filter((s) => s.state === 'renew' || s.state === 'expired');
          const started: Record<string, string> = {};
          if (ctx.params.renew && !ctx.dryRun)
            for (const s of due)
              started[s.certificate] = await ctx.fenced(() =>
                certs.startRenewal(s.certificate, `inside its renew-before window (${stateText(s)})`),
              );
          const line = (s: CertificateScan): string =>
            `• ${s.certificate}: ${stateText(s)}${started[s.certificate] ? ` — renewal run ${started[s.certificate]} started (waits for approval)` : ''}`;
          const text = [
            due.length
              ? `Inside the renew-before window (${due.length}):`
              : 'Nothing inside its renew-before window.',
            ...due.map(line),
            ...(scans.some((s) => s.state === 'unreadable')
              ? ['Unreadable:', ...scans.filter((s) => s.state === 'unreadable').map(line)]
              : []),
            ...(broken.length ? ['Definitions that do not load:', ...broken.map((b) => `• ${b}`)] : []),
            `Fine (${scans.filter((s) => s.state === 'ok').length}):`,
            ...scans.filter((s) => s.state === 'ok').map(line),
          ].join('\n');
          await deps.notifier.alert({
            runId: ctx.runId,
            to: /^[UWS][A-Z0-9]{2,}$/.test(ctx.requester) ? [ctx.requester] : [],
            title: `Certificate radar: ${due.length} to renew of ${scans.length}`,
            text,
          });
          return {
            due: due.map((s) => ({ certificate: s.certificate, state: s.state, daysLeft: s.daysLeft })),
            ok: scans.filter((s) => s.state === 'ok').map((s) => s.certificate),
            unreadable: scans.filter((s) => s.state === 'unreadable').map((s) => s.certificate),
            broken,
            started,
          };
        },
        { timeoutMs: 15 * 60_000 },
      );
    },
  }),
});
