import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../../src/local/fleet/sshd-config.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_REQUESTER,
  LOADED,
  TARGET,
  messageText,
} from '../../support/config-push-fixture.js';

/**
 * The gateway on one host cannot run the new limits: once it serves them, its health check fails. That is
 * a real failure after the file is in place and reloaded, the case the rollback exists for.
 */
const unhealthyOnNewLimits = `#!/bin/sh
if grep -q 'rate: 100$' ${LOADED}; then echo 'gateway: /healthz answered 502' >&2; exit 1; fi
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cmp "$@"
`;

describe('config push rollback', () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 8 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a health check failing on a host of the second batch halts the rollout and restores every changed host', async () => {
    // role=web on 8 hosts: canary web-001; batch 1 web-002, web-003, web-005; batch 2 web-006, web-007.
    const web = f.webHosts;
    expect(web).toEqual(['web-001', 'web-002', 'web-003', 'web-005', 'web-006', 'web-007']);
    const failing = 'web-006';
    const notReached = 'web-007';
    const before = f.fleetShas();
    const loadedBefore = f.fleetShas(LOADED);
    f.env.fleet.install(failing, 'cmp', unhealthyOnNewLimits);

    // One host at a time, so the failing host is the last one started.
    const reply = await f.sendCommand(
      DEMO_REQUESTER,
      'push rate-limiter to role=web --canary 1 --batches 50%,100% --delay 1s --concurrency 1',
    );
    const runId = reply.runId!;
    await f.press(MARSHAL_APPROVE, await f.waitForApprovalCard(runId), DEMO_APPROVER);
    const run = await f.waitForRun(runId);

    expect(run.state).toBe('failed');
    const result = (host: string) => run.targets.find((t) => t.target === host);
    expect(result(failing)).toMatchObject({ ok: false, stage: 'batch', batchIndex: 2 });
    expect(result(failing)?.error).toMatch(/health check failed/);
    // Halted: the host after it was never worked on.
    expect(result(notReached)?.ok ?? false).toBe(false);
    expect(result(notReached)?.changed ?? false).toBe(false);

    // Every host holds, and its gateway serves, the file it had before; no side file is left but the backups.
    expect(f.fleetShas()).toEqual(before);
    expect(f.fleetShas(LOADED)).toEqual(loadedBefore);
    const entries = await f.server.marshal.audit.entries(runId);
    const restored = entries.filter((e) => e.kind === 'config.host.restored').map((e) => e.target);
    expect(restored.sort()).toEqual(['web-001', 'web-002', 'web-003', 'web-005']);
    const failed = entries.filter((e) => e.kind === 'config.host.failed');
    expect(failed.map((e) => [e.target, e.data.restored])).toEqual([[failing, true]]);
    expect(entries.filter((e) => e.target === notReached)).toEqual([]);
    expect(readdirSync(f.env.fleet.localPath(notReached, dirname(TARGET))).sort()).toEqual([
      'loaded.yaml',
      'rate-limiter.yaml',
    ]);
    expect(entries.find((e) => e.kind === 'config.push.finished')?.data).toMatchObject({
      succeeded: false,
      rolledBack: true,
      approvedBy: DEMO_APPROVER,
    });

    // The thread says what failed where, and that the rollback ran.
    const thread = (await f.finalThread(runId)).map((m) => messageText(m)).join('\n');
    expect(thread).toContain('config-push failed');
    expect(thread).toContain(failing);
    expect(thread).toMatch(/health check failed/);
  });
});
