import { CLI_USER, configWithCliAccess } from './cli-config.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DemoEnvironment } from '../../src/local/demo/demo-environment.js';
import { LocalRedis, type LocalRedisOptions } from '../../src/local/redis-server.js';
import { HOOK_BIN_DIR } from '../../src/local/fleet/sshd-config.js';

export const TARGET = '/etc/marshal-apps/rate-limiter/rate-limiter.yaml';
export const TRACE_LOG = '/var/lib/marshal-host/trace.log';

/** `bin/marshal.js` as an operator runs it: a real process whose output the test reads as it comes. */
export interface MarshalProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches; rejects if the process exits first. */
  waitFor(pattern: RegExp, what: string): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

/** bin/marshal.js of this checkout, by absolute path: a process may run from any directory. */
export const MARSHAL_BIN = fileURLToPath(new URL('../../bin/marshal.js', import.meta.url));

export function startMarshal(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
): MarshalProcess {
  const child = spawn(process.execPath, [MARSHAL_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', (d: Buffer) => ((out += d.toString()), wake()));
  child.stderr?.on('data', (d: Buffer) => ((err += d.toString()), wake()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, what) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out) ?? pattern.exec(err);
          if (!m) return;
          waiters.splice(waiters.indexOf(check), 1);
          resolve(m);
        };
        waiters.push(check);
        check();
        void exited.then(({ code, signal }) => {
          if (waiters.includes(check))
            reject(
              new Error(`marshal exited (${code ?? signal}) before ${what}:\n${out}\n--- stderr\n${err}`),
            );
        });
      });
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Every install (rename onto the config file) and restore a host gets is logged on the host. */
export const MV_COUNTER = `#!/bin/sh
echo "mv $*" >> ${TRACE_LOG}
PATH=\${PATH#${HOOK_BIN_DIR}:} exec mv "$@"
`;

export function traceInstalls(env: DemoEnvironment): void {
  for (const host of env.fleet.hosts) env.fleet.install(host, 'mv', MV_COUNTER);
}

/** How often Marshal installed a new file onto the host's config (restores are not counted). */
export function installs(env: DemoEnvironment, host: string): number {
  const path = env.fleet.localPath(host, TRACE_LOG);
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => /^mv .*marshal-new-/.test(l) && l.endsWith(TARGET)).length;
}

export function hostSha(env: DemoEnvironment, host: string): string {
  return createHash('sha256')
    .update(readFileSync(env.fleet.localPath(host, TARGET)))
    .digest('hex');
}

export function bundleSha(): string {
  return createHash('sha256').update(readFileSync('bundles/rate-limiter/rate-limiter.yaml')).digest('hex');
}

/** The demo inventory: every fourth host is an api host, the rest are web hosts. */
export function webHosts(env: DemoEnvironment): string[] {
  return env.fleet.hosts.filter((_, i) => i % 4 !== 3).map((h) => h.name);
}

/**
 * The environment of a `marshal` process on the demo's Marshal: its config copied with the OS user
 * running the tests as a terminal identity that may start config push and run it unattended
 * (`--auto-approve` is refused otherwise).
 */
export function marshalEnv(env: DemoEnvironment, redisUrl: string): Record<string, string> {
  const config = configWithCliAccess(env.configPath, {
    'config-push': { start: [CLI_USER], approve: [CLI_USER], unattended: true },
  });
  return { REDIS_URL: redisUrl, MARSHAL_CONFIG: config, MARSHAL_PREFIX: env.prefix };
}

/** `marshal run` pushing the demo bundle to the web hosts: a canary, then two batches, unattended. */
export const PUSH_ARGS = [
  'run',
  'config-push',
  'rate-limiter',
  'to',
  'role=web',
  '--canary',
  '1',
  '--batches',
  '34%,100%',
  '--delay',
  '0s',
  '--auto-approve',
];

/** Per host, what it holds and how often Marshal installed onto it: each web host once, api hosts never. */
export function fleetOutcome(env: DemoEnvironment): { host: string; hasBundle: boolean; installs: number }[] {
  const wanted = bundleSha();
  return env.fleet.hosts.map((h) => ({
    host: h.name,
    hasBundle: hostSha(env, h.name) === wanted,
    installs: installs(env, h.name),
  }));
}

export function expectedOutcome(
  env: DemoEnvironment,
): { host: string; hasBundle: boolean; installs: number }[] {
  const web = new Set(webHosts(env));
  return env.fleet.hosts.map((h) => ({
    host: h.name,
    hasBundle: web.has(h.name),
    installs: web.has(h.name) ? 1 : 0,
  }));
}

/** A fault scenario's world: its own redis-server (to kill and restart), a demo fleet tracing installs. */
export interface FaultWorld {
  env: DemoEnvironment;
  redis: LocalRedis;
  /** Starts `bin/marshal.js` against this world; the process is killed by `close` if still running. */
  marshal(args: string[], extraEnv?: Record<string, string>): MarshalProcess;
  close(): Promise<void>;
}

export async function startFaultWorld(options: {
  hosts: number;
  redis: LocalRedisOptions;
}): Promise<FaultWorld> {
  const redis = await LocalRedis.start(options.redis);
  const env = await DemoEnvironment.start({ hosts: options.hosts, redisUrl: redis.url }).catch(
    async (err: unknown) => {
      await redis.destroy();
      throw err;
    },
  );
  traceInstalls(env);
  const started: MarshalProcess[] = [];
  return {
    env,
    redis,
    marshal(args, extraEnv = {}) {
      const p = startMarshal(args, { ...marshalEnv(env, redis.url), ...extraEnv });
      started.push(p);
      return p;
    },
    async close() {
      for (const p of started) await p.kill();
      await env.stop();
      await redis.destroy();
    },
  };
}
