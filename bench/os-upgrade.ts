/**
 * OS upgrade (GitHub issue "OS upgrade, end to end"): a fleet of real sshd hosts with A/B slots upgraded to
 * a new release at concurrency 50, each host's reboot keeping it down 5 s, three ways on the same fleet:
 *   marshal  the os-upgrade workflow on the engine (validation against the signed catalog, pre-checks,
 *            no canary, approval given at once by another identity, one batch of 100 %, concurrency 50);
 *            per host: fetch from the loopback image server, sha256 on the host, install, next boot,
 *            reboot, wait for a new boot id, version + health, mark good
 *   bare     ssh2 alone doing the same remote work, pass by pass, with the same command text and poll
 *            schedule (bench/os-upgrade/bare-upgrade.ts): what the work itself costs on this machine, so
 *            marshal / bare is what orchestration adds
 *   ansible  ansible-playbook at forks 50: get_url (with the sha256 checksum), command (abctl install,
 *            set-next), reboot (waits for a new boot id), command (abctl mark-good)
 * against the ideal: the waits nobody can avoid, ceil(hosts / 50) × the reboot's down time.
 * Every host is put back on the old release in slot a before each round and checked after it. Marshal and
 * bare take turns round by round, so both see the same machine. Per host, each row's phases (medians), and
 * its "reboot → back" split by what the fleet saw (asked, noticed, off, up, back).
 *   npx tsx bench/os-upgrade.ts [--hosts 200] [--rounds 3] [--ansible-rounds 3] [--reboot-ms 5000] [--quick]
 * Writes bench/results/os-upgrade.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HOOK_BIN_DIR } from '../src/local/fleet/index.js';
import { LocalRedis } from '../src/local/redis-server.js';
import type { RunSnapshot } from '../src/engine/index.js';
import { historyKey, parseHistory } from '../src/osupgrade/index.js';
import { OsUpgradeWorld, REQUESTER, worldSettings } from '../test/support/os-upgrade-world.js';
import { chooseRelease, readSettings } from '../workflows/os-upgrade/release.js';
import { median } from './config-push/bare-ssh.js';
import { bareUpgradeRound } from './os-upgrade/bare-upgrade.js';
import {
  formatMedians,
  phaseMedians,
  rebootMedians,
  type HostTimes,
  type Phase,
} from './os-upgrade/host-timeline.js';
import { againstGoal, usageWithGoals } from './support/goals.js';
import { withLoopDelay } from './support/loop-delay.js';
import { benchOptions, count } from './support/options.js';

const USAGE = usageWithGoals(
  `
os-upgrade: real sshd hosts with A/B slots upgraded and rebooted, Marshal vs bare ssh2 vs Ansible vs the ideal.
  npx tsx bench/os-upgrade.ts [--hosts N] [--rounds N] [--ansible-rounds N] [--reboot-ms N] [--quick]
  --hosts N           fleet size (default 200; --quick: 50)
  --rounds N          rounds of Marshal, and as many of bare ssh2 (default 3; --quick: 1)
  --ansible-rounds N  rounds of Ansible (default 3; 0 skips it; --quick: 1)
  --reboot-ms N       how long a host stays down at its reboot (default 5000)
Starts its own redis-server (REDIS_URL to use another). Writes bench/results/os-upgrade.json.
`,
  ['osUpgradeOverIdeal', 'osUpgradeOverBareSameSteps', 'osUpgradeAnsibleOverMarshal'],
);
const options = benchOptions(USAGE, {
  hosts: { type: 'string' },
  rounds: { type: 'string' },
  'ansible-rounds': { type: 'string' },
  'reboot-ms': { type: 'string' },
});
const QUICK = options['quick'] === true;
const HOSTS = count(options['hosts'], QUICK ? 50 : 200, 'hosts');
const ROUNDS = count(options['rounds'], QUICK ? 1 : 3, 'rounds');
const ANSIBLE_ROUNDS = count(options['ansible-rounds'], QUICK ? 1 : 3, 'ansible-rounds');
const REBOOT_MS = count(options['reboot-ms'], 5000, 'reboot-ms');
const CONCURRENCY = 50;
// A loaded machine starts 50 sshds at once slowly: a host is given a minute to come back.
const REBOOT_TIMEOUT_MS = 60_000;

function verify(world: OsUpgradeWorld, who: string): void {
  const wrong = world.inventory.hosts().filter((_, i) => world.version(i) !== '12.7');
  if (wrong.length > 0)
    throw new Error(
      `${who}: ${wrong.length} hosts do not run 12.7 (${wrong
        .slice(0, 5)
        .map((h) => h.name)
        .join(', ')})`,
    );
}

/**
 * Where one round's time went: Marshal's tasks (or bare's passes), each host's phases and its reboot's
 * parts (medians over hosts, ms).
 */
interface Breakdown {
  tasks: Record<string, number>;
  hostPhases: Record<string, number>;
  reboot: Record<string, number>;
  /** How late this process's event loop ran during the round (ms). */
  loopDelay?: { p99Ms: number; maxMs: number };
}

async function marshalRound(world: OsUpgradeWorld): Promise<{ ms: number; breakdown: Breakdown }> {
  world.fleet.selfReboots.length = 0;
  const started = performance.now();
  const runId = await world.engine.start({
    workflow: 'os-upgrade',
    requester: REQUESTER,
    params: {
      selector: 'os-*',
      release: 'debian-12.7',
      canary: 0,
      batches: ['100%'],
      soakMs: 0,
      concurrency: CONCURRENCY,
      maxFailPercent: 0,
    },
  });
  await world.approve(runId);
  const run = await world.finished(runId, 30 * 60_000);
  const ms = performance.now() - started;
  if (run.state !== 'succeeded') {
    const tasks = run.tasks.filter((t) => t.error).map((t) => `${t.taskId}: ${t.error}`);
    const hosts = run.targets.filter((t) => !t.ok).map((t) => `${t.target}: ${t.error}`);
    throw new Error(
      `marshal: run ${runId} ended ${run.state}\n${[...tasks, ...hosts.slice(0, 10)].join('\n')}`,
    );
  }
  return { ms, breakdown: await breakdown(world, run) };
}

async function breakdown(world: OsUpgradeWorld, run: RunSnapshot): Promise<Breakdown> {
  const tasks: Record<string, number> = {};
  for (const t of run.tasks)
    if (t.startedAt && t.finishedAt) tasks[t.taskId] = Date.parse(t.finishedAt) - Date.parse(t.startedAt);
  const records = parseHistory(await world.records.list(historyKey('debian-12.7'))).filter(
    (r) => r.runId === run.runId && r.result === 'done' && r.phases,
  );
  // The step's phase stamps; `done` is its history record, written after the slot was marked good.
  const hosts: HostTimes = new Map();
  for (const r of records) {
    const t: Partial<Record<Phase, number>> = { done: Date.parse(r.at) };
    for (const [phase, at] of Object.entries(r.phases!)) t[phase as Phase] = Date.parse(at);
    hosts.set(r.host, t);
  }
  return { tasks, hostPhases: phaseMedians(hosts), reboot: rebootMedians(hosts, world.fleet.selfReboots) };
}

async function bareRound(world: OsUpgradeWorld): Promise<{ ms: number; breakdown: Breakdown }> {
  world.fleet.selfReboots.length = 0;
  // The workflow's own settings and release, read as its validation reads them (the signed catalog).
  const settings = readSettings({
    ...worldSettings(world.keys.publicKey),
    rebootTimeoutMs: REBOOT_TIMEOUT_MS,
  });
  const release = await chooseRelease(settings, world.dir, 'debian-12.7');
  const r = await bareUpgradeRound({
    hosts: world.inventory.hosts(),
    privateKeyPath: world.fleet.privateKeyPath,
    knownHostsPath: world.fleet.knownHostsPath,
    settings,
    release,
    concurrency: CONCURRENCY,
  });
  return {
    ms: r.ms,
    breakdown: {
      tasks: r.passes,
      hostPhases: phaseMedians(r.hosts),
      reboot: rebootMedians(r.hosts, world.fleet.selfReboots),
    },
  };
}

async function timed(
  round: () => Promise<{ ms: number; breakdown: Breakdown }>,
): Promise<{ ms: number; breakdown: Breakdown }> {
  const { value, p99Ms, maxMs } = await withLoopDelay(round);
  return { ms: value.ms, breakdown: { ...value.breakdown, loopDelay: { p99Ms, maxMs } } };
}

function printRound(round: number, row: string, ms: number, b: Breakdown): void {
  const lag = b.loopDelay
    ? ` (event loop late by p99 ${b.loopDelay.p99Ms.toFixed(0)} ms, max ${b.loopDelay.maxMs.toFixed(0)} ms)`
    : '';
  console.log(`round ${round}: ${row} ${s(ms)}${lag}`);
  console.log(`         per host (median ms): ${formatMedians(b.hostPhases)}`);
  console.log(`         its reboot (median ms): ${formatMedians(b.reboot)}`);
  console.log(`         ${row === 'marshal' ? 'tasks' : 'passes'} (ms): ${formatMedians(b.tasks)}`);
}

function writeAnsibleProject(world: OsUpgradeWorld, url: string, sha256: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'marshal-bench-osup-ansible-'));
  const lines = ['[fleet]'];
  for (const h of world.inventory.hosts())
    lines.push(`${h.name} ansible_host=${h.address} ansible_port=${h.port} ansible_user=${h.user}`);
  lines.push(
    '',
    '[fleet:vars]',
    `ansible_ssh_private_key_file=${world.fleet.privateKeyPath}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${world.fleet.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    'ansible_python_interpreter=/usr/bin/python3',
  );
  writeFileSync(join(dir, 'inventory.ini'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'ansible.cfg'),
    [
      '[defaults]',
      'inventory = inventory.ini',
      `forks = ${CONCURRENCY}`,
      'host_key_checking = True',
      'gathering = explicit',
      'retry_files_enabled = False',
      `local_tmp = ${join(dir, 'local-tmp')}`,
      '',
      '[ssh_connection]',
      'pipelining = True',
      `control_path_dir = ${join(dir, 'cp')}`,
      '',
    ].join('\n'),
  );
  const file = '/var/lib/marshal-host/disk/marshal-os-debian-12.7.img';
  writeFileSync(
    join(dir, 'upgrade.yaml'),
    stringify([
      {
        name: 'os upgrade',
        hosts: 'fleet',
        strategy: 'free',
        tasks: [
          { name: 'fetch', 'ansible.builtin.get_url': { url, dest: file, checksum: `sha256:${sha256}` } },
          { name: 'install', 'ansible.builtin.command': { argv: ['abctl', 'install', file] } },
          { name: 'next boot', 'ansible.builtin.command': { argv: ['abctl', 'set-next'] } },
          {
            name: 'reboot',
            'ansible.builtin.reboot': { reboot_command: `${HOOK_BIN_DIR}/reboot`, reboot_timeout: 600 },
          },
          { name: 'mark good', 'ansible.builtin.command': { argv: ['abctl', 'mark-good'] } },
        ],
      },
    ]),
  );
  return dir;
}

async function ansibleRound(dir: string, round: number): Promise<number> {
  rmSync(join(dir, 'cp'), { recursive: true, force: true });
  const log = join(dir, `run-${round}.log`);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('ansible-playbook', ['upgrade.yaml'], {
      cwd: dir,
      env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (c) => {
      writeFileSync(log, out);
      resolve(c);
    });
  });
  const ms = performance.now() - started;
  if (code !== 0)
    throw new Error(
      `ansible-playbook exited ${code}; see ${log}:\n${readFileSync(log, 'utf8').slice(-3000)}`,
    );
  return ms;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  if (ANSIBLE_ROUNDS > 0 && !existsSync('/usr/bin/ansible-playbook'))
    throw new Error('ansible-playbook is not installed (apt-get install ansible)');
  console.log(`starting ${HOSTS} fleet hosts (reboot keeps each down ${REBOOT_MS} ms)…`);
  const redis = process.env.REDIS_URL ? undefined : await LocalRedis.start();
  const world = await OsUpgradeWorld.start(process.env.REDIS_URL ?? redis!.url, {
    hosts: HOSTS,
    rebootDownMs: REBOOT_MS,
    // As `marshal serve` (50 by default): the rollout's 50 hosts at once plus the run's other tasks.
    workerConcurrency: CONCURRENCY + 8,
    // A host is given a minute to come back, and its handshake 30 s (a handshake refused in 5 s fails
    // the host, and the run's rollback takes minutes).
    rebootTimeoutMs: REBOOT_TIMEOUT_MS,
    readyTimeoutMs: 30_000,
  });
  let ansibleDir: string | undefined;
  try {
    const image = world.image('debian-12.7', '12.7');
    world.writeCatalog([world.release('debian-12.7', '12.7', image)]);
    const marshal: number[] = [];
    const breakdowns: Breakdown[] = [];
    const bare: number[] = [];
    const bareBreakdowns: Breakdown[] = [];
    const ansible: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      world.resetHosts();
      const m = await timed(() => marshalRound(world));
      marshal.push(m.ms);
      breakdowns.push(m.breakdown);
      verify(world, 'marshal');
      printRound(round, 'marshal', m.ms, m.breakdown);
      world.resetHosts();
      const b = await timed(() => bareRound(world));
      bare.push(b.ms);
      bareBreakdowns.push(b.breakdown);
      verify(world, 'bare');
      printRound(round, 'bare', b.ms, b.breakdown);
    }
    if (ANSIBLE_ROUNDS > 0) {
      ansibleDir = writeAnsibleProject(world, world.images.url(image), image.sha256);
      for (let round = 1; round <= ANSIBLE_ROUNDS; round++) {
        world.resetHosts();
        ansible.push(await ansibleRound(ansibleDir, round));
        verify(world, 'ansible');
        console.log(`round ${round}: ansible ${s(ansible.at(-1)!)}`);
      }
    }
    const ideal = Math.ceil(HOSTS / CONCURRENCY) * REBOOT_MS;
    const med = {
      marshal: median(marshal),
      bare: median(bare),
      ansible: ansible.length ? median(ansible) : undefined,
    };
    const ratios = {
      marshalOverIdeal: med.marshal / ideal,
      bareOverIdeal: med.bare / ideal,
      marshalOverBare: med.marshal / med.bare,
      ansibleOverMarshal: med.ansible === undefined ? undefined : med.ansible / med.marshal,
    };
    console.log(`\n${HOSTS} hosts, concurrency ${CONCURRENCY}, reboot down ${REBOOT_MS} ms (medians)`);
    console.log(`ideal (unavoidable waits)   ${s(ideal)}`);
    console.log(`bare ssh2, same steps       ${s(med.bare)}  (${ratios.bareOverIdeal.toFixed(2)}× ideal)`);
    console.log(
      `marshal                     ${s(med.marshal)}  (${ratios.marshalOverIdeal.toFixed(2)}× ideal, ${ratios.marshalOverBare.toFixed(2)}× bare)`,
    );
    if (med.ansible !== undefined)
      console.log(
        `ansible                     ${s(med.ansible)}  (${ratios.ansibleOverMarshal!.toFixed(2)}× marshal)`,
      );
    console.log(againstGoal('osUpgradeOverIdeal', ratios.marshalOverIdeal));
    console.log(againstGoal('osUpgradeOverBareSameSteps', ratios.marshalOverBare));
    if (ratios.ansibleOverMarshal !== undefined)
      console.log(againstGoal('osUpgradeAnsibleOverMarshal', ratios.ansibleOverMarshal));
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/os-upgrade.json',
      JSON.stringify(
        {
          hosts: HOSTS,
          concurrency: CONCURRENCY,
          rebootMs: REBOOT_MS,
          ideal,
          marshal,
          bare,
          ansible,
          med,
          ratios,
          breakdowns,
          bareBreakdowns,
        },
        null,
        2,
      ),
    );
  } finally {
    if (ansibleDir) rmSync(ansibleDir, { recursive: true, force: true });
    await world.close();
    await redis?.stop();
  }
}

await main();
process.exit(0);
