import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRefused } from '../../../src/engine/index.js';
import { APPROVER, ExampleWorld, REQUESTER } from '../../support/example-world.js';
import { testRedisUrl } from '../../support/redis.js';

describe('example workflow mass-reboot (examples/workflows), on the real sshd fleet', () => {
  let world: ExampleWorld;
  const racks = ['r1', 'r1', 'r2', 'r2'];

  beforeAll(async () => {
    world = await ExampleWorld.start(testRedisUrl(), { hosts: 4, vars: (i) => ({ rack: racks[i] }) });
  });
  afterAll(async () => {
    await world?.close();
  });

  const params = {
    selector: 'ex-*',
    health: 'http:8080/',
    canary: 1,
    batches: ['100%'],
    concurrency: 4,
    soakMs: 0,
  };

  it('a dry run reads every boot id and reboots nothing', async () => {
    const boots = world.inventory.hosts().map((h) => world.fleet.bootId(h));
    const runId = await world.engine.start({
      workflow: 'mass-reboot',
      params,
      requester: REQUESTER,
      dryRun: true,
    });
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(run.targets).toHaveLength(4);
    for (const t of run.targets) expect(t.summary).toMatch(/^would reboot \(now on boot [0-9a-f]{8}\)/);
    expect(world.fleet.selfReboots).toEqual([]);
    expect(world.inventory.hosts().map((h) => world.fleet.bootId(h))).toEqual(boots);
  });

  it('reboots the canary, waits for another person to approve, then the rest; each back on a new boot and healthy', async () => {
    const boots = new Map(world.inventory.hosts().map((h) => [h.name, world.fleet.bootId(h)]));
    const runId = await world.engine.start({ workflow: 'mass-reboot', params, requester: REQUESTER });
    // The canary went alone: it is the only host rebooted while the approval waits.
    for (;;) {
      const run = await world.engine.get(runId);
      if (run.gates.some((g) => g.state === 'waiting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(world.fleet.selfReboots).toHaveLength(1);
    const gate = (await world.engine.get(runId)).gates.find((g) => g.state === 'waiting')!;
    await expect(
      world.engine.decide({ runId, gateId: gate.gateId, decision: 'approve', by: REQUESTER }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    await world.approve(runId, APPROVER);
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(run.targets.map((t) => t.target).sort()).toEqual([...boots.keys()].sort());
    for (const t of run.targets)
      expect(t.summary).toMatch(/^rebooted: boot [0-9a-f]{8} → [0-9a-f]{8}, HTTP 200$/);
    // Each host went down once, on its own request, and is on a new boot now.
    expect(world.fleet.selfReboots.map((r) => r.host).sort()).toEqual([...boots.keys()].sort());
    // Never two hosts of one rack down at once: within a rack, one host was back before the next went down.
    for (const rack of new Set(racks)) {
      const inRack = world.inventory
        .hosts()
        .filter((h) => h.vars.rack === rack)
        .map((h) => world.fleet.selfReboots.find((r) => r.host === h.name)!)
        .sort((a, b) => a.downAt - b.downAt);
      for (let i = 1; i < inRack.length; i++)
        expect(inRack[i]!.downAt).toBeGreaterThanOrEqual(inRack[i - 1]!.upAt);
    }
    for (const [name, before] of boots) {
      const after = world.fleet.bootId(name);
      expect(after).not.toBe(before);
      expect(world.fleet.selfReboots.find((r) => r.host === name)?.bootId).toBe(after);
    }
  });

  it('refuses hosts without a rack before anything is rebooted', async () => {
    const reboots = world.fleet.selfReboots.length;
    const runId = await world.engine.start({
      workflow: 'mass-reboot',
      params: { ...params, rackVar: 'row' },
      requester: REQUESTER,
    });
    const run = await world.finished(runId);
    expect(run.state).toBe('failed');
    expect(run.tasks.find((t) => t.taskId === 'validation')?.error).toMatch(/have no row var/);
    expect(world.fleet.selfReboots).toHaveLength(reboots);
  });
});
