import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRefused } from '../../../src/engine/index.js';
import { failedKey } from '../../../src/osupgrade/index.js';
import { APPROVER, OsUpgradeWorld, REQUESTER } from '../../support/os-upgrade-world.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * The OS upgrade end to end: real Redis, real sshd hosts with two slots (abctl) and a boot loader the
 * fleet's reboot obeys, a real HTTP image server on loopback, a catalog signed with Ed25519.
 */
describe('os-upgrade on the sshd fleet with A/B slots', () => {
  let world: OsUpgradeWorld;
  const base = { canary: 1, batches: ['100%'], soakMs: 0, concurrency: 4, maxFailPercent: 0 };

  beforeAll(async () => {
    world = await OsUpgradeWorld.start(testRedisUrl(), { hosts: 4, dcs: (i) => (i < 2 ? 'fra1' : 'ams1') });
    const good = world.image('debian-12.7', '12.7');
    const old = world.image('debian-12.1', '12.1');
    world.writeCatalog([
      world.release('debian-12.7', '12.7', good),
      world.release('debian-12.1', '12.1', old),
      world.release('debian-12.6', '12.6', good, {
        revoked: { by: 'sec-team', at: '2026-11-21T08:00:00Z', reason: 'CVE-2026-1234 in the kernel' },
      }),
      { ...(world.release('debian-12.8', '12.8', good) as object), certification: undefined },
      // The catalog names a checksum the image on the server does not have.
      {
        ...(world.release('debian-12.9', '12.9', good) as { image: object }),
        image: { url: world.images.url(good), sha256: 'ab'.repeat(32), sizeBytes: good.sizeBytes },
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const start = (params: Record<string, unknown>, dryRun = false): Promise<string> =>
    world.engine.start({
      workflow: 'os-upgrade',
      params: { ...base, ...params },
      requester: REQUESTER,
      dryRun,
    });

  it('a dry run says per host what would happen and changes nothing', async () => {
    const boots = world.inventory.hosts().map((h) => world.fleet.bootId(h));
    const run = await world.finished(await start({ selector: 'os-*', release: 'debian-12.7' }, true));
    expect(run.state).toBe('succeeded');
    expect(run.targets).toHaveLength(4);
    for (const t of run.targets)
      expect(t.summary).toMatch(/^would fetch http:\/\/127\.0\.0\.1:\d+\/debian-12\.7\.img .*12\.5 → 12\.7$/);
    expect(world.inventory.hosts().map((h) => world.fleet.bootId(h))).toEqual(boots);
    expect(world.fleet.selfReboots).toEqual([]);
    expect(world.images.requests).toEqual([]);
  }, 120_000);

  it.each([
    [
      'an unknown release (closest named)',
      { release: 'debian-12.77' },
      /not in the release catalog; closest: debian-12\.7/,
    ],
    [
      'a revoked release (with the reason)',
      { release: 'debian-12.6' },
      /revoked by sec-team .*CVE-2026-1234/,
    ],
    ['an uncertified release', { release: 'debian-12.8' }, /debian-12\.8: is not certified/],
    [
      'a selector matching nothing',
      { release: 'debian-12.7', selector: 'db-*' },
      /'db-\*' has a part that matches no host/,
    ],
    [
      'a release older than every host runs',
      { release: 'debian-12.1' },
      /runs 12\.5, newer than 12\.1: a downgrade needs --allow-downgrade/,
    ],
  ])(
    'refuses %s and changes nothing',
    async (_what, params, error) => {
      const run = await world.finished(await start({ selector: 'os-*', ...params }));
      expect(run.state).toBe('failed');
      expect(run.tasks.map((t) => t.error ?? '').join('\n'), JSON.stringify(run.tasks)).toMatch(error);
      expect(run.targets).toEqual([]);
      expect(world.fleet.selfReboots).toEqual([]);
    },
    120_000,
  );

  it('refuses an unsigned or tampered catalog', async () => {
    const good = world.image('debian-12.7', '12.7');
    for (const options of [
      { sign: false },
      { tamper: (text: string) => text.replace('version: "12.7"', 'version: "13.0"') },
    ]) {
      world.writeCatalog([world.release('debian-12.7', '12.7', good)], options);
      const run = await world.finished(await start({ selector: 'os-*', release: 'debian-12.7' }));
      expect(run.state).toBe('failed');
      expect(run.tasks.map((t) => t.error ?? '').join('\n')).toMatch(
        options.sign === false ? /it is not signed/ : /signature does not match its content/,
      );
      expect(run.targets).toEqual([]);
    }
    expect(world.fleet.selfReboots).toEqual([]);
    world.writeCatalog([
      world.release('debian-12.7', '12.7', good),
      {
        ...(world.release('debian-12.9', '12.9', good) as { image: object }),
        image: { url: world.images.url(good), sha256: 'ab'.repeat(32), sizeBytes: good.sizeBytes },
      },
    ]);
  }, 120_000);

  it('a host whose image does not have the catalog sha256 fails with its slots untouched', async () => {
    const run = await world.finished(await start({ selector: 'os-001', release: 'debian-12.9' }), 60_000);
    expect(run.state).toBe('failed');
    const t = run.targets.find((x) => x.target === 'os-001')!;
    expect(t.ok).toBe(false);
    expect(t.error).toMatch(/does not have sha256 abab.*slots were not touched/);
    expect(world.slots.state('os-001')).toEqual({ booted: 'a', default: 'a', next: null });
    expect(world.version(0)).toBe('12.5');
    expect(world.fleet.selfReboots).toEqual([]);
    // The failure is remembered for that host and release (the later tests upgrade to another release).
    expect(await world.records.get(failedKey('os-001', 'debian-12.9'))).toMatchObject({ runId: run.runId });
  }, 120_000);

  it('canary, approval by another person, batches: every eligible host runs 12.7 after one real reboot; skipped hosts listed with reasons', async () => {
    // os-003 runs a training job (the site's marker file); os-004 failed this release before.
    writeFileSync(join(world.fleet.member('os-003').dirs.state, 'training-job.lock'), '');
    await world.records.set(failedKey('os-004', 'debian-12.7'), {
      runId: 'run-earlier',
      at: '2026-11-26T10:00:00Z',
      error: 'did not come back',
    });
    const boots = new Map(world.inventory.hosts().map((h) => [h.name, world.fleet.bootId(h)]));
    const runId = await start({ selector: 'os-*', release: 'debian-12.7' });
    const gateId = await world.waitingGate(runId);
    // The canary went alone: one eligible host rebooted while the approval waits.
    expect(world.fleet.selfReboots).toHaveLength(1);
    expect(['os-001', 'os-002']).toContain(world.fleet.selfReboots[0]!.host);
    await expect(
      world.engine.decide({ runId, gateId, decision: 'approve', by: REQUESTER }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    const waiting = await world.engine.get(runId);
    const gate = waiting.gates.find((g) => g.gateId === gateId)!;
    expect(JSON.stringify(gate)).toMatch(/fetch \d+\.\d s, install/);
    await world.approve(runId, APPROVER);
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');

    expect(run.targets.map((t) => t.target).sort()).toEqual(['os-001', 'os-002']);
    for (const [i, name] of [
      [0, 'os-001'],
      [1, 'os-002'],
    ] as const) {
      expect(world.version(i)).toBe('12.7');
      expect(world.fleet.bootId(name)).not.toBe(boots.get(name));
      expect(world.slots.state(name)).toEqual({ booted: 'b', default: 'b', next: null });
      const t = run.targets.find((x) => x.target === name)!;
      expect(t.summary).toMatch(
        /12\.5 → 12\.7 in .*fetch .* install .* reboot .* back .* healthy .* \(boot [0-9a-f]{8} → [0-9a-f]{8}\)/,
      );
    }
    // Rebooted exactly once each; the skipped hosts were never touched.
    expect(world.fleet.selfReboots.map((r) => r.host).sort()).toEqual(['os-001', 'os-002']);
    for (const [i, name] of [
      [2, 'os-003'],
      [3, 'os-004'],
    ] as const) {
      expect(world.version(i)).toBe('12.5');
      expect(world.fleet.bootId(name)).toBe(boots.get(name));
    }
    const skipped = world.posted.find((p) => p.runId === runId && /left out/.test(p.title))!;
    expect(skipped.text).toMatch(
      /os-003: critical workload: marker file \/var\/lib\/marshal-host\/training-job\.lock/,
    );
    expect(skipped.text).toMatch(/os-004: failed an upgrade to this release before \(run run-earlier/);
    const summary = world.posted.find(
      (p) => p.runId === runId && /OS upgrade to debian-12\.7: done/.test(p.title),
    )!;
    expect(summary.text).toMatch(/fra1: 2\/2 upgraded, 0 failed, 0 pending; 100% success/);
    expect(summary.text).toMatch(/ams1: 0\/2 upgraded, 0 failed, 2 pending/);

    // One final audit record per host, in the order the cleanup appended them together (the upgraded
    // hosts, then the ones left out), and the chain holds.
    const hostRecords = (await world.audit.entries(runId)).filter((e) => e.kind === 'os.host');
    expect(hostRecords.map((e) => [e.target, e.data.result])).toEqual([
      ...run.targets.map((t) => [t.target, 'done']),
      ['os-003', 'skipped'],
      ['os-004', 'skipped'],
    ]);
    expect(hostRecords.map((e) => e.seq)).toEqual(hostRecords.map((_, i) => hostRecords[0]!.seq + i));
    expect((await world.audit.verify()).broken).toBeUndefined();

    // The chart of the data centers' progress, a real PNG, at the end of the run.
    const chart = world.posted.find((p) => p.runId === runId && p.png)!;
    expect(chart.png!.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(chart.text).toMatch(/fra1 100%/);

    // `/osupgrade status` reads the same memory.
    const statusRun = await world.finished(
      await world.engine.start({
        workflow: 'os-upgrade-status',
        params: { release: 'debian-12.7' },
        requester: REQUESTER,
      }),
    );
    expect(statusRun.state).toBe('succeeded');
    const status = world.posted.find((p) => p.runId === statusRun.runId)!;
    expect(status.text).toMatch(
      /fra1: 2\/2 upgraded, 0 failed, 0 pending; 100% success, median \d+\.\d s, slowest os-00[12] /,
    );
  }, 240_000);

  it('a host that never comes back fails after its timeout, the budget halts the run, and the canary boots back to 12.5', async () => {
    world.resetHosts();
    world.fleet.selfReboots.length = 0;
    const runId = await start({ selector: 'os-001,os-002', release: 'debian-12.7' });
    await world.waitingGate(runId);
    // The canary is back on 12.7; the other host will power off at its reboot and stay off.
    const canaryHost = world.fleet.selfReboots[0]!.host;
    const lostHost = canaryHost === 'os-001' ? 'os-002' : 'os-001';
    world.fleet.setRebootBehaviour(lostHost, { neverBack: true });
    await world.approve(runId);
    const run = await world.finished(runId);
    expect(run.state).toBe('failed');
    const lost = run.targets.find((t) => t.target === lostHost)!;
    expect(lost.ok).toBe(false);
    expect(lost.error).toMatch(/did not come back on a new boot within 20 s/);
    // The canary was changed, then booted back into its previous slot and verified there.
    const canary = run.targets.find((t) => t.target === canaryHost)!;
    expect(canary.restore).toBe('restored');
    expect(world.version(canaryHost === 'os-001' ? 0 : 1)).toBe('12.5');
    expect(world.slots.state(canaryHost)).toEqual({ booted: 'a', default: 'a', next: null });
    expect(world.fleet.selfReboots.filter((r) => r.host === canaryHost)).toHaveLength(2);
    // The lost host is remembered: the next run leaves it out unless --include-failed.
    expect(await world.records.get(failedKey(lostHost, 'debian-12.7'))).toMatchObject({ runId });
    world.fleet.setRebootBehaviour(lostHost, {});
  }, 240_000);
});
