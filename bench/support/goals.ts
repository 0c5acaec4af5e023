/**
 * Every benchmark's goals, in one place (issue "Marshal at 10,000 hosts"): each bench prints its figures
 * against these, so a goal changes here and nowhere else. `better` says which way is good.
 */
export interface Goal {
  /** What is measured, as the bench prints it. */
  figure: string;
  limit: number;
  unit: string;
  better: 'lower' | 'higher';
}

export const GOALS = {
  hopP50: { figure: 'task-to-task hop p50, 1,000-hop chain', limit: 3, unit: 'ms', better: 'lower' },
  hopP99: { figure: 'task-to-task hop p99, 1,000-hop chain', limit: 15, unit: 'ms', better: 'lower' },
  approvalToBatchP99: {
    figure: 'approval click → first host of the next batch, other run filling every slot, p99',
    limit: 250,
    unit: 'ms',
    better: 'lower',
  },
  gateToCardP99: {
    figure: 'gate opened → approval card posted, p99',
    limit: 1000,
    unit: 'ms',
    better: 'lower',
  },
  slackAckP99: { figure: 'slash-command ack p99 during a rollout', limit: 100, unit: 'ms', better: 'lower' },
  slackCallsPerRun: {
    figure: 'Slack calls per run, the same at 1,000 and 10,000 hosts (20 + 1 per minute of run time)',
    limit: 20,
    unit: 'calls + 1/min',
    better: 'lower',
  },
  slackRateLimited: {
    figure: 'Slack calls answered 429 (rate limited) per run',
    limit: 0,
    unit: 'calls',
    better: 'lower',
  },
  configPushOverBareSameSteps: {
    figure: 'config push, 200 hosts, marshal / bare ssh2 doing the same steps',
    limit: 1.1,
    unit: '×',
    better: 'lower',
  },
  certRenewOverBareSameSteps: {
    figure:
      'certificate renewal through pebble, 200 hosts, concurrency 50: marshal / bare ssh2 doing the same steps',
    limit: 1.15,
    unit: '×',
    better: 'lower',
  },
  ansibleOverMarshal: { figure: 'config push, ansible / marshal', limit: 5, unit: '×', better: 'higher' },
  sshExecutorOverBare: { figure: 'SSH executor / bare ssh2 loop', limit: 1.1, unit: '×', better: 'lower' },
  workerRssStartupMb: {
    figure: 'worker RSS after start-up, compiled (dist/)',
    limit: 150,
    unit: 'MB',
    better: 'lower',
  },
  workerRssMb: {
    figure: 'worker RSS on a 10,000-host rollout, peak',
    limit: 150,
    unit: 'MB',
    better: 'lower',
  },
  engineCpuPerHostWorker: {
    figure: 'engine CPU per no-op host step, worker',
    limit: 0.5,
    unit: 'CPU-ms',
    better: 'lower',
  },
  twoWorkersOverOne: {
    figure: '2 worker processes vs 1, 2,000 no-op hosts (speed-up)',
    limit: 1.6,
    unit: '×',
    better: 'higher',
  },
  engineCpuPerHostRedis: {
    figure: 'engine CPU per no-op host step, Redis',
    limit: 0.3,
    unit: 'CPU-ms',
    better: 'lower',
  },
  redisBytesPerHost: {
    figure: 'Redis bytes per finished host, kept (before expiry)',
    limit: 1024,
    unit: 'B',
    better: 'lower',
  },
  redisBytesPerHostAfterExpiry: {
    figure: 'Redis bytes per finished host after expiry',
    limit: 0,
    unit: 'B',
    better: 'lower',
  },
  drillShiftP99: {
    figure: 'DR drill: passed check → HAProxy serving the new weights, p99',
    limit: 250,
    unit: 'ms',
    better: 'lower',
  },
  drillTriggerToServingP99: {
    figure: 'DR drill: approval click or passed check → HAProxy serving the new weights (runtime API), p99',
    limit: 250,
    unit: 'ms',
    better: 'lower',
  },
  drillOverWaits: {
    figure: 'DR drill: whole drill without the people / its configured waits (soaks + monitoring), median',
    limit: 1.1,
    unit: '×',
    better: 'lower',
  },
  osUpgradeOverIdeal: {
    figure: 'OS upgrade, 200 hosts, concurrency 50, 5 s reboot: marshal / ideal (unavoidable waits)',
    limit: 1.1,
    unit: '×',
    better: 'lower',
  },
  osUpgradeOverBareSameSteps: {
    figure:
      'OS upgrade, 200 hosts, concurrency 50, 5 s reboot: marshal / bare ssh2 doing the same steps on the same fleet',
    limit: 1.1,
    unit: '×',
    better: 'lower',
  },
  osUpgradeAnsibleOverMarshal: {
    figure: 'OS upgrade, 200 hosts, 5 s reboot: ansible (get_url, command, reboot; forks 50) / marshal',
    limit: 5,
    unit: '×',
    better: 'higher',
  },
  consoleFirstPaint: {
    figure: 'console: first contentful paint of a 1,000-host run page, median',
    limit: 1000,
    unit: 'ms',
    better: 'lower',
  },
  consoleLiveUpdate: {
    figure: 'console: run event emitted → the open run page changed, median',
    limit: 250,
    unit: 'ms',
    better: 'lower',
  },
} as const satisfies Record<string, Goal>;

export type GoalName = keyof typeof GOALS;

/** `hop p50 2.41 ms (goal ≤ 3 ms: met)`: a figure with its goal and verdict. */
export function againstGoal(name: GoalName, value: number, digits = 2): string {
  const goal: Goal = GOALS[name];
  const met = goal.better === 'lower' ? value <= goal.limit : value >= goal.limit;
  const sign = goal.better === 'lower' ? '≤' : '≥';
  return `${goal.figure}: ${value.toFixed(digits)} ${goal.unit} (goal ${sign} ${goal.limit} ${goal.unit}: ${met ? 'met' : 'NOT MET'})`;
}

/** `≤ 20 calls + 1/min`: a goal's limit as its usage text and verdicts show it. */
export function goalLimit(name: GoalName): string {
  const goal: Goal = GOALS[name];
  return `${goal.better === 'lower' ? '≤' : '≥'} ${goal.limit} ${goal.unit}`;
}

/**
 * A bench's `--help` text with the goals it prints its figures against, named from this file, so the
 * usage never states a goal of its own.
 */
export function usageWithGoals(usage: string, names: readonly GoalName[]): string {
  const lines = names.map((name) => `  ${GOALS[name].figure}: ${goalLimit(name)}`);
  return [usage.trimEnd(), 'Goals (bench/support/goals.ts):', ...lines, ''].join('\n');
}

/** A figure against a limit worked out for this run from a goal (e.g. 20 calls + 1 per minute of run time). */
export function againstLimit(name: GoalName, value: number, limit: number, digits = 0): string {
  const goal: Goal = GOALS[name];
  const met = goal.better === 'lower' ? value <= limit : value >= limit;
  const sign = goal.better === 'lower' ? '≤' : '≥';
  return `${goal.figure}: ${value.toFixed(digits)} (goal ${sign} ${limit} here: ${met ? 'met' : 'NOT MET'})`;
}
