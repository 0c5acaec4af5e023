import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Client } from 'ssh2';
import type { CertificateServices } from '../../src/certificates/certificate-services.js';
import type { CertificateDefinition } from '../../src/certificates/definition.js';
import { probeServedCertificate } from '../../src/certificates/probe/probe-served-certificate.js';
import { validateCertificate } from '../../src/certificates/validation/validate-certificate.js';
import { diskUsageCommand, fileStateCommand, parseFileState } from '../../src/hosts/file-commands.js';
import type { Host } from '../../src/hosts/host.js';
import { sh } from '../../src/hosts/quote.js';
import { HostKeyPolicy } from '../../src/hosts/ssh/host-key-policy.js';
import type { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { WITH_STAGED_FILES } from '../../workflows/cert-renew/remote-pair.js';
import { uploadAtomic } from '../../src/hosts/ssh/sftp-transfer.js';
import { bareConnect, bareExec, bareMust, bareSftp, median, pool } from '../config-push/bare-ssh.js';

/**
 * "bare (same steps)": ssh2 alone doing the remote work of the cert-renew workflow, pass by pass, with the
 * same command text (file-commands builders, the same `sh` templates, the same staged-test wrapper) and
 * the same issuance (the certificate services' ACME client against the same pebble, then validation):
 *   issue       ACME order through pebble (DNS-01 really checked), validateCertificate
 *   pre-checks  connect to every host; stat + df of the directory; sha256 of the live files; the config
 *               test; stage, config test with the staged files, remove them; TLS probe; backup (cp,
 *               checksums before and after)
 *   deploy      per host at the same concurrency: sha256 of the live files, stage (owner and group looked
 *               up, atomic SFTP upload, as Marshal's executor does), staged config
 *               test, swap (mv), reload, TLS probe until the new fingerprint is served
 *   cleanup     rm of the staged files; find of old backups
 * One connection per host, opened at the pre-checks and kept, as Marshal's pool keeps it. Left out, being
 * orchestration rather than remote work: the engine, Redis, locks, the approval gate, sealing the key,
 * audit records, and the prefix Marshal's executor puts before each command.
 */
export interface SameStepsResult {
  ms: number;
  phases: { issue: number; precheck: number; deploy: number; cleanup: number };
  hostStepMs: number;
  fingerprint: string;
}

export async function bareSameStepsRound(
  env: DemoEnvironment,
  certs: CertificateServices,
  definition: CertificateDefinition,
  concurrency: number,
): Promise<SameStepsResult> {
  const key = readFileSync(env.fleet.privateKeyPath);
  const hostKeys = new HostKeyPolicy(env.fleet.knownHostsPath, false);
  const hosts = env.fleet.hosts;
  const runId = `bare-${Date.now()}`;
  const files = [
    { role: 'certificate', ...definition.deploy.certificate },
    { role: 'key', ...definition.deploy.key },
  ];
  const staged = (path: string): string => `${path}.marshal-new-${runId}`;
  const backup = (path: string): string => `${path}.marshal-prev-${runId}`;
  const dir = posix.dirname(files[0]!.path);
  const passConcurrency = Math.max(concurrency, 10);
  const clients = new Map<string, Client>();
  const started = performance.now();
  let mark = started;
  const lap = (): number => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const run = (host: Host, text: string, what: string): Promise<string> =>
    bareMust(clients.get(host.name)!, host, text, what);
  // As RemotePair checksums: one command for every file, a line per file.
  const shas = async (host: Host, path: (p: string) => string): Promise<(string | null)[]> => {
    const text = files.map((f) => fileStateCommand(path(f.path)).text).join('; ');
    const lines = (await run(host, text, 'sha256')).trim().split('\n');
    return files.map((_, i) => {
      const state = parseFileState(lines[i] ?? '');
      return state?.exists ? state.sha256 : null;
    });
  };
  const probe = (host: Host) =>
    probeServedCertificate(
      { host: host.address, port: definition.check.port, servername: definition.check.sni },
      { timeoutMs: 10_000, trustStore: certs.trustStore },
    );
  const test = (host: Host) => run(host, sh`${definition.service.test.argv}`.text, 'config test');
  const testStaged = (host: Host) =>
    run(
      host,
      sh`unshare --mount --propagation private -- sh -c ${WITH_STAGED_FILES} marshal-config-test ${files.flatMap((f) => [staged(f.path), f.path])} -- ${definition.service.test.argv}`
        .text,
      'staged config test',
    );
  try {
    const pair = await certs.issue(definition, AbortSignal.timeout(10 * 60_000));
    const cert = validateCertificate(definition.name, pair, {
      domains: definition.domains,
      keyType: definition.keyType,
      trustStore: certs.trustStore,
    });
    const contents = [cert.leafPem + cert.chainPem, pair.keyPem];
    // As Marshal's executor uploads a file with an owner and group: both looked up on the host, then
    // an atomic SFTP write (temp file, fsync, chmod, chown, rename).
    const stage = async (host: Host): Promise<void> => {
      const client = clients.get(host.name)!;
      for (const [i, f] of files.entries()) {
        const uid = Number((await run(host, sh`id -u -- ${f.owner}`.text, 'id')).trim());
        const gid = Number(
          (await run(host, sh`getent group -- ${f.group} | cut -d: -f3`.text, 'getent')).trim(),
        );
        const sftp = await bareSftp(client);
        try {
          await uploadAtomic(
            sftp,
            { path: staged(f.path), content: contents[i]!, mode: f.mode },
            { uid, gid },
          );
        } finally {
          sftp.end();
        }
      }
    };
    const issue = lap();

    await pool(hosts, passConcurrency, async (host) => {
      clients.set(host.name, await bareConnect(host, key, hostKeys));
      await run(host, sh`stat -c '%F|%U|%a' -- ${dir}`.text, 'stat');
      await run(host, diskUsageCommand(dir).text, 'df');
      const live = await shas(host, (p) => p);
      await test(host);
      await stage(host);
      await testStaged(host);
      await run(host, sh`rm -f -- ${files.map((f) => staged(f.path))}`.text, 'remove staged');
      await probe(host);
      await run(host, files.map((f) => sh`cp -p -- ${f.path} ${backup(f.path)}`.text).join(' && '), 'backup');
      const copied = await shas(host, backup);
      if (copied.some((sha, i) => sha !== live[i])) throw new Error(`bare: backup on ${host.name}`);
    });
    const precheck = lap();

    const perHost: number[] = [];
    await pool(hosts, concurrency, async (host) => {
      const t = performance.now();
      await shas(host, (p) => p);
      await stage(host);
      await testStaged(host);
      await run(host, files.map((f) => sh`mv -f -- ${staged(f.path)} ${f.path}`.text).join(' && '), 'swap');
      await run(host, sh`${definition.service.reload.argv}`.text, 'reload');
      for (let tries = 0; ; tries++) {
        const served = await probe(host).catch(() => undefined);
        if (served?.fingerprintSha256 === cert.fingerprintSha256) break;
        if (tries > 300) throw new Error(`bare: ${host.name} does not serve the new certificate`);
        await new Promise((r) => setTimeout(r, 100));
      }
      perHost.push(performance.now() - t);
    });
    const deploy = lap();

    await pool(hosts, passConcurrency, async (host) => {
      await run(host, sh`rm -f -- ${files.map((f) => staged(f.path))}`.text, 'cleanup');
      await bareExec(
        clients.get(host.name)!,
        files
          .map(
            (f) =>
              sh`find ${dir} -maxdepth 1 -type f -name ${`${posix.basename(f.path)}.marshal-prev-*`} ! -name ${posix.basename(backup(f.path))} -mmin +10080 -delete`
                .text,
          )
          .join(' && '),
      );
    });
    const cleanup = lap();
    return {
      ms: performance.now() - started,
      phases: { issue, precheck, deploy, cleanup },
      hostStepMs: median(perHost),
      fingerprint: cert.fingerprintSha256,
    };
  } finally {
    for (const client of clients.values()) client.end();
  }
}
