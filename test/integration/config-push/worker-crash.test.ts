import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../../src/local/fleet/sshd-config.js';
import { ConfigPushFixture, LOADED, TARGET, TRACE_LOG } from '../../support/config-push-fixture.js';
import { startApprovedPush, startMarshalWorker, traceHosts } from '../../support/fault-push.js';
import { killHard } from '../../support/worker-process.js';

/**
 * Each host counts what Marshal does to it, in its own log (MV_TRACE): every rename onto the config file
 * (an install or a restore), and every reload. The reload takes a second, as a real gateway's does, so a worker killed
 * mid-batch leaves hosts with the file in place but not yet reloaded: the case a resumed step must finish.
 */
const slowReload = `#!/bin/sh
last=""; for a in "$@"; do last="$a"; done
if [ "$last" = ${LOADED} ]; then
  sleep 1
  # The session of a dead worker has no reader any more: this write ends the reload as sshd's SIGPIPE would.
  echo "gateway: reloading" >&2 || exit 1
  echo "reload" >> ${TRACE_LOG}
fi
PATH=\${PATH#${HOOK_BIN_DIR}:} exec cp "$@"
`;

/** `marshal worker` as operators run it, in its own process, taking over stalled jobs after 2 s. */
const startWorker = (f: ConfigPushFixture): Promise<ChildProcess> =>
  startMarshalWorker(f, { lockDurationMs: 2000, stalledIntervalMs: 1000 });

describe('config push with a worker killed mid-batch', () => {
  let f: ConfigPushFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The server is the Slack front end only; the work happens in `marshal worker` processes.
    f = await ConfigPushFixture.start({ hosts: 10, workers: false });
  });
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await f?.close();
  });

  it('another worker completes the run; each host gets the file installed exactly once and serves it', async () => {
    const web = f.webHosts;
    const others = f.hosts.map((h) => h.name).filter((n) => !web.includes(n));
    const before = f.fleetShas();
    traceHosts(f, () => slowReload);
    const first = await startWorker(f);
    children.push(first);

    const runId = await startApprovedPush(f, 3);

    // Kill mid-batch at the worst moment: a host of the batch has the new file in place and is reloading.
    const isInstall = (line: string) => /^mv .*marshal-new-/.test(line) && line.endsWith(TARGET);
    const reloading = await f.waitUntilHost('a host of the batch to be reloading', (host) => {
      const calls = f.tracedCalls(host);
      const inBatch = host !== web[0];
      return inBatch && calls.length > 0 && isInstall(calls.at(-1)!);
    });
    await killHard(first);
    const progress = (await f.server.marshal.engine.get(runId)).progress.find((p) => p.stage === 'batch');
    expect(progress?.inFlight).toBeGreaterThan(0);
    children.push(await startWorker(f));

    const run = await f.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    const wanted = f.bundleSha();
    const installs = (host: string) => f.tracedCalls(host).filter(isInstall).length;
    for (const host of web)
      expect({
        host,
        sha: f.hostSha(host),
        serves: f.hostSha(host, LOADED),
        installs: installs(host),
      }).toEqual({
        host,
        sha: wanted,
        serves: wanted,
        installs: 1,
      });
    for (const host of others)
      expect({ host, sha: f.hostSha(host), calls: f.tracedCalls(host) }).toEqual({
        host,
        sha: before[host],
        calls: [],
      });
    // The host caught mid-reload was finished by the second worker: reloaded, not installed again. (The
    // dead worker's own reload may or may not have finished on the host; reloading twice is harmless.)
    expect(f.tracedCalls(reloading).filter((l) => l === 'reload').length).toBeGreaterThanOrEqual(1);
    expect(
      run.targets
        .filter((t) => t.ok && t.changed)
        .map((t) => t.target)
        .sort(),
    ).toEqual([...web].sort());
  });
});
