import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GOALS, goalLimit, type GoalName } from '../../../bench/support/goals.js';

const run = promisify(execFile);
/** Every benchmark script under bench/ (bench/run.ts included): each has a command line of its own. */
const BENCHES = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
/** The goals each bench's --help names, from bench/support/goals.ts (the figures it prints against them). */
const NAMED_GOALS: Record<string, GoalName[]> = {
  run: Object.keys(GOALS) as GoalName[],
  'engine-hop': ['hopP50', 'hopP99'],
  'slack-ack': ['slackAckP99'],
  'slack-calls': ['slackCallsPerRun', 'slackRateLimited'],
  'ssh-executor': ['sshExecutorOverBare'],
  'config-push': ['configPushOverBareSameSteps', 'ansibleOverMarshal'],
  'traffic-shift': ['drillShiftP99'],
  'dr-drill': ['drillTriggerToServingP99', 'drillOverWaits'],
  'approval-latency': ['approvalToBatchP99'],
  'cert-renew': ['certRenewOverBareSameSteps'],
  'console-paint': ['consoleFirstPaint', 'consoleLiveUpdate'],
  'gate-to-card': ['gateToCardP99'],
  'host-cost': ['engineCpuPerHostWorker', 'engineCpuPerHostRedis', 'redisBytesPerHost'],
  'os-upgrade': ['osUpgradeOverIdeal', 'osUpgradeOverBareSameSteps', 'osUpgradeAnsibleOverMarshal'],
  retention: ['redisBytesPerHost', 'redisBytesPerHostAfterExpiry'],
  'worker-rss': ['workerRssStartupMb', 'workerRssMb'],
  'worker-scaling': ['twoWorkersOverOne'],
};
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', `bench/${script}.ts`, ...args], { timeout: 60_000 });

describe.concurrent('benchmark command lines', { timeout: 120_000 }, () => {
  it('finds the benchmarks, and every one names its goals from bench/support/goals.ts', () => {
    expect(Object.keys(NAMED_GOALS).sort()).toEqual(BENCHES);
  });

  it('npm run bench runs every benchmark', async () => {
    const { stdout } = await tsx('run', '--help');
    const listed = /Runs every benchmark under bench\/ in its own process: ([^.]+)\./.exec(stdout)?.[1];
    expect(listed?.split(', ').sort()).toEqual(BENCHES.filter((b) => b !== 'run'));
  });

  it.each(BENCHES)('bench/%s.ts --help prints its usage, exits 0 and starts nothing', async (name) => {
    const { stdout } = await tsx(name, '--help');
    expect(stdout).toMatch(/--quick/);
  });

  it.each(Object.entries(NAMED_GOALS))(
    'bench/%s.ts --help names the goals it prints its figures against',
    async (name, goals) => {
      const { stdout } = await tsx(name, '--help');
      expect(stdout).toContain('Goals (bench/support/goals.ts):');
      for (const goal of goals) expect(stdout).toContain(`${GOALS[goal].figure}: ${goalLimit(goal)}`);
    },
  );

  it('npm run bench -- --help exits 0, lists every benchmark and names every goal', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'bench', '--', '--help'], { timeout: 60_000 });
    for (const name of BENCHES.filter((b) => b !== 'run')) expect(stdout).toContain(name);
    for (const goal of Object.keys(GOALS) as GoalName[]) expect(stdout).toContain(GOALS[goal].figure);
  });

  it.each(BENCHES)('bench/%s.ts refuses a flag it does not know, with its usage', async (name) => {
    const failure = await tsx(name, '--hostz', '3').then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/--hostz/);
    expect(failure?.stderr).toMatch(/--quick/);
  });

  it('npm run bench refuses an unknown benchmark name, listing the known ones', async () => {
    const failure = await tsx('run', '--only', 'engine-hopp').then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('unknown benchmark engine-hopp; known: engine-hop');
  });
});
