import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectDnsReader } from '../../traffic/dns/dns-reader.js';
import type { DnsServer } from '../../traffic/dns/dns-update.js';
import type { TsigAlgorithm } from '../../traffic/dns/tsig-key.js';
import { freePort } from '../free-port.js';
import { killChild } from './kill-child.js';

export interface LocalKnotOptions {
  /** The zone served, absolute, e.g. `drill.test.` */
  zone: string;
  /** Records of the zone file below its SOA and NS, e.g. `api 60 IN A 192.0.2.10`. */
  records: string[];
  keyName?: string;
  algorithm?: TsigAlgorithm;
}

/**
 * A real authoritative DNS server (Debian's `knotd`) of the tests' own, on a free loopback port, serving
 * one zone from its own temp directory and taking RFC 2136 updates signed with a TSIG key made for it.
 * The key's secret is returned to the test, which hands it to Marshal through an environment variable,
 * as an operator would.
 */
export class LocalKnot {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly zone: string,
    readonly key: { name: string; algorithm: TsigAlgorithm; secret: string },
    private readonly child: ChildProcess,
  ) {}

  get server(): DnsServer {
    return { host: '127.0.0.1', port: this.port };
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: LocalKnotOptions): Promise<LocalKnot> {
    assertInstalled();
    const dir = mkdtempSync(join(tmpdir(), 'marshal-knot-'));
    mkdirSync(join(dir, 'db'));
    const key = {
      name: options.keyName ?? 'drill-key.',
      algorithm: options.algorithm ?? 'hmac-sha256',
      secret: randomBytes(32).toString('base64'),
    };
    const zone = options.zone.endsWith('.') ? options.zone : `${options.zone}.`;
    writeFileSync(
      join(dir, 'zone'),
      [
        `$ORIGIN ${zone}`,
        '$TTL 60',
        '@ IN SOA ns1 hostmaster 1 3600 600 86400 60',
        '@ IN NS ns1',
        'ns1 IN A 127.0.0.1',
        ...options.records,
        '',
      ].join('\n'),
    );
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = join(dir, 'knot.conf');
      writeFileSync(config, renderConfig(dir, port, zone, key));
      const child = spawn('knotd', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const knot = new LocalKnot(dir, port, zone, key, child);
      try {
        await knot.waitServing(() => stderr);
        return knot;
      } catch (err) {
        await knot.kill();
        if (attempt >= 3) {
          rmSync(dir, { recursive: true, force: true });
          throw err;
        }
      }
    }
  }

  private async waitServing(stderr: () => string): Promise<void> {
    const reader = new DirectDnsReader(this.server, { timeoutMs: 500, tries: 1 });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`knotd exited with ${this.child.exitCode}: ${stderr().trim()}`);
      if ((await reader.serial(this.zone).catch(() => 0)) > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`knotd did not serve ${this.zone} within 15 s: ${stderr().trim()}`);
  }

  kill(): Promise<void> {
    return killChild(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function renderConfig(
  dir: string,
  port: number,
  zone: string,
  key: { name: string; algorithm: string; secret: string },
): string {
  return `server:
    rundir: "${dir}"
    listen: 127.0.0.1@${port}
    pidfile: "${join(dir, 'knot.pid')}"
database:
    storage: "${join(dir, 'db')}"
key:
  - id: ${key.name}
    algorithm: ${key.algorithm}
    secret: ${key.secret}
acl:
  - id: drill-update
    key: ${key.name}
    action: update
zone:
  - domain: ${zone}
    storage: "${dir}"
    file: "zone"
    acl: drill-update
log:
  - target: stderr
    any: warning
`;
}

function assertInstalled(): void {
  const probe = spawnSync('knotd', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      'knotd is not installed. Install it (Debian: `apt-get install -y knot knot-dnsutils`; scripts/system-deps.sh does).',
    );
}
