import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../../src/engine/model/workflow.js';
import { createHostBlocks, type BlockContext, type HostBlocks } from '../../../src/hosts/blocks/index.js';
import { HostStepError } from '../../../src/hosts/errors/index.js';
import { sh } from '../../../src/hosts/quote.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import {
  FLEET_SERVICE_MANAGER,
  SshFleet,
  httpServerRunScript,
  installFleetService,
} from '../../../src/local/fleet/index.js';
import { executorFor } from '../hosts/fleet-executor.js';

/** A step context that records checkpoints the way the ledger does (the last one wins). */
function stepContext(signal = new AbortController().signal): BlockContext & { checkpoints: Json[] } {
  const checkpoints: Json[] = [];
  return {
    signal,
    checkpoints,
    checkpoint: async (data) => {
      checkpoints.push(data);
    },
  };
}

const PORT = 8080;

describe('host building blocks: reboot, services and health checks on real sshd hosts', () => {
  let fleet: SshFleet;
  let ssh: SshExecutor;
  let blocks: HostBlocks;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 3, name: 'blkboot', rebootDownMs: 1500 });
    ssh = executorFor(fleet, { keepaliveIntervalMs: 500, keepaliveCountMax: 2, readyTimeoutMs: 5000 });
    blocks = createHostBlocks({ executor: ssh });
    for (const host of fleet.hosts)
      installFleetService(
        fleet,
        host,
        'web',
        httpServerRunScript(host.address, PORT, '/var/lib/marshal-host/www'),
      );
  });
  afterAll(async () => {
    await ssh?.close();
    await fleet?.stopAll();
  });

  it("reboots through the host's own `reboot`: down, then back on a new boot id, checkpointed before", async () => {
    const host = fleet.hosts[0]!;
    const ctx = stepContext();
    const before = await blocks.bootId(host, ctx);
    const result = await blocks.reboot(host, ctx, { timeoutMs: 60_000, pollIntervalMs: 200 });
    expect(result.previousBootId).toBe(before);
    expect(result.bootId).not.toBe(before);
    expect(result.bootId).toBe(fleet.bootId(host));
    // The host really went down: the fleet power-cycled it on its own request, once.
    expect(fleet.selfReboots.filter((r) => r.host === host.name)).toMatchObject([
      { host: host.name, bootId: result.bootId },
    ]);
    expect(ctx.checkpoints).toEqual([{ bootId: before }]);
    // After a crash, the check compares with the checkpoint: rebooted, so applied; no reboot is repeated.
    expect(await blocks.rebootCheck(host, ctx.checkpoints[0], ctx)).toBe('applied');
    expect(fleet.selfReboots.filter((r) => r.host === host.name)).toHaveLength(1);
  });

  it('reboot check: no checkpoint is not applied; the same boot id after the settle time is not applied', async () => {
    const host = fleet.hosts[1]!;
    const ctx = stepContext();
    expect(await blocks.rebootCheck(host, undefined, ctx)).toBe('not_applied');
    const now = await blocks.bootId(host, ctx);
    expect(await blocks.rebootCheck(host, { bootId: now }, ctx, { settleMs: 500 })).toBe('not_applied');
  });

  it('reboot check waits out a reboot that was asked for just before the crash', async () => {
    const host = fleet.hosts[1]!;
    const ctx = stepContext();
    const before = await blocks.bootId(host, ctx);
    // The worker died right after sending the reboot: the host goes down a moment later.
    await blocks.run(host, sh`nohup sh -c 'sleep 1; reboot' </dev/null >/dev/null 2>&1 &`, ctx);
    expect(await blocks.rebootCheck(host, { bootId: before }, ctx, { settleMs: 20_000 })).toBe('applied');
  });

  it("an aborted run stops waiting for the host at once, with the run's reason", async () => {
    const host = fleet.hosts[2]!;
    const controller = new AbortController();
    const ctx = stepContext(controller.signal);
    const rebooting = blocks
      .reboot(host, ctx, { timeoutMs: 120_000, command: sh`sleep 600` })
      .catch((e: unknown) => e);
    while (ctx.checkpoints.length === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('operator aborted the run'));
    expect(((await rebooting) as Error).message).toBe('operator aborted the run');
  });

  it('a reboot whose host never comes back on a new boot fails with the previous boot id, never as done', async () => {
    const host = fleet.hosts[2]!;
    const ctx = stepContext();
    // `true` does not reboot: the host keeps answering on its old boot, which never counts as back.
    const err = await blocks
      .reboot(host, ctx, { timeoutMs: 4000, command: sh`true`, pollIntervalMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostStepError);
    expect((err as Error).message).toMatch(/did not come back on a new boot within 4 s/);
    expect((err as Error).message).toContain('still on the previous boot');
  });

  it('a service supervised by runit comes up at boot; restart makes a new instance, and the check sees it', async () => {
    const host = fleet.hosts[2]!;
    const ctx = stepContext();
    await blocks.reboot(host, ctx, { timeoutMs: 60_000, pollIntervalMs: 200 });
    const url = `http://${host.address}:${PORT}/`;
    const healthy = await blocks.waitFor({ kind: 'http', url }, ctx, {
      successes: 3,
      intervalMs: 100,
      timeoutMs: 30_000,
    });
    expect(healthy.probes).toBeGreaterThanOrEqual(3);
    const before = await blocks.serviceStatus(host, 'web', FLEET_SERVICE_MANAGER, ctx);
    expect(before).toMatchObject({ unit: 'web', active: true, state: 'run' });
    const restartCtx = stepContext();
    expect(await blocks.restartCheck(host, undefined, FLEET_SERVICE_MANAGER, restartCtx)).toBe('not_applied');
    const after = await blocks.restartService(host, 'web', FLEET_SERVICE_MANAGER, restartCtx);
    expect(after.active).toBe(true);
    expect(after.pid).not.toBe(before.pid);
    expect(restartCtx.checkpoints).toEqual([{ unit: 'web', instance: String(before.pid) }]);
    expect(await blocks.restartCheck(host, restartCtx.checkpoints[0], FLEET_SERVICE_MANAGER, ctx)).toBe(
      'applied',
    );
    // The process really is another one: the old pid is gone on the host.
    expect(
      (await blocks.run(host, sh`kill -0 ${before.pid ?? 0}`, ctx, { okExitCodes: [0, 1] })).exitCode,
    ).toBe(1);

    const stopped = await blocks.stopService(host, 'web', FLEET_SERVICE_MANAGER, ctx);
    expect(stopped).toMatchObject({ active: false, state: 'down' });
    const down = await blocks.probe({ kind: 'tcp', host: host.address, port: PORT }, 2000);
    expect(down).toEqual({ ok: false, detail: 'ECONNREFUSED' });
    const err = await blocks
      .waitFor({ kind: 'tcp', host: host.address, port: PORT }, ctx, { timeoutMs: 1500, intervalMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostStepError);
    expect((err as Error).message).toMatch(/did not pass 1 time\(s\) in a row .* last: ECONNREFUSED/);
    await blocks.startService(host, 'web', FLEET_SERVICE_MANAGER, ctx);
    expect(
      (await blocks.waitFor({ kind: 'tcp', host: host.address, port: PORT }, ctx, { timeoutMs: 30_000 }))
        .last,
    ).toBe('connected');
  });

  it('refuses a unit name that is not one, before anything reaches the host', async () => {
    const host = fleet.hosts[0]!;
    const err = await blocks
      .restartService(host, '../web; reboot', FLEET_SERVICE_MANAGER, stepContext())
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/a unit name has letters, digits/);
  });
});
