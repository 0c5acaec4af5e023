/**
 * SSH executor against a bare ssh2 loop, side by side, on a fleet of real sshd hosts.
 *   npx tsx bench/ssh-executor.ts [--hosts 200] [--rounds 5] [--quick]
 * Both sides use the same algorithms, key and concurrency (50). Reports medians over rounds:
 *   - cold command latency p50: connect + handshake + `true` on a host with no open connection
 *   - bare handshake p50 (connect → ready), for reference
 *   - hosts/second for `true` over every host, cold (new connections) and, for the executor, warm (pooled)
 *   - memory per open connection: RSS delta / connections with all hosts connected, each side in a
 *     fresh process (also heap+external delta, which allocator slack does not blur)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from 'ssh2';
import type { Host } from '../src/hosts/host.js';
import { sh } from '../src/hosts/quote.js';
import { SshExecutor, modernAlgorithms } from '../src/hosts/ssh/index.js';
import { SshFleet } from '../src/local/fleet/index.js';
import { silentLogger } from '../src/log/index.js';
import { againstGoal, GOALS, usageWithGoals } from './support/goals.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
ssh-executor: Marshal's SSH executor against a bare ssh2 loop on a fleet of real sshd hosts.
  npx tsx bench/ssh-executor.ts [--hosts N] [--rounds N] [--quick]
  --hosts N   fleet size (default 200; --quick: 50)
  --rounds N  rounds (default 5; --quick: 1)
`,
  ['sshExecutorOverBare'],
);
const IS_CHILD = process.argv[2] === 'memory-child';
const options = IS_CHILD
  ? {}
  : benchOptions(USAGE, { hosts: { type: 'string' }, rounds: { type: 'string' } });

const HOSTS = IS_CHILD ? 0 : count(options['hosts'], options['quick'] ? 50 : 200, 'hosts');
const ROUNDS = count(options['rounds'], options['quick'] ? 1 : 5, 'rounds');
const CONCURRENCY = 50;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function bareConnect(host: Host, key: Buffer): Promise<{ client: Client; handshakeMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve({ client, handshakeMs: performance.now() - started }));
    client.once('error', reject);
    client.connect({
      host: host.address,
      port: host.port,
      username: host.user,
      privateKey: key,
      algorithms: modernAlgorithms(),
      readyTimeout: 20_000,
    });
  });
}

function bareExec(client: Client, text: string): Promise<number | null> {
  return new Promise((resolve, reject) =>
    client.exec(text, (err, stream) => {
      if (err) return reject(err);
      let code: number | null = null;
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => resolve(code)).resume();
      stream.stderr.resume();
    }),
  );
}

function closeAll(clients: Client[]): Promise<void> {
  return Promise.all(
    clients.map((c) => new Promise<void>((r) => (c.once('close', () => r()), c.end()))),
  ).then(() => {});
}

/** RSS after garbage collection (run with NODE_OPTIONS=--expose-gc for steadier numbers). */
async function gcSettle(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage().rss;
}

/** JS heap + external buffers after GC: what the connections themselves hold, without allocator slack. */
async function liveBytes(): Promise<number> {
  await gcSettle();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

interface Round {
  bareColdP50: number;
  bareHandshakeP50: number;
  bareHostsPerSec: number;
  bareMemPerConn: number;
  bareLivePerConn: number;
  execColdP50: number;
  execHostsPerSec: number;
  execWarmHostsPerSec: number;
  execMemPerConn: number;
  execLivePerConn: number;
}

async function bareRound(
  hosts: Host[],
  key: Buffer,
): Promise<
  Pick<Round, 'bareColdP50' | 'bareHandshakeP50' | 'bareHostsPerSec' | 'bareMemPerConn' | 'bareLivePerConn'>
> {
  const latencies: number[] = [];
  const handshakes: number[] = [];
  const started = performance.now();
  await pool(hosts, CONCURRENCY, async (h) => {
    const t = performance.now();
    const { client, handshakeMs } = await bareConnect(h, key);
    if ((await bareExec(client, 'true')) !== 0) throw new Error(`bare: true failed on ${h.name}`);
    latencies.push(performance.now() - t);
    handshakes.push(handshakeMs);
    client.end();
  });
  const hostsPerSec = hosts.length / ((performance.now() - started) / 1000);
  const live0 = await liveBytes();
  const rss0 = await gcSettle();
  const clients: Client[] = [];
  await pool(hosts, CONCURRENCY, async (h) => {
    const { client } = await bareConnect(h, key);
    await bareExec(client, 'true');
    clients.push(client);
  });
  const rss1 = await gcSettle();
  const live1 = await liveBytes();
  await closeAll(clients);
  return {
    bareColdP50: median(latencies),
    bareHandshakeP50: median(handshakes),
    bareHostsPerSec: hostsPerSec,
    bareMemPerConn: (rss1 - rss0) / clients.length,
    bareLivePerConn: (live1 - live0) / clients.length,
  };
}

function newExecutor(fleet: SshFleet, maxConnections: number): SshExecutor {
  return new SshExecutor(
    {
      knownHostsPath: fleet.knownHostsPath,
      privateKeyPath: fleet.privateKeyPath,
      maxConnections,
      idleCloseMs: 600_000,
      readyTimeoutMs: 20_000,
    },
    { logger: silentLogger() },
  );
}

async function executorRound(
  fleet: SshFleet,
  hosts: Host[],
): Promise<
  Pick<
    Round,
    'execColdP50' | 'execHostsPerSec' | 'execWarmHostsPerSec' | 'execMemPerConn' | 'execLivePerConn'
  >
> {
  const cmd = sh`true`;
  // Cold: at most CONCURRENCY connections open, as in the bare loop (the pool closes idle ones for room).
  const cold = newExecutor(fleet, CONCURRENCY);
  const latencies: number[] = [];
  let started = performance.now();
  await pool(hosts, CONCURRENCY, async (h) => {
    const t = performance.now();
    if ((await cold.exec(h, cmd)).exitCode !== 0) throw new Error(`executor: true failed on ${h.name}`);
    latencies.push(performance.now() - t);
  });
  const coldHostsPerSec = hosts.length / ((performance.now() - started) / 1000);
  await cold.close();
  // Every host connected and kept: memory per open connection, then warm (pooled) throughput.
  const live0 = await liveBytes();
  const rss0 = await gcSettle();
  const ssh = newExecutor(fleet, hosts.length + 10);
  await pool(hosts, CONCURRENCY, async (h) => {
    await ssh.exec(h, cmd);
  });
  const rss1 = await gcSettle();
  const live1 = await liveBytes();
  const open = ssh.openConnections;
  started = performance.now();
  await pool(hosts, CONCURRENCY, async (h) => {
    await ssh.exec(h, cmd);
  });
  const warmHostsPerSec = hosts.length / ((performance.now() - started) / 1000);
  await ssh.close();
  return {
    execColdP50: median(latencies),
    execHostsPerSec: coldHostsPerSec,
    execWarmHostsPerSec: warmHostsPerSec,
    execMemPerConn: (rss1 - rss0) / open,
    execLivePerConn: (live1 - live0) / open,
  };
}

interface MemorySample {
  rss: number;
  live: number;
}

/**
 * Memory per connection is measured in a fresh process per side: in this one, earlier rounds have
 * already grown the heap, so opening connections barely moves RSS.
 */
function measureMemoryInChild(side: 'bare' | 'executor', fleet: SshFleet): MemorySample {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), 'memory-child', side],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_FLEET: JSON.stringify({
          hosts: fleet.hosts,
          knownHostsPath: fleet.knownHostsPath,
          privateKeyPath: fleet.privateKeyPath,
        }),
      },
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as MemorySample;
}

async function memoryChild(side: string): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_FLEET!) as {
    hosts: Host[];
    knownHostsPath: string;
    privateKeyPath: string;
  };
  const key = readFileSync(spec.privateKeyPath);
  const fleet = { knownHostsPath: spec.knownHostsPath, privateKeyPath: spec.privateKeyPath } as SshFleet;
  // Warm up the code paths (one connection) so module loading and JIT are not counted.
  if (side === 'bare') (await bareConnect(spec.hosts[0]!, key)).client.end();
  else
    await newExecutor(fleet, 10)
      .exec(spec.hosts[0]!, sh`true`)
      .then(() => undefined);
  const live0 = await liveBytes();
  const rss0 = await gcSettle();
  const clients: Client[] = [];
  const ssh = newExecutor(fleet, spec.hosts.length + 10);
  await pool(spec.hosts, CONCURRENCY, async (h) => {
    if (side === 'bare') {
      const { client } = await bareConnect(h, key);
      await bareExec(client, 'true');
      clients.push(client);
    } else {
      await ssh.exec(h, sh`true`);
    }
  });
  const rss1 = await gcSettle();
  const live1 = await liveBytes();
  const n = side === 'bare' ? clients.length : ssh.openConnections;
  process.stdout.write(`${JSON.stringify({ rss: (rss1 - rss0) / n, live: (live1 - live0) / n })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  if (IS_CHILD) return memoryChild(process.argv[3]!);
  let t = performance.now();
  const fleet = await SshFleet.start({ count: HOSTS, name: 'bench' });
  const startupSec = (performance.now() - t) / 1000;
  const stop = (): void => void fleet.stopAll().then(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    const key = readFileSync(fleet.privateKeyPath);
    const hosts = fleet.hosts;
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      t = performance.now();
      // Alternate which side goes first, so neither always meets a warmer machine.
      const [bare, exec] =
        r % 2 === 0
          ? [await bareRound(hosts, key), await executorRound(fleet, hosts)]
          : await executorRound(fleet, hosts).then(async (e) => [await bareRound(hosts, key), e] as const);
      rounds.push({ ...bare, ...exec });
      process.stderr.write(`round ${r + 1}/${ROUNDS} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
    const memory = { bare: [] as MemorySample[], executor: [] as MemorySample[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of r % 2 === 0 ? (['bare', 'executor'] as const) : (['executor', 'bare'] as const)) {
        memory[side].push(measureMemoryInChild(side, fleet));
      }
    }
    const m = (k: keyof Round): number => median(rounds.map((x) => x[k]));
    const kb = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;
    const rows: [string, string, string, string][] = [
      [
        'cold command latency p50 (ms)',
        m('bareColdP50').toFixed(1),
        m('execColdP50').toFixed(1),
        (m('execColdP50') / m('bareColdP50')).toFixed(2),
      ],
      [
        'hosts/s, `true`, cold, conc 50',
        m('bareHostsPerSec').toFixed(1),
        m('execHostsPerSec').toFixed(1),
        (m('bareHostsPerSec') / m('execHostsPerSec')).toFixed(2),
      ],
      [
        'memory per open connection, fresh process (RSS delta)',
        kb(median(memory.bare.map((x) => x.rss))),
        kb(median(memory.executor.map((x) => x.rss))),
        (median(memory.executor.map((x) => x.rss)) / median(memory.bare.map((x) => x.rss))).toFixed(2),
      ],
      [
        'memory per open connection, fresh process (heap+external delta)',
        kb(median(memory.bare.map((x) => x.live))),
        kb(median(memory.executor.map((x) => x.live))),
        (median(memory.executor.map((x) => x.live)) / median(memory.bare.map((x) => x.live))).toFixed(2),
      ],
    ];
    console.log(
      `\nSSH executor vs bare ssh2 loop: ${HOSTS} hosts, concurrency ${CONCURRENCY}, medians of ${ROUNDS} rounds`,
    );
    console.log(`fleet startup: ${startupSec.toFixed(2)} s for ${HOSTS} hosts`);
    console.log(`bare handshake p50 (connect → ready): ${m('bareHandshakeP50').toFixed(1)} ms`);
    console.log(`executor warm (pooled) hosts/s, \`true\`: ${m('execWarmHostsPerSec').toFixed(1)}`);
    console.log(
      `\n| metric | bare ssh2 | executor | executor cost (1.00 = equal; goal ≤ ${GOALS.sshExecutorOverBare.limit}) |\n|---|---|---|---|`,
    );
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(
      `\ncold command latency p50: ${againstGoal('sshExecutorOverBare', m('execColdP50') / m('bareColdP50'))}`,
    );
    console.log(
      `hosts/s, cold (bare / executor): ${againstGoal('sshExecutorOverBare', m('bareHostsPerSec') / m('execHostsPerSec'))}`,
    );
  } finally {
    t = performance.now();
    await fleet.stopAll();
    console.log(`fleet teardown: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  }
}

void main();
