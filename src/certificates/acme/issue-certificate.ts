import { Agent, request as httpsRequest } from 'node:https';
import acme from 'acme-client';
import type { KeyType } from '../definition.js';
import { AcmeOrderFailedError, type AcmeStage } from '../errors/acme-order-failed-error.js';
import type { DnsChallengeSolver } from './dns-challenge-solver.js';
import type { HttpChallengeSolver } from './http-challenge-solver.js';

export type ChallengeSolver =
  { type: 'dns-01'; dns: DnsChallengeSolver } | { type: 'http-01'; http: HttpChallengeSolver };
import { generatePrivateKey } from './generate-key.js';

export interface AcmeIssueRequest {
  /** The certificate definition's name (errors name it). */
  certificate: string;
  directoryUrl: string;
  /** The account's private key (PEM). Kept sealed between runs; see SealedBox. */
  accountKeyPem: string;
  email: string;
  domains: readonly string[];
  keyType: KeyType;
  /** The definition's challenge type and what answers it. */
  solver: ChallengeSolver;
  /**
   * A CA to trust for the directory's own HTTPS instead of Node's roots: only for a test ACME server
   * such as pebble, whose HTTPS certificate no public CA signed.
   */
  directoryCaPem?: string;
  /** Polling of challenge and order status (acme-client's backoff): defaults suit a public CA. */
  polling?: { attempts?: number; minMs?: number; maxMs?: number };
  /** Checked between steps (a request in flight finishes first); records and tokens are still removed. */
  signal?: AbortSignal;
}

export interface IssuedCertificate {
  /** Leaf first, then the intermediates the CA sent (a "full chain"). */
  certificatePem: string;
  /** The new private key. A secret: seal it before it is stored anywhere. */
  keyPem: string;
  accountUrl: string;
}

/**
 * Issues a certificate through ACME (RFC 8555): account, order, each authorization answered through
 * `solver` (DNS-01: a TXT record; HTTP-01: a served token), the CA's validation awaited (a failed
 * challenge is an error naming the domain, the CA's reason and where it looked), then a new key and
 * CSR, finalisation and download. Records and tokens are removed whatever happens. The result still
 * has to pass `validateCertificate`.
 */
export async function issueCertificate(request: AcmeIssueRequest): Promise<IssuedCertificate> {
  const { certificate, signal } = request;
  const fail = (stage: AcmeStage, err: unknown, domain?: string): AcmeOrderFailedError =>
    err instanceof AcmeOrderFailedError
      ? err
      : new AcmeOrderFailedError(certificate, stage, describe(err), {
          domain,
          cause: err,
          directoryUrl: request.directoryUrl,
          // The server answering badly (5xx, network) may pass; a refused challenge or order will not.
          retryable: isTransient(err),
        });
  const step = async <T>(stage: AcmeStage, run: () => Promise<T>, domain?: string): Promise<T> => {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw fail(stage, err, domain);
    }
  };

  const client = new acme.Client({
    directoryUrl: request.directoryUrl,
    accountKey: request.accountKeyPem,
    backoffAttempts: request.polling?.attempts ?? 10,
    backoffMin: request.polling?.minMs ?? 5_000,
    backoffMax: request.polling?.maxMs ?? 30_000,
  });
  if (request.directoryCaPem) trustDirectoryCa(client, request.directoryCaPem);
  await step('directory', () => checkDirectory(request.directoryUrl, request.directoryCaPem, signal));

  await step('account', () =>
    client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${request.email}`] }),
  );
  const order = await step('order', () =>
    client.createOrder({ identifiers: request.domains.map((value) => ({ type: 'dns', value })) }),
  );
  const authorizations = await step('order', () => client.getAuthorizations(order));

  const cleanups: (() => Promise<void>)[] = [];
  try {
    for (const authz of authorizations) {
      if (authz.status === 'valid') continue;
      const domain = `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`;
      const solver = request.solver;
      const challenge = authz.challenges.find((c) => c.type === solver.type);
      if (!challenge)
        throw new AcmeOrderFailedError(
          certificate,
          'challenge',
          `the CA offers no ${solver.type} challenge`,
          {
            domain,
            directoryUrl: request.directoryUrl,
          },
        );
      const keyAuthorization = await step(
        'challenge',
        () => client.getChallengeKeyAuthorization(challenge),
        domain,
      );
      let where: string;
      if (solver.type === 'dns-01') {
        const recordName = `_acme-challenge.${authz.identifier.value}`;
        where = `the TXT record ${recordName}; check the DNS solver can publish it on the zone's authoritative servers`;
        await step('challenge', () => solver.dns.setTxt(recordName, keyAuthorization), domain);
        cleanups.push(() => solver.dns.clearTxt(recordName));
      } else {
        const token = (challenge as { token: string }).token;
        where = `http://${authz.identifier.value}/.well-known/acme-challenge/${token}; check the name points at a host serving the token`;
        await step(
          'challenge',
          () => solver.http.putToken(authz.identifier.value, token, keyAuthorization),
          domain,
        );
        cleanups.push(() => solver.http.removeToken(authz.identifier.value, token));
      }
      await step('challenge', () => client.completeChallenge(challenge), domain);
      await step('challenge', () => client.waitForValidStatus(challenge), domain).catch((err: unknown) => {
        if (!(err instanceof AcmeOrderFailedError)) throw err;
        throw new AcmeOrderFailedError(
          certificate,
          'challenge',
          `the CA says: ${String(err.context.detail)} (it looked up ${where})`,
          { domain, cause: err.cause, directoryUrl: request.directoryUrl, retryable: err.retryable },
        );
      });
    }
  } finally {
    await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  }

  const keyPem = await generatePrivateKey(request.keyType);
  const [, csr] = await step('finalize', () =>
    acme.crypto.createCsr({ commonName: request.domains[0], altNames: [...request.domains] }, keyPem),
  );
  const finalized = await step('finalize', () => client.finalizeOrder(order, csr));
  const certificatePem = await step('download', () => client.getCertificate(finalized));
  return { certificatePem, keyPem, accountUrl: client.getAccountUrl() };
}

/**
 * acme-client sends every request through one module-wide axios instance; a CA set there would be trusted
 * by every client in the process. Instead this client's own requests carry an agent that trusts `caPem`.
 */
function trustDirectoryCa(client: acme.Client, caPem: string): void {
  const agent = new Agent({ ca: caPem, keepAlive: false });
  const http = (
    client as unknown as { http: { request: (url: string, method: string, opts?: object) => unknown } }
  ).http;
  const request = http.request.bind(http);
  http.request = (url, method, opts = {}) => request(url, method, { ...opts, httpsAgent: agent });
}

/**
 * One GET of the directory before anything else: a directory whose TLS certificate is not trusted, or
 * that does not answer, fails here at once with its own reason, instead of in acme-client's retries.
 */
function checkDirectory(
  url: string,
  caPem: string | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'GET', timeout: 30_000, signal, ...(caPem ? { ca: caPem } : {}) },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else
          reject(
            Object.assign(new Error(`the directory ${url} answered HTTP ${status}`), {
              response: { status },
            }),
          );
      },
    );
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`the directory ${url} did not answer within 30 s`), { code: 'ETIMEDOUT' }),
      ),
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        TLS_TRUST_ERRORS.has(err.code ?? '')
          ? new Error(`the directory's TLS certificate is not trusted (${err.code}: ${err.message})`)
          : err,
      ),
    );
    req.end();
  });
}

const TLS_TRUST_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim() || 'no detail given';
}

function isTransient(err: unknown): boolean {
  const e = err as { code?: string; response?: { status?: number } };
  if (e.response?.status !== undefined) return e.response.status >= 500 || e.response.status === 429;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'].includes(e.code ?? '');
}
