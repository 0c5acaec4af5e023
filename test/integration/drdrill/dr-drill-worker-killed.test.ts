import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillTraffic } from '../../../src/drdrill/create-drill-traffic.js';
import { DrillJournal } from '../../../src/drdrill/journal/drill-journal.js';
import { ScenarioDirectory } from '../../../src/drdrill/scenario/scenario-directory.js';
import { TSIG_SECRET_ENV } from '../../../src/local/drill/drill-environment.js';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { RedisWorkflowRecords } from '../../../src/records/redis-workflow-records.js';
import {
  APPROVER,
  REQUESTER,
  startDrillFixture,
  until,
  type DrillFixture,
} from '../../support/drill-fixture.js';
import { killHard } from '../../support/worker-process.js';
import { testRedisUrl } from '../../support/redis.js';

let f: DrillFixture;
beforeAll(async () => {
  // No workers in this process: the drill runs in child processes the test can kill.
  f = await startDrillFixture(testRedisUrl(), { workers: false });
}, 60_000);
afterAll(() => f?.close());

async function drillWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/drill-worker.ts'], {
    env: {
      ...process.env,
      MARSHAL_REDIS_URL: testRedisUrl(),
      MARSHAL_PREFIX: f.prefix,
      DRILL_SETTINGS: JSON.stringify(f.settings),
      [TSIG_SECRET_ENV]: f.env.dns.key.secret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`drill worker exited with ${code} before it was ready`)));
  });
  return child;
}

describe('a worker killed mid-shift', () => {
  it('the drill continues on another worker; no weight change is applied twice or out of order', async () => {
    const traffic = createDrillTraffic(
      await new ScenarioDirectory(f.env.scenariosDir).load('checkout'),
      f.env.env,
    );
    // Every share HAProxy served, in the order it served them.
    const served: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const share = Math.round(await traffic.liveShare());
        if (served.at(-1) !== share) served.push(share);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const records = new RedisWorkflowRecords(f.redis, f.prefix, 'dr-drill');
    let worker = await drillWorker();
    try {
      const runId = await f.engine.start({
        workflow: 'dr-drill',
        params: { scenario: 'checkout' },
        requester: REQUESTER,
      });
      await f.event((e) => e.type === 'gate.waiting' && e.runId === runId);
      await f.engine.decide({ runId, gateId: 'execution.approval', decision: 'approve', by: APPROVER });
      // Killed while the 25% step is in force but not yet checked.
      await until(async () => {
        const raw = await records.get(`journal:${runId}`);
        if (raw === undefined) return false;
        const step = DrillJournal.parse(raw).steps.find((s) => s.share === 25);
        return step !== undefined && !step.checkedAt;
      });
      await killHard(worker);
      worker = await drillWorker();
      await f.event((e) => e.type === 'gate.waiting' && e.runId === runId && e.gateId === 'failback-choice');
      await f.engine.decide({
        runId,
        gateId: 'failback-choice',
        decision: 'approve',
        option: 'fail-back',
        by: APPROVER,
      });
      const run = await f.finished(runId);
      watching = false;
      await watch;
      expect(run.state).toBe('succeeded');
      // Up to 100% the share only ever rose, through every step of the plan in order (between two steps
      // HAProxy may briefly serve a share in between: weights are raised before others are lowered).
      const up = served.slice(0, served.indexOf(100) + 1);
      expect(up).toEqual([...up].sort((a, b) => a - b));
      expect(new Set(up).size).toBe(up.length);
      expect(up.filter((share) => [0, 5, 25, 50, 100].includes(share))).toEqual([0, 5, 25, 50, 100]);
      expect(served.at(-1)).toBe(0);
      // Each change the drill made is audited once, in rising order (the killed worker may have died
      // between recording 25% in its journal and auditing it; never twice, never backwards).
      const shifts = await auditShares(runId);
      expect(shifts).toEqual([...new Set(shifts)].sort((a, b) => a - b));
      expect(shifts).toEqual(expect.arrayContaining([5, 50, 100]));
      const journal = DrillJournal.parse(await records.get(`journal:${runId}`));
      expect(journal.steps.map((s) => [s.share, s.pass])).toEqual([
        [5, true],
        [25, true],
        [50, true],
        [100, true],
      ]);
    } finally {
      watching = false;
      await killHard(worker);
    }
  }, 180_000);
});

/** The shares the drill set, from its audit records (a step found already in force is not a new change). */
async function auditShares(runId: string): Promise<number[]> {
  const entries = await new RedisAuditLog(f.redis, f.prefix, silentLogger()).entries(runId);
  return entries
    .filter((e) => e.kind === 'drdrill.shift' && e.data.found !== true)
    .map((e) => e.data.share as number);
}
