import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { parse, stringify } from 'yaml';
import { probeServedCertificate } from '../../src/certificates/probe/probe-served-certificate.js';
import { sh } from '../../src/hosts/quote.js';
import { NGINX_COMMANDS, startNginx } from '../../src/local/acme/fleet-nginx.js';
import { LocalPebble } from '../../src/local/acme/local-pebble.js';
import { TestCa, type TestCertificate } from '../../src/local/acme/test-ca.js';
import type { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { createLogger } from '../../src/log/index.js';
import { executorFor } from '../integration/hosts/fleet-executor.js';
import { ConfigPushFixture, DEMO_REQUESTER, waitUntil } from './config-push-fixture.js';

export const DOMAINS = ['www.example.test', 'example.test'];
export const CERT_PATH = '/etc/ssl/marshal/www/fullchain.pem';
export const KEY_PATH = '/etc/ssl/marshal/www/privkey.pem';
export const PORT = 443;
/** Slack owners of the test certificates (alerted on failure). */
export const CERT_OWNER = 'U0CERTOWN';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * The certificate world: the config-push fixture's fleet, Slack stand-in and server, plus pebble and
 * challtestsrv, nginx serving a first certificate (from a test CA) on every host, a real SMTP server on
 * loopback, the certificates directory, and the `certificates:` section in Marshal's config.
 */
export class CertFixture {
  private constructor(
    /** Every message the SMTP server received. */
    readonly mails: ReceivedMail[],
    /** Every log line the server wrote (JSON), for the secrets test. */
    readonly logLines: string[],
    readonly f: ConfigPushFixture,
    readonly pebble: LocalPebble,
    readonly smtp: SMTPServer,
    readonly dir: string,
    readonly firstCa: TestCa,
    readonly first: TestCertificate,
  ) {}

  /** `workers: false`: the server is the Slack front end only; runs need `marshal worker` processes. */
  static async start(options: { hosts: number; workers?: false }): Promise<CertFixture> {
    process.env.MARSHAL_SECRET_KEY ??= randomBytes(32).toString('base64');
    const dir = mkdtempSync(join(tmpdir(), 'marshal-cert-'));
    const pebble = await LocalPebble.start();
    const mails: ReceivedMail[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (raw += chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    const firstCa = TestCa.root('Marshal First Certificates Root');
    const first = firstCa.issue({ commonName: DOMAINS[0]!, dnsNames: DOMAINS });
    const logLines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          logLines.push(chunk.toString());
          cb();
        },
      }),
    });
    try {
      const f = await ConfigPushFixture.start({
        hosts: options.hosts,
        logger,
        ...(options.workers === false ? { workers: false as const } : {}),
        environment: {
          access: Object.fromEntries(
            ['cert-renew', 'cert-status', 'cert-radar'].map((w) => [
              w,
              { start: ['S0PLATFORM'], approve: ['S0PLATFORM'] },
            ]),
          ),
        },
        prepare: async (env) => {
          const roots = await pebble.issuerRoots();
          // Pebble issues the renewals; the first certificates' CA signs the team-provided ones.
          writeFileSync(join(dir, 'trust.pem'), roots + firstCa.certPem);
          writeFileSync(join(dir, 'pebble-tls.pem'), pebble.directoryCaPem);
          mkdirSync(join(dir, 'certificates'));
          writeDefinition(dir, 'www', acmeDefinition(pebble.directoryUrl, 'www', 30));
          // The same hosts and name, a window wider than the served certificate's life: inside it now.
          writeDefinition(dir, 'www-soon', acmeDefinition(pebble.directoryUrl, 'www-soon', 120));
          markLowCriticality(env, [0, 1]);
          addCertificatesConfig(env, dir, smtpPort, pebble.challengeApiUrl);
          await serveFirstCertificate(env, first);
        },
      });
      return new CertFixture(mails, logLines, f, pebble, smtp, dir, firstCa, first);
    } catch (err) {
      await new Promise<void>((r) => smtp.close(() => r()));
      await pebble.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get env(): DemoEnvironment {
    return this.f.env;
  }

  /** Hosts with role=web (the certificate's selector): 0, 1 (criticality low), 2; host 3 is api. */
  get webHosts(): string[] {
    return this.f.webHosts;
  }

  get otherHosts(): string[] {
    return this.f.hosts.map((h) => h.name).filter((n) => !this.webHosts.includes(n));
  }

  firstFingerprint(): string {
    return new X509Certificate(this.first.certPem).fingerprint256;
  }

  /** What the host serves now, over a real TLS handshake with SNI. */
  async served(host: string): Promise<string> {
    const h = this.f.hosts.find((x) => x.name === host)!;
    const s = await probeServedCertificate({ host: h.address, port: PORT, servername: DOMAINS[0]! });
    return s.fingerprintSha256;
  }

  async servedAll(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const h of this.f.hosts) out[h.name] = await this.served(h.name);
    return out;
  }

  /** Waits until `host` serves `fingerprint` (a reload hands over to new workers a moment later). */
  waitServed(host: string, fingerprint: string): Promise<true> {
    return waitUntil(`${host} to serve ${fingerprint}`, async () =>
      (await this.served(host)) === fingerprint ? true : undefined,
    );
  }

  /** File names in the certificate directory of a host. */
  files(host: string): string[] {
    return readdirSorted(this.env.fleet.localPath(host, '/etc/ssl/marshal/www'));
  }

  /** Puts the first certificate back on every host and reloads nginx; removes side files and wrappers. */
  async reset(): Promise<void> {
    this.f.resetHosts();
    const ssh = executorFor(this.env.fleet);
    try {
      for (const host of this.f.hosts) {
        await ssh.exec(host, sh`rm -f /etc/ssl/marshal/www/*.marshal-* /var/lib/marshal-host/broke-once`);
        await ssh.upload(host, { path: CERT_PATH, content: this.first.certPem, mode: 0o644 });
        await ssh.upload(host, { path: KEY_PATH, content: this.first.keyPem, mode: 0o600 });
        await ssh.exec(host, sh`${NGINX_COMMANDS.reload}`);
      }
    } finally {
      await ssh.close();
    }
    for (const host of this.f.hosts) await this.waitServed(host.name, this.firstFingerprint());
  }

  /** A definition of a certificate from a team's files (PEM texts written beside it). */
  writeProvided(
    name: string,
    pems: { certificatePem: string; keyPem: string; chainPem?: string },
    overrides: Record<string, unknown> = {},
  ): void {
    const d = join(this.dir, 'certificates', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'cert.pem'), pems.certificatePem);
    writeFileSync(join(d, 'key.pem'), pems.keyPem);
    if (pems.chainPem) writeFileSync(join(d, 'chain.pem'), pems.chainPem);
    const definition = {
      ...acmeDefinition('https://unused.example/dir', name, 30),
      issuer: {
        type: 'provided',
        certificate: 'cert.pem',
        key: 'key.pem',
        ...(pems.chainPem ? { chain: 'chain.pem' } : {}),
      },
      ...overrides,
    };
    writeFileSync(join(d, 'certificate.yaml'), stringify(definition));
  }

  /** A definition of a certificate issued through ACME (pebble), with `overrides` over the usual one. */
  writeAcme(name: string, overrides: Record<string, unknown> = {}): void {
    writeDefinition(this.dir, name, { ...acmeDefinition(this.pebble.directoryUrl, name, 30), ...overrides });
  }

  async close(): Promise<void> {
    await this.f?.close();
    await new Promise<void>((r) => this.smtp.close(() => r()));
    await this.pebble.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { DEMO_REQUESTER };

function readdirSorted(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

/** The usual ACME definition of the tests (pebble, DNS-01, nginx's commands); `hosts` selects the fleet hosts. */
export function acmeDefinition(
  directoryUrl: string,
  name: string,
  renewBeforeDays: number,
): Record<string, unknown> {
  return {
    name,
    domains: DOMAINS,
    keyType: 'ecdsa-p256',
    issuer: {
      type: 'acme',
      directoryUrl,
      account: { email: 'certificates@example.test' },
      challenge: 'dns-01',
    },
    deploy: {
      hosts: 'role=web',
      certificate: { path: CERT_PATH, owner: 'root', group: 'root', mode: '0644' },
      key: { path: KEY_PATH, owner: 'root', group: 'root', mode: '0600' },
    },
    service: { test: [...NGINX_COMMANDS.test], reload: [...NGINX_COMMANDS.reload] },
    check: { port: PORT, sni: DOMAINS[0] },
    owners: [CERT_OWNER],
    renewBefore: `${renewBeforeDays}d`,
  };
}

export function writeDefinition(dir: string, name: string, definition: Record<string, unknown>): void {
  mkdirSync(join(dir, 'certificates', name), { recursive: true });
  writeFileSync(join(dir, 'certificates', name, 'certificate.yaml'), stringify(definition));
}

function markLowCriticality(env: DemoEnvironment, indexes: number[]): void {
  const path = join(env.configPath, '..', 'inventory.yaml');
  const inventory = parse(readFileSync(path, 'utf8')) as { hosts: Record<string, { vars?: object }> };
  Object.values(inventory.hosts).forEach((host, i) => {
    if (indexes.includes(i)) host.vars = { ...(host.vars ?? {}), criticality: 'low' };
  });
  writeFileSync(path, stringify(inventory));
}

/** The `certificates:` section of the environment's config; without `smtpPort`, no email. */
export function addCertificatesConfig(
  env: DemoEnvironment,
  dir: string,
  smtpPort: number | undefined,
  challtestsrv: string,
): void {
  const config = parse(readFileSync(env.configPath, 'utf8')) as Record<string, unknown>;
  config.certificates = {
    directory: join(dir, 'certificates'),
    allowedRoots: ['/etc/ssl/marshal'],
    trustStore: [join(dir, 'trust.pem')],
    keepPrevious: '7d',
    acme: {
      directoryCa: join(dir, 'pebble-tls.pem'),
      solver: { challtestsrv },
      pollMs: 100,
    },
    ...(smtpPort === undefined
      ? {}
      : {
          email: {
            smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
            from: 'marshal@example.test',
            to: ['certificates@example.test'],
          },
        }),
  };
  writeFileSync(env.configPath, stringify(config));
}

/** nginx on every host serving `first` (`concurrency` hosts at once). */
export async function serveFirstCertificate(
  env: DemoEnvironment,
  first: TestCertificate,
  concurrency = 1,
): Promise<void> {
  const ssh = executorFor(env.fleet);
  const queue = [...env.fleet.hosts];
  const one = async (host: (typeof queue)[number]): Promise<void> => {
    await ssh.exec(host, sh`mkdir -p /etc/ssl/marshal/www && chmod 755 /etc/ssl/marshal/www`);
    await ssh.upload(host, { path: CERT_PATH, content: first.certPem, mode: 0o644 });
    await ssh.upload(host, { path: KEY_PATH, content: first.keyPem, mode: 0o600 });
    await startNginx(ssh, host, {
      address: host.address,
      port: PORT,
      serverNames: DOMAINS,
      certificatePath: CERT_PATH,
      keyPath: KEY_PATH,
    });
  };
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let host = queue.shift(); host; host = queue.shift()) await one(host);
      }),
    );
  } finally {
    await ssh.close();
  }
}
