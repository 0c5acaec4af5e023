/**
 * Runs every benchmark in turn, each in its own process (so one's memory and connections never colour
 * the next), and prints their figures against the goals in bench/support/goals.ts.
 *
 *   npm run bench [-- --quick] [-- --only engine-hop,slack-ack]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GOALS, usageWithGoals, type GoalName } from './support/goals.js';
import { benchOptions } from './support/options.js';

const BENCHES = [
  'engine-hop',
  'slack-ack',
  'slack-calls',
  'ssh-executor',
  'config-push',
  'traffic-shift',
  'dr-drill',
  'retention',
  'approval-latency',
  'gate-to-card',
  'host-cost',
  // Builds dist/ itself (npm run build) when it is missing or older than the sources.
  'worker-rss',
  'worker-scaling',
  'os-upgrade',
  'cert-renew',
  'console-paint',
] as const;

const USAGE = usageWithGoals(
  `
npm run bench -- [--quick] [--only NAME,...]
  Runs every benchmark under bench/ in its own process: ${BENCHES.join(', ')}.
  --quick       a short pass of each (fewer rounds and hosts; Ansible skipped)
  --only NAMES  only these, comma-separated
Each also runs alone: npx tsx bench/<name>.ts --help
`,
  Object.keys(GOALS) as GoalName[],
);

const options = benchOptions(USAGE, { only: { type: 'string' } });
const only = typeof options['only'] === 'string' ? options['only'].split(',').map((s) => s.trim()) : [];
const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  console.log(`\n=== ${name}${options['quick'] ? ' (quick)' : ''}`);
  const t0 = performance.now();
  const result = spawnSync(
    process.execPath,
    [...process.execArgv, script, ...(options['quick'] ? ['--quick'] : [])],
    {
      stdio: 'inherit',
    },
  );
  console.log(
    `=== ${name}: ${result.status === 0 ? 'done' : 'FAILED'} in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
