import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnixRuntimeSocket } from '../../traffic/haproxy/runtime-socket.js';
import { freePort } from '../free-port.js';
import { killChild } from './kill-child.js';

/**
 * A real `haproxy` of the tests' own: one HTTP frontend on a loopback port, backends of servers given by
 * address, and the runtime API on a stats socket (level admin) in its own temp directory. Started in the
 * foreground (`-db`) as a child, so stopping the test stops it.
 */
export interface WeightedHaproxyBackend {
  name: string;
  /** `roundrobin` (the default) honours weight changes at run time. */
  balance?: 'roundrobin' | 'leastconn' | 'source';
  servers: { name: string; host: string; port: number; weight: number }[];
}

export class WeightedHaproxy {
  private constructor(
    readonly dir: string,
    readonly frontendPort: number,
    private readonly child: ChildProcess,
  ) {}

  get socketPath(): string {
    return join(this.dir, 'admin.sock');
  }

  get frontendUrl(): string {
    return `http://127.0.0.1:${this.frontendPort}`;
  }

  /** The first backend receives the frontend's traffic. */
  static async start(backends: WeightedHaproxyBackend[]): Promise<WeightedHaproxy> {
    assertInstalled();
    const dir = mkdtempSync(join(tmpdir(), 'marshal-haproxy-'));
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = join(dir, 'haproxy.cfg');
      writeFileSync(config, renderConfig(dir, port, backends));
      const child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const haproxy = new WeightedHaproxy(dir, port, child);
      try {
        await haproxy.waitReady(() => stderr);
        return haproxy;
      } catch (err) {
        await haproxy.kill();
        if (attempt >= 3 || !/Address already in use|cannot bind/i.test(stderr)) {
          rmSync(dir, { recursive: true, force: true });
          throw err;
        }
      }
    }
  }

  private async waitReady(stderr: () => string): Promise<void> {
    const socket = new UnixRuntimeSocket(this.socketPath, 1_000);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`haproxy exited with ${this.child.exitCode}: ${stderr().trim()}`);
      const info = await socket.send('show info').catch(() => '');
      if (/^Name: HAProxy/m.test(info)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`haproxy did not open its runtime API within 15 s: ${stderr().trim()}`);
  }

  kill(): Promise<void> {
    return killChild(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function renderConfig(dir: string, port: number, backends: WeightedHaproxyBackend[]): string {
  const lines = [
    'global',
    `  stats socket ${join(dir, 'admin.sock')} mode 600 level admin`,
    '  stats timeout 10s',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    // One request per connection to the server, so every request is balanced on its own.
    '  option http-server-close',
    'frontend drill',
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${backends[0]?.name ?? 'none'}`,
  ];
  for (const backend of backends) {
    lines.push(`backend ${backend.name}`, `  balance ${backend.balance ?? 'roundrobin'}`);
    for (const s of backend.servers) lines.push(`  server ${s.name} ${s.host}:${s.port} weight ${s.weight}`);
  }
  return `${lines.join('\n')}\n`;
}

function assertInstalled(): void {
  const probe = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      'haproxy is not installed. Install it (Debian: `apt-get install -y haproxy`; scripts/system-deps.sh does).',
    );
}
