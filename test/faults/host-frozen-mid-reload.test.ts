import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/index.js';
import { ConfigPushFixture } from '../support/config-push-fixture.js';
import {
  bundlesWithReloadTimeout,
  expectFleetAsReported,
  isInstall,
  slowReload,
  startApprovedPush,
  traceHosts,
} from '../support/fault-push.js';

/**
 * Issue #8, item 4: a host freezes (its sshd and every process of it SIGSTOPped) in the middle of its
 * reload. The reload times out, the step's own restore cannot run, the host fails. It thaws while the run
 * is rolling back, and its frozen processes go on (the reload may still copy the new file into place).
 * The rollback tries the host again once it answers, and the run reports what the host really holds.
 */
describe('a host frozen in the middle of its reload', () => {
  let f: ConfigPushFixture;
  let bundles: ReturnType<typeof bundlesWithReloadTimeout>;
  beforeAll(async () => {
    bundles = bundlesWithReloadTimeout(2);
    f = await ConfigPushFixture.start({ hosts: 8, bundlesDir: bundles.dir });
  });
  afterAll(async () => {
    for (const h of f?.hosts ?? []) f.env.fleet.thaw(h);
    await f?.close();
    bundles?.remove();
  });

  it('is restored by the rollback once it answers again, and reported restored; the fleet is as reported', async () => {
    const web = f.webHosts;
    const before = f.fleetShas();
    traceHosts(f, () => slowReload(1));
    const runId = await startApprovedPush(f, 2);
    const frozen = await f.waitUntilHost('a batch host to be reloading', (host) => {
      const calls = f.tracedCalls(host);
      return host !== web[0] && calls.filter(isInstall).length === 1 && calls.at(-1) === 'reload-start';
    });
    f.env.fleet.freeze(frozen);
    // The host fails once its reload timed out and its own restore could not run either.
    await f.waitForEvent(
      `host ${frozen} to fail`,
      (e: RunEvent) =>
        e.runId === runId && e.type === 'target.finished' && e.result.target === frozen && !e.result.ok,
      180_000,
    );
    f.env.fleet.thaw(frozen);
    const run = await f.waitForRun(runId, 200_000);

    expect(run.state).toBe('failed');
    expect(run.targets.find((t) => t.target === frozen)).toMatchObject({ ok: false, restore: 'restored' });
    const audit = await f.server.marshal.audit.entries(runId);
    expectFleetAsReported(f, run, audit, before, web);
    const finished = audit.find((e) => e.kind === 'config.push.finished');
    const listed = (finished?.data as { hosts: { host: string; restored: boolean | null }[] }).hosts;
    expect(listed.find((h) => h.host === frozen)?.restored).toBe(true);
  });
});
