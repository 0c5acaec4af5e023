import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_BIN_DIR } from '../../../src/local/fleet/sshd-config.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import { CertFixture, CERT_PATH } from '../../support/cert-fixture.js';
import { DEMO_APPROVER, DEMO_REQUESTER, TRACE_LOG } from '../../support/config-push-fixture.js';
import { MV_TRACE, startMarshalWorker } from '../../support/fault-push.js';
import { killHard } from '../../support/worker-process.js';

/**
 * nginx's reload takes a second on every host and logs its start and end in the host's trace log, next
 * to every rename Marshal makes (MV_TRACE): a worker killed in that second leaves a host with the new
 * files swapped in but not reloaded (still serving the old certificate), the case the next attempt must
 * finish without swapping again.
 */
const slowReload = `#!/bin/sh
case " $* " in *" -s reload "*)
  echo "reload-start" >> ${TRACE_LOG}
  sleep 1
  # A dead worker's session has no reader any more: this write ends the reload as sshd's SIGPIPE would,
  # so the host is left with the new files in place and the old certificate served.
  echo "nginx: reloading" >&2 || exit 1
  PATH=\${PATH#${HOOK_BIN_DIR}:} nginx "$@" || exit 1
  echo "reload" >> ${TRACE_LOG}
  exit 0;;
esac
PATH=\${PATH#${HOOK_BIN_DIR}:} exec nginx "$@"
`;

/** A swap of the certificate file: the rename of this run's staged copy over the live path. */
const isSwap = (line: string): boolean => /^mv .*marshal-new-/.test(line) && line.endsWith(` ${CERT_PATH}`);

describe('certificate renewal with its worker killed mid-batch', () => {
  let c: CertFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The server is the Slack front end only: renewals run in `marshal worker` processes the test kills.
    c = await CertFixture.start({ hosts: 8, workers: false });
  }, 240_000);
  afterAll(async () => {
    for (const child of children) await killHard(child);
    await c?.close();
  });

  it('another worker finishes the run: each host swapped exactly once and every selected host serves the new certificate', async () => {
    const first = c.firstFingerprint();
    const web = c.webHosts;
    const canaryHost = web[0]!;
    for (const host of c.f.hosts) {
      c.env.fleet.install(host, 'mv', MV_TRACE);
      c.env.fleet.install(host, 'nginx', slowReload);
    }
    const worker = () => startMarshalWorker(c.f, { lockDurationMs: 2000, stalledIntervalMs: 1000 });
    const firstWorker = await worker();
    children.push(firstWorker);

    const reply = await c.f.sendCommand(
      DEMO_REQUESTER,
      'renew www --canary 1 --batches 100% --delay 0s --concurrency 5',
      '/cert',
    );
    const runId = reply.runId!;
    await c.f.press(MARSHAL_APPROVE, await c.f.waitForApprovalCard(runId), DEMO_APPROVER);

    // Killed at the worst moment: a host of the batch has the new files swapped in and is reloading.
    const reloading = await c.f.waitUntilHost(
      'a batch host to be reloading the swapped-in certificate',
      (host) => {
        if (!web.includes(host) || host === canaryHost) return false;
        const calls = c.f.tracedCalls(host);
        return calls.some(isSwap) && calls.at(-1) === 'reload-start';
      },
      120_000,
    );
    await killHard(firstWorker);
    const inFlight = (await c.f.server.marshal.engine.get(runId)).progress.find((p) => p.stage === 'batch');
    expect(inFlight?.inFlight).toBeGreaterThan(0);
    children.push(await worker());

    const run = await c.f.waitForRun(runId, 180_000);
    expect(run.state).toBe('succeeded');
    const renewed = await c.served(canaryHost);
    expect(renewed).not.toBe(first);
    // Host-side evidence: each selected host's own trace shows one swap; each serves the new certificate.
    for (const host of web)
      expect({
        host,
        swaps: c.f.tracedCalls(host).filter(isSwap).length,
        served: await c.served(host),
      }).toEqual({ host, swaps: 1, served: renewed });
    for (const host of c.otherHosts)
      expect({ host, calls: c.f.tracedCalls(host), served: await c.served(host) }).toEqual({
        host,
        calls: [],
        served: first,
      });
    // The host caught mid-reload was reloaded (again) by the second worker, not swapped again.
    expect(c.f.tracedCalls(reloading).filter((l) => l === 'reload').length).toBeGreaterThanOrEqual(1);
    expect(
      run.targets
        .filter((t) => t.ok && t.changed)
        .map((t) => t.target)
        .sort(),
    ).toEqual([...web].sort());
    // The audit never records a host deployed twice (a host the dead worker finished but did not audit
    // is found applied by the next attempt's check, and has none).
    const deployed = (await c.f.server.marshal.audit.entries(runId))
      .filter((e) => e.kind === 'cert.host.deployed')
      .map((e) => e.target);
    expect(new Set(deployed).size).toBe(deployed.length);
  }, 400_000);
});
