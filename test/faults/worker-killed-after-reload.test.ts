import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../src/local/fleet/sshd-config.js';
import { ConfigPushFixture, TRACE_LOG } from '../support/config-push-fixture.js';
import {
  expectFleetAsReported,
  isInstall,
  slowReload,
  startMarshalWorker,
  startApprovedPush,
  traceHosts,
} from '../support/fault-push.js';
import { killHard } from '../support/worker-process.js';

/** The health check (a `cmp`) takes a second and logs its start: the kill lands after the reload. */
const slowHealth = `#!/bin/sh
echo "health-start" >> ${TRACE_LOG}
sleep 1
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cmp "$@"
`;

/**
 * Issue #8, item 2: a worker is SIGKILLed after a host's reload finished, while its health check runs.
 * The worker that takes the job over reads the step's checkpoint ("reloaded"), checks the host and does
 * not reload it again: a step's non-repeatable part is never repeated on takeover.
 */
describe('a worker killed after a reload finished', () => {
  let f: ConfigPushFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 8, workers: false });
  });
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await f?.close();
  });

  it('the surviving worker does not reload that host again; the fleet is as reported', async () => {
    const web = f.webHosts;
    const before = f.fleetShas();
    traceHosts(f, () => slowReload(1));
    for (const host of f.hosts) f.env.fleet.install(host, 'cmp', slowHealth);
    const options = { lockDurationMs: 2000, stalledIntervalMs: 1000 };
    const a = await startMarshalWorker(f, options);
    children.push(a);
    const runId = await startApprovedPush(f, 2);

    const killedOn = await f.waitUntilHost('a batch host checking its health after its reload', (host) => {
      const calls = f.tracedCalls(host);
      return host !== web[0] && calls.includes('reload') && calls.at(-1) === 'health-start';
    });
    await killHard(a);
    children.push(await startMarshalWorker(f, options));
    const run = await f.waitForRun(runId, 180_000);

    expect(run.state).toBe('succeeded');
    const calls = f.tracedCalls(killedOn);
    expect({
      installs: calls.filter(isInstall).length,
      reloads: calls.filter((l) => l === 'reload').length,
    }).toEqual({ installs: 1, reloads: 1 });
    expect(run.targets.find((t) => t.target === killedOn)).toMatchObject({ ok: true, changed: true });
    expectFleetAsReported(f, run, await f.server.marshal.audit.entries(runId), before, web);
  });
});
