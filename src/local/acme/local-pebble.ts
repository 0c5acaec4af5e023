import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { ChalltestsrvDnsSolver } from '../../certificates/acme/challtestsrv-dns-solver.js';
import { ChalltestsrvHttpSolver } from '../../certificates/acme/challtestsrv-http-solver.js';
import { httpsGetText } from './https-text.js';
import { TestCa } from './test-ca.js';

/**
 * Debian's `pebble` (a real ACME server) and `pebble-challtestsrv` (the DNS server pebble's validation
 * authority queries, with an HTTP API to set TXT records), started on free loopback ports with their
 * own config, for tests and the local run.
 *
 * Challenges are really checked: PEBBLE_VA_ALWAYS_VALID is never set, and authorization reuse is off so
 * every order needs its own challenge. Random VA sleeps and nonce rejection are off (speed, not realism).
 * Pebble's HTTPS (directory and management API) uses a certificate from a throwaway CA made here:
 * `directoryCaPem` is what a client must trust; pebble's issuing root is another thing (`issuerRoots`).
 */
export class LocalPebble {
  private constructor(
    private readonly dir: string,
    private readonly children: ChildProcess[],
    /** The ACME directory, e.g. `https://127.0.0.1:40123/dir`. */
    readonly directoryUrl: string,
    /** Pebble's management API (roots, intermediates). */
    readonly managementUrl: string,
    /** challtestsrv's management API (TXT records). */
    readonly challengeApiUrl: string,
    /** The root that signed pebble's own HTTPS certificate: trust it for the directory, nowhere else. */
    readonly directoryCaPem: string,
    /** The DNS server (`127.0.0.1:port`) pebble validates DNS-01 against. */
    readonly dnsServer: string,
  ) {}

  /**
   * `dnsServer` (`host:port`): the DNS server pebble's validation authority queries instead of
   * challtestsrv's, e.g. a knotd authoritative for the challenge zone (DNS-01 through RFC 2136).
   */
  static async start(options: { dnsServer?: string } = {}): Promise<LocalPebble> {
    assertInstalled();
    for (let attempt = 0; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'marshal-pebble-'));
      try {
        return await LocalPebble.launch(dir, options.dnsServer);
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        // Free ports are racy: another process may take one between asking and binding.
        if (attempt >= 3 || !String((err as Error).message).includes('address already in use')) throw err;
      }
    }
  }

  private static async launch(dir: string, dnsServer: string | undefined): Promise<LocalPebble> {
    const tlsCa = TestCa.root('Marshal Pebble TLS Root');
    const tls = tlsCa.issue({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'cert.pem'), tls.certPem);
    writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
    const [acmePort, managementPort, httpPort, tlsPort, dnsPort, challengeApiPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    writeFileSync(
      join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: join(dir, 'cert.pem'),
          privateKey: join(dir, 'key.pem'),
          // Where pebble connects for HTTP-01: challtestsrv's HTTP-01 server. TLS-ALPN-01: nothing listens.
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    const children: ChildProcess[] = [];
    const pebble = new LocalPebble(
      dir,
      children,
      `https://127.0.0.1:${acmePort}/dir`,
      `https://127.0.0.1:${managementPort}`,
      `http://127.0.0.1:${challengeApiPort}`,
      tlsCa.certPem,
      dnsServer ?? `127.0.0.1:${dnsPort}`,
    );
    try {
      children.push(
        spawnLogged('pebble-challtestsrv', [
          '-management',
          `127.0.0.1:${challengeApiPort}`,
          '-dns01',
          `127.0.0.1:${dnsPort}`,
          '-http01',
          `127.0.0.1:${httpPort}`,
          '-https01',
          '',
          '-tlsalpn01',
          '',
          '-defaultIPv4',
          '127.0.0.1',
          '-defaultIPv6',
          '',
        ]),
      );
      await waitForPort(children[0]!, challengeApiPort!);
      children.push(
        spawnLogged('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', pebble.dnsServer], {
          ...process.env,
          PEBBLE_VA_NOSLEEP: '1',
          PEBBLE_WFE_NONCEREJECT: '0',
          PEBBLE_AUTHZREUSE: '0',
        }),
      );
      await waitForPort(children[1]!, acmePort!);
      await waitForPort(children[1]!, managementPort!);
      return pebble;
    } catch (err) {
      await pebble.stop();
      throw err;
    }
  }

  /** A DNS-01 solver that publishes TXT records on the DNS server pebble queries. */
  dnsSolver(): ChalltestsrvDnsSolver {
    return new ChalltestsrvDnsSolver(this.challengeApiUrl);
  }

  /** An HTTP-01 solver that serves tokens from the HTTP server pebble connects to. */
  httpSolver(): ChalltestsrvHttpSolver {
    return new ChalltestsrvHttpSolver(this.challengeApiUrl);
  }

  /** The root pebble issues under (made fresh at each start): the trust store for what it issues. */
  issuerRoots(): Promise<string> {
    return httpsGetText(`${this.managementUrl}/roots/0`, this.directoryCaPem);
  }

  /** The intermediate pebble signs leaves with. */
  issuerIntermediates(): Promise<string> {
    return httpsGetText(`${this.managementUrl}/intermediates/0`, this.directoryCaPem);
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map(stopChild));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface LoggedChild extends ChildProcess {
  output?: string;
}

function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): LoggedChild {
  const child: LoggedChild = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.output = '';
  const keep = (chunk: Buffer): void => {
    child.output = (child.output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function waitForPort(child: LoggedChild, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${child.spawnfile} exited (${child.exitCode ?? child.signalCode}) before listening: ${child.output?.trim()}`,
      );
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `${child.spawnfile} did not listen on 127.0.0.1:${port} within 30 s: ${child.output?.trim()}`,
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function assertInstalled(): void {
  for (const program of ['pebble', 'pebble-challtestsrv']) {
    const probe = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
    if (probe.status !== 0)
      throw new Error(
        `${program} is not installed. Install Debian's pebble package (\`apt-get install -y pebble\`, or run scripts/system-deps.sh).`,
      );
  }
}
