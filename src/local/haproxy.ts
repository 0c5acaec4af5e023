import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface LocalHaproxyBackend {
  name: string;
  servers: { name: string; address: string; port: number }[];
}

export interface LocalHaproxyOptions {
  backends: LocalHaproxyBackend[];
  /** Health-check the servers (`check inter 1s rise 1 fall 3`); default true. */
  checks?: boolean;
}

/**
 * A `haproxy` of Marshal's own on loopback, for tests and the local run: one HTTP frontend per backend
 * on a free port, and the runtime API on an admin stats socket in a private directory.
 */
export class LocalHaproxy {
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly dir: string,
    readonly socket: string,
    /** Frontend port of each backend, by backend name. */
    readonly frontends: Record<string, number>,
    private readonly configPath: string,
  ) {}

  static async start(options: LocalHaproxyOptions): Promise<LocalHaproxy> {
    const probe = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0)
      throw new Error(
        'haproxy is not installed (Debian: `apt-get install -y haproxy`; scripts/system-deps.sh does it)',
      );
    const dir = mkdtempSync(join(tmpdir(), 'marshal-haproxy-'));
    for (let attempt = 0; ; attempt++) {
      const frontends: Record<string, number> = {};
      for (const b of options.backends) frontends[b.name] = await freePort();
      const socket = join(dir, 'admin.sock');
      const configPath = join(dir, 'haproxy.cfg');
      writeFileSync(configPath, renderConfig(options, socket, frontends));
      const haproxy = new LocalHaproxy(dir, socket, frontends, configPath);
      try {
        await haproxy.launch();
        return haproxy;
      } catch (err) {
        if (attempt >= 3) {
          rmSync(dir, { recursive: true, force: true });
          throw err;
        }
      }
    }
  }

  /** `http://127.0.0.1:<port>` of a backend's frontend. */
  url(backend: string): string {
    const port = this.frontends[backend];
    if (port === undefined) throw new Error(`no frontend for backend ${backend}`);
    return `http://127.0.0.1:${port}`;
  }

  private async launch(): Promise<void> {
    rmSync(this.socket, { force: true });
    // -db: stay in the foreground, so the process is ours to stop.
    const child = spawn('haproxy', ['-db', '-f', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`haproxy exited with ${child.exitCode}: ${this.stderr.trim()}`);
      if (await answers(this.socket)) return;
      await new Promise((r) => setTimeout(r, 30));
    }
    child.kill('SIGKILL');
    throw new Error(`haproxy's runtime API did not answer within 10 s: ${this.stderr.trim()}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null)
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function renderConfig(
  options: LocalHaproxyOptions,
  socket: string,
  frontends: Record<string, number>,
): string {
  const check = options.checks === false ? '' : ' check inter 1s rise 1 fall 3';
  const lines = [
    'global',
    `  stats socket ${socket} mode 600 level admin`,
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    // A busy test machine answers slowly: a check fails on no answer, not on a slow one.
    '  timeout check 5s',
    '  option redispatch',
    '  retries 2',
  ];
  for (const b of options.backends) {
    lines.push(
      `frontend fe_${b.name}`,
      `  bind 127.0.0.1:${frontends[b.name]}`,
      `  default_backend ${b.name}`,
    );
    lines.push(`backend ${b.name}`, '  balance roundrobin');
    for (const s of b.servers) lines.push(`  server ${s.name} ${s.address}:${s.port}${check}`);
  }
  return lines.join('\n') + '\n';
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ path: socket });
    let text = '';
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => s.end('show info\n'));
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.once('close', () => resolve(text.includes('Name: HAProxy')));
    s.once('error', () => resolve(false));
  });
}
