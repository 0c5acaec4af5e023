import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsUpgradeWorld, REQUESTER } from '../../support/os-upgrade-world.js';
import { testRedisUrl } from '../../support/redis.js';
import { killHard } from '../../support/worker-process.js';

function spawnOsUpgradeWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/os-upgrade-worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

describe('os-upgrade with its worker killed while the host reboots', () => {
  let world: OsUpgradeWorld;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The test process only starts runs and reads them: the work happens in worker processes.
    world = await OsUpgradeWorld.start(testRedisUrl(), { hosts: 1, workers: false, rebootDownMs: 4000 });
    const image = world.image('debian-12.7', '12.7');
    world.writeCatalog([world.release('debian-12.7', '12.7', image)]);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await world?.close();
  });

  it('another worker takes over: the host is rebooted exactly once and ends on the release', async () => {
    const host = world.host(0).name;
    const before = world.fleet.bootId(host);
    const first = await spawnOsUpgradeWorker(world.workerEnv);
    children.push(first);
    const runId = await world.engine.start({
      workflow: 'os-upgrade',
      params: { selector: host, release: 'debian-12.7', canary: 1, batches: ['100%'], soakMs: 0 },
      requester: REQUESTER,
    });
    // The host is down (its sshd gone) for 4 s after the reboot: the worker dies in that window.
    const deadline = Date.now() + 120_000;
    while (world.fleet.member(host).running) {
      if (Date.now() > deadline) throw new Error('the host was never rebooted');
      await new Promise((r) => setTimeout(r, 50));
    }
    await killHard(first);
    const second = await spawnOsUpgradeWorker(world.workerEnv);
    children.push(second);

    await world.approve(runId);
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(world.fleet.selfReboots.filter((r) => r.host === host)).toHaveLength(1);
    expect(world.fleet.bootId(host)).not.toBe(before);
    expect(world.version(0)).toBe('12.7');
    expect(world.slots.state(host)).toEqual({ booted: 'b', default: 'b', next: null });
    expect(run.targets[0]).toMatchObject({ target: host, ok: true, changed: true });
    // The second worker finished the step (checks and mark good) without asking for another reboot.
    expect(run.targets[0]!.summary).toMatch(/12\.5 → 12\.7 \(finished after a takeover\)/);
  }, 240_000);
});
