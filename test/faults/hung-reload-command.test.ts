import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../src/local/fleet/sshd-config.js';
import { ConfigPushFixture, LOADED, TRACE_LOG } from '../support/config-push-fixture.js';
import {
  bundlesWithReloadTimeout,
  expectFleetAsReported,
  isRestore,
  slowReload,
  startApprovedPush,
  traceHosts,
} from '../support/fault-push.js';

/** This host's first reload never ends (until it is killed); later reloads and other copies work. */
const hungReload = `#!/bin/sh
last=""; for a in "$@"; do last="$a"; done
if [ "$last" = ${LOADED} ] && ! grep -q reload-hung ${TRACE_LOG} 2>/dev/null; then
  echo "reload-hung" >> ${TRACE_LOG}
  sleep 600
fi
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cp "$@"
`;

/**
 * A reload that hangs on one host: the command is killed at its timeout, that host puts its old file
 * back itself, the rollout fails and the rollback restores every host it changed. Every host ends on
 * its old file, serving it, and the run, the alert's audit and the hosts agree.
 */
describe('a reload command that hangs on one host', () => {
  let f: ConfigPushFixture;
  let bundles: ReturnType<typeof bundlesWithReloadTimeout>;
  beforeAll(async () => {
    bundles = bundlesWithReloadTimeout(2);
    f = await ConfigPushFixture.start({ hosts: 8, bundlesDir: bundles.dir });
  });
  afterAll(async () => {
    await f?.close();
    bundles?.remove();
  });

  it('is killed at its timeout and the host restored by its step; the rest rolled back; all as reported', async () => {
    const web = f.webHosts;
    const hung = web[2]!;
    const before = f.fleetShas();
    traceHosts(f, (name) => (name === hung ? hungReload : slowReload(0)));
    const runId = await startApprovedPush(f, 2);
    const run = await f.waitForRun(runId, 200_000);

    expect(run.state).toBe('failed');
    const result = run.targets.find((t) => t.target === hung);
    expect(result).toMatchObject({ ok: false });
    expect(result?.error).toMatch(/did not finish within 2000 ms/);
    // Put back by its own step (once), so the rollback had nothing to do there.
    expect(f.tracedCalls(hung).filter(isRestore)).toHaveLength(1);
    expectFleetAsReported(f, run, await f.server.marshal.audit.entries(runId), before, web);
  });
});
