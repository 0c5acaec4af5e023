import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';

export interface LocalRedisOptions {
  /** fsync every write to the append-only file, so even a SIGKILL loses nothing (crash tests). */
  persistent?: boolean;
  /**
   * Keep nothing across a restart (no AOF, no RDB). Marshal refuses such a Redis unless explicitly
   * allowed (MARSHAL_ALLOW_EPHEMERAL_REDIS=1): for tests of exactly that.
   */
  ephemeral?: boolean;
  /** Listen on this port (a test that starts Redis where a process already waits for it). */
  port?: number;
}

type Persistence = 'none' | 'everysec' | 'always';

/**
 * A `redis-server` of Marshal's own on a free loopback port: for tests (so a crash or restart test
 * disturbs nothing else) and for the local demo when no REDIS_URL is given.
 *
 * By default it keeps an append-only file (fsync once a second) in its own temporary directory: the
 * same kind of Redis production must run, so the local run, the tests and the benchmarks pass
 * Marshal's persistence check instead of switching it off, at the cost of one write(2) per command.
 */
export class LocalRedis {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly persistence: Persistence,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: LocalRedisOptions = {}): Promise<LocalRedis> {
    assertRedisInstalled();
    const dir = mkdtempSync(join(tmpdir(), 'marshal-redis-'));
    for (let attempt = 0; ; attempt++) {
      const persistence: Persistence = options.ephemeral
        ? 'none'
        : options.persistent
          ? 'always'
          : 'everysec';
      const redis = new LocalRedis(options.port ?? (await freePort()), dir, persistence);
      try {
        await redis.launch();
        return redis;
      } catch (err) {
        if (attempt >= 4) throw err;
      }
    }
  }

  /** Starts the server again on the same port and directory (after `kill` or `stop`). */
  async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.persistence === 'none' ? 'no' : 'yes',
      '--appendfsync',
      this.persistence === 'always' ? 'always' : 'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${this.port} did not answer within 10 s: ${stderr.trim()}`);
  }

  /** SIGKILL: a crash, no chance to save. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(sig);
    });
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function assertRedisInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed. Install it (Debian: `apt-get install -y redis-server`) or set REDIS_URL to a Redis 6.2+ with maxmemory-policy noeviction.',
    );
  }
}
