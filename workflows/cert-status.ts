/**
 * `/cert status [<cert>]` (or `/marshal run cert-status …`): what every host of a certificate serves now.
 *
 * Reads only: a real TLS handshake with each host of the certificate (or of every declared certificate),
 * then one report in the run's thread: each served fingerprint with its serial, notAfter, issuer and
 * hosts, the hosts that could not be read, and where the certificate stands against its renew-before;
 * beside it, the stored record of where the last renewal left the certificate (cert-renew's records),
 * and the hosts whose live fingerprint differs from it.
 */
import { z } from 'zod';
import { defineWorkflowModule } from '../src/authoring/index.js';
import { CertificateName } from '../src/certificates/definition.js';
import { CertificateWord } from './cert-renew/params.js';
import { CertificatePlacement, placementKey, placementLines } from './cert-renew/placement.js';
import { scanCertificate, statusLines, type CertificateScan } from './cert-renew/scan.js';
import { certificateServices } from './cert-renew/services.js';

export const CertStatusParams = z.object({ certificate: CertificateName.optional() }).strict();
export type CertStatusParams = z.infer<typeof CertStatusParams>;

export default defineWorkflowModule({
  name: 'cert-status',
  summary: 'Show which certificate each host serves (fingerprint, notAfter, issuer), over real TLS',
  params: CertStatusParams,
  syntax: {
    positionals: [
      {
        name: 'certificate',
        help: 'a declared certificate; omitted: every declared certificate',
        word: CertificateWord,
        optional: true,
      },
    ],
  },
  slashCommand: { command: '/cert', subcommand: 'status', description: 'What each host serves' },
  // The record of which certificate is where is kept by the renewal runs.
  records: 'cert-renew',
  workflow: (deps) => ({
    tasks(wf) {
      wf.task(
        'status',
        async (ctx) => {
          const certs = certificateServices(deps);
          const names = ctx.params.certificate ? [ctx.params.certificate] : await certs.store.names();
          const scans: (CertificateScan & { recorded: CertificatePlacement | undefined })[] = [];
          for (const name of names) {
            const scan = await scanCertificate(deps, certs, name, ctx.signal);
            const stored = CertificatePlacement.safeParse(await deps.records.get(placementKey(name)));
            scans.push({ ...scan, recorded: stored.success ? stored.data : undefined });
          }
          const live = (scan: (typeof scans)[number]): Record<string, string> =>
            Object.fromEntries(
              scan.status.groups.flatMap((g) => g.hosts.map((h) => [h, g.fingerprintSha256] as const)),
            );
          const text = scans.length
            ? scans.flatMap((s) => [...statusLines(s), ...placementLines(s.recorded, live(s))]).join('\n')
            : 'No certificate is declared in the certificates directory.';
          await deps.notifier.alert({
            runId: ctx.runId,
            to: [ctx.requester],
            title: `Certificate status${ctx.params.certificate ? `: ${ctx.params.certificate}` : ''}`,
            text,
          });
          return scans.map((s) => ({
            certificate: s.certificate,
            state: s.state,
            daysLeft: s.daysLeft,
            served: s.status.groups.map((g) => ({
              fingerprintSha256: g.fingerprintSha256,
              notAfter: g.notAfter,
              issuer: g.issuer,
              hosts: g.hosts,
            })),
            unreadable: s.status.failed.map((f) => f.host),
            recorded: s.recorded ?? null,
          }));
        },
        { timeoutMs: 10 * 60_000 },
      );
    },
  }),
});
