import { readFile } from 'node:fs/promises';
import type { CertificatesConfig } from '../config/certificates-config.js';
import { InvalidConfigError } from '../config/invalid-config-error.js';
import { DirectoryCertificateStore } from '../certificates/definition-store.js';
import type { CertificateServices } from '../certificates/certificate-services.js';
import { generateAccountKey } from '../certificates/acme/generate-key.js';
import { issueCertificate, type ChallengeSolver } from '../certificates/acme/issue-certificate.js';
import type { DnsChallengeSolver } from '../certificates/acme/dns-challenge-solver.js';
import { AcmeOrderFailedError } from '../certificates/errors/acme-order-failed-error.js';
import { probeServedCertificate } from '../certificates/probe/probe-served-certificate.js';
import { SealedBox } from '../certificates/secrets/sealed-box.js';
import { ChalltestsrvDnsSolver } from '../certificates/acme/challtestsrv-dns-solver.js';
import { ChalltestsrvHttpSolver } from '../certificates/acme/challtestsrv-http-solver.js';
import { Rfc2136DnsSolver } from '../certificates/acme/rfc2136-dns-solver.js';
import { DirectDnsReader } from '../traffic/dns/dns-reader.js';
import { parseDnsServer } from '../traffic/dns/dns-update.js';
import { KnsupdateSender } from '../traffic/dns/knsupdate-client.js';
import { resolveTsigKey } from '../traffic/dns/tsig-key.js';
import { SmtpMailer } from '../notify/email/smtp-mailer.js';

/**
 * The certificate workflows' services, from the config's `certificates:` section: the definition store,
 * the trust store (read once), ACME issuance with the configured solver, the TLS probe, sealing under
 * MARSHAL_SECRET_KEY (missing: Marshal does not start), and the certificate team's mail.
 */
export async function createCertificateServices(
  config: CertificatesConfig,
  startRun: (certificate: string, reason: string) => Promise<string>,
): Promise<CertificateServices & { close(): void }> {
  const box = SealedBox.fromEnv();
  const read = async (path: string, where: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new InvalidConfigError(
        "Marshal's config file",
        [
          {
            where,
            problem: `${path} cannot be read: ${(err as Error).message}`,
            fix: 'Point it at a PEM file',
          },
        ],
        { cause: err },
      );
    }
  };
  const trustStore = await Promise.all(
    config.trustStore.map((path, i) => read(path, `certificates.trustStore[${i}]`)),
  );
  const acme = config.acme;
  const directoryCaPem = acme?.directoryCa
    ? await read(acme.directoryCa, 'certificates.acme.directoryCa')
    : undefined;
  // Without a configured account key, one account per process: enough for a private CA, not for a public one.
  const accountKeyPem = acme?.accountKey
    ? await read(acme.accountKey, 'certificates.acme.accountKey')
    : await generateAccountKey();
  const dnsSolver = acme ? createDnsSolver(acme.solver) : undefined;
  const mailer = config.email
    ? new SmtpMailer(config.email.smtp, config.email.from, config.email.to)
    : undefined;

  return {
    store: new DirectoryCertificateStore(config.directory, { allowedRoots: config.allowedRoots }),
    trustStore,
    keepPreviousMs: config.keepPrevious,
    async issue(definition, signal) {
      const issuer = definition.issuer;
      if (issuer.type !== 'acme')
        throw new Error(`certificate "${definition.name}" is not issued through ACME`);
      if (!acme)
        throw new AcmeOrderFailedError(
          definition.name,
          'directory',
          "Marshal's config has no certificates.acme section: no way to answer a challenge",
          { directoryUrl: issuer.directoryUrl, retryable: false },
        );
      const url = acme.solver.challtestsrv;
      let solver: ChallengeSolver;
      if (issuer.challenge === 'dns-01') solver = { type: 'dns-01', dns: dnsSolver! };
      else if (url) solver = { type: 'http-01', http: new ChalltestsrvHttpSolver(url) };
      else
        throw new AcmeOrderFailedError(
          definition.name,
          'challenge',
          'no HTTP-01 solver is configured (the rfc2136 solver answers DNS-01 only, and a webroot solver is not built): use challenge: dns-01',
          { directoryUrl: issuer.directoryUrl, retryable: false },
        );
      const issued = await issueCertificate({
        certificate: definition.name,
        directoryUrl: issuer.directoryUrl,
        accountKeyPem,
        email: issuer.account.email,
        domains: definition.domains,
        keyType: definition.keyType,
        solver,
        signal,
        ...(directoryCaPem ? { directoryCaPem } : {}),
        ...(acme.pollMs ? { polling: { minMs: acme.pollMs, maxMs: acme.pollMs * 4, attempts: 20 } } : {}),
      });
      return { certificatePem: issued.certificatePem, keyPem: issued.keyPem };
    },
    probe: (endpoint, options) => probeServedCertificate(endpoint, options),
    seal: (plaintext, purpose) => box.seal(plaintext, purpose),
    open: (sealed, purpose) => box.open(sealed, purpose),
    ...(mailer ? { email: mailer } : {}),
    startRenewal: startRun,
    close: () => mailer?.close(),
  };
}

/**
 * The DNS-01 solver the config names: RFC 2136 to the zone's authoritative server when `rfc2136` is
 * given (its TSIG secret read from the environment now, so a missing one stops Marshal at start, naming
 * the field and the variable), else challtestsrv's API.
 */
function createDnsSolver(solver: NonNullable<CertificatesConfig['acme']>['solver']): DnsChallengeSolver {
  const rfc2136 = solver.rfc2136;
  if (!rfc2136) return new ChalltestsrvDnsSolver(solver.challtestsrv!);
  const field = 'certificates.acme.solver.rfc2136';
  const key = resolveTsigKey(
    { name: rfc2136.key.name, algorithm: rfc2136.key.algorithm, secret: { env: rfc2136.key.secretEnv } },
    process.env,
    `${field}.key.secretEnv`,
  );
  const server = parseDnsServer(rfc2136.server);
  return new Rfc2136DnsSolver(
    { zone: rfc2136.zone, server, key, ttl: rfc2136.ttl, field },
    { sender: new KnsupdateSender(), reader: new DirectDnsReader(server) },
  );
}
