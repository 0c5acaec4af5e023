import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../../src/hosts/host.js';
import { startHarness, stateOf, tempDir, type Harness } from '../../support/engine-harness.js';
import { appliedLines } from '../../support/test-workflows.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/** 12 hosts: 4 racks of 3, in 2 zones (racks r1, r2 in az a; r3, r4 in az b). Host n is in rack n % 4. */
const inventory = new Map(
  Array.from({ length: 12 }, (_, i) => {
    const rack = `r${(i % 4) + 1}`;
    const name = `h${String(i + 1).padStart(2, '0')}`;
    return [name, Host.parse({ name, address: '127.0.0.1', vars: { rack, az: i % 4 < 2 ? 'a' : 'b' } })];
  }),
);
const targets = [...inventory.keys()];

/** The most targets of one domain in flight at once, from the steps' own start/end log. */
function maxInFlightPerDomain(dir: string): number {
  const file = join(dir, 'flight.log');
  if (!existsSync(file)) return 0;
  const now = new Map<string, number>();
  let max = 0;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const domain = line.slice(1).split(' ')[0]!;
    const n = (now.get(domain) ?? 0) + (line.startsWith('+') ? 1 : -1);
    now.set(domain, n);
    max = Math.max(max, n);
  }
  return max;
}

describe('failure domains in a running rollout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      testRedisUrl(),
      uniquePrefix('domains'),
      { concurrency: 12 },
      {
        resolveTarget: (name) => {
          const host = inventory.get(name);
          if (!host) throw new Error(`no host ${name}`);
          return host;
        },
      },
    );
  });
  afterAll(async () => h.close());

  it('--max-per rack=1: never two hosts of a rack in flight, though the window has room for 8; every host once', async () => {
    const dir = tempDir();
    // Inventory order puts every rack in each run of 4, but a batch of 8 holds two hosts per rack.
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: {
        dir,
        targets,
        canary: 0,
        batches: [8],
        concurrency: 8,
        stepDelayMs: 60,
        maxPer: { var: 'rack', n: 1 },
      },
      requester: 'U-REQ',
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    for (const t of targets) expect(appliedLines(dir, t)).toBe(1);
    expect(maxInFlightPerDomain(dir)).toBe(1);
  });

  it('a host without the var refuses the plan, naming it; nothing is touched', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets: ['h01', 'h02'], maxPer: { var: 'power_feed', n: 1 } },
      requester: 'U-REQ',
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('failed');
    expect(end.tasks.find((t) => t.taskId === 'execution.canary')?.error).toMatch(
      /hosts h01, h02 have no single value of inventory var 'power_feed'/,
    );
    expect(stateOf(end, 'execution.batches')).toBe('upstream_failed');
    expect(appliedLines(dir, 'h01') + appliedLines(dir, 'h02')).toBe(0);
  });

  it('--by az: the batches walk zone a, then zone b; no batch mixes them', async () => {
    const dir = tempDir();
    const runId = await h.engine.start({
      workflow: 'deploy',
      params: { dir, targets, canary: 1, batches: [2], concurrency: 4, by: 'az' },
      requester: 'U-REQ',
    });
    const end = await h.finished(runId);
    expect(end.state).toBe('succeeded');
    const zoneOf = (t: string) => inventory.get(t)!.vars.az;
    const byBatch = new Map<number, Set<unknown>>();
    for (const r of end.targets) {
      const key = r.stage === 'canary' ? 0 : r.batchIndex;
      byBatch.set(key, (byBatch.get(key) ?? new Set()).add(zoneOf(r.target)));
    }
    const zones = [...byBatch.entries()].sort(([a], [b]) => a - b).map(([, z]) => [...z]);
    for (const z of zones) expect(z).toHaveLength(1);
    const sequence = zones.map((z) => z[0]);
    expect(sequence.indexOf('b')).toBeGreaterThan(sequence.lastIndexOf('a'));
    expect(end.targets).toHaveLength(12);
  });
});
