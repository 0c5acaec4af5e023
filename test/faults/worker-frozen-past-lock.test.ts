import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigPushFixture } from '../support/config-push-fixture.js';
import {
  bundlesWithReloadTimeout,
  expectFleetAsReported,
  isInstall,
  sleep,
  slowReload,
  startMarshalWorker,
  startApprovedPush,
  traceHosts,
} from '../support/fault-push.js';
import { killHard } from '../support/worker-process.js';

/**
 * Issue #8, item 1: worker A is frozen (SIGSTOP) in the middle of a host's reload, past BullMQ's lock
 * and past the reload's own timeout; worker B takes the job over and finishes the run. When A wakes, its
 * reload's exit status is waiting in its socket and its timers are overdue. A was superseded: it must
 * not restore, reload, record or audit anything more, and the fleet must be exactly as the run reported.
 */
describe('a worker frozen past its lock in the middle of a reload', () => {
  const LOCK_MS = 2000;
  let f: ConfigPushFixture;
  let bundles: ReturnType<typeof bundlesWithReloadTimeout>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The reload may take 2 s; A stays frozen far longer, so its reload timer is long overdue when it wakes.
    bundles = bundlesWithReloadTimeout(2);
    f = await ConfigPushFixture.start({ hosts: 8, workers: false, bundlesDir: bundles.dir });
  });
  afterAll(async () => {
    for (const c of children) {
      c.kill('SIGCONT');
      await killHard(c);
    }
    await f?.close();
    bundles?.remove();
  });

  it('the woken worker does nothing more: each host changed once, the report and the audit match the hosts', async () => {
    const web = f.webHosts;
    const before = f.fleetShas();
    traceHosts(f, () => slowReload(1));
    const a = await startMarshalWorker(f, { lockDurationMs: LOCK_MS, stalledIntervalMs: 1000 });
    children.push(a);
    const runId = await startApprovedPush(f, 2);

    // Freeze A while a batch host's reload runs (the file is in place, the reload has started).
    const frozenOn = await f.waitUntilHost('a batch host to be reloading', (host) => {
      const calls = f.tracedCalls(host);
      return host !== web[0] && calls.filter(isInstall).length === 1 && calls.at(-1) === 'reload-start';
    });
    a.kill('SIGSTOP');
    const b = await startMarshalWorker(f, { lockDurationMs: LOCK_MS, stalledIntervalMs: 1000 });
    children.push(b);
    const run = await f.waitForRun(runId, 180_000);
    // Past the lock, the reload's timeout and the run's end: then A wakes with everything overdue.
    a.kill('SIGCONT');
    await sleep(8000);

    expect(run.state).toBe('succeeded');
    const after = await f.server.marshal.engine.get(runId);
    expect(after.targets).toEqual(run.targets);
    expect(f.tracedCalls(frozenOn).filter(isInstall)).toHaveLength(1);
    expectFleetAsReported(f, after, await f.server.marshal.audit.entries(runId), before, web);
    expect(
      after.targets
        .filter((t) => t.ok && t.changed)
        .map((t) => t.target)
        .sort(),
    ).toEqual([...web].sort());
  });
});
