import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigPushFixture } from '../support/config-push-fixture.js';
import { expectReportedEqualsReal, pushWithFaultAtApproval } from './support/mid-run-fault.js';

/** A port that accepts TCP and never says a word: no SSH banner, no close. */
async function tarpit(address: string, port: number): Promise<{ server: Server; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return { server, accepted };
}

/** Issue #8 fault suite: a host whose SSH port became a tarpit in the middle of a run. */
describe('a tarpit SSH port mid-run', () => {
  let f: ConfigPushFixture;
  let pit: { server: Server; accepted: Socket[] } | undefined;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 4 });
  });
  afterAll(async () => {
    for (const s of pit?.accepted ?? []) s.destroy();
    await new Promise((resolve) => (pit ? pit.server.close(resolve) : resolve(undefined)));
    await f?.close();
  });

  it('the host fails with a clear timeout, its batch mate is not held up, and the report matches every host', async () => {
    // role=web of 4 hosts: canary web-001, then web-002 and web-003 together in one batch.
    expect(f.webHosts).toEqual(['web-001', 'web-002', 'web-003']);
    const stuck = f.hosts.find((h) => h.name === 'web-003')!;
    const result = await pushWithFaultAtApproval(f, async () => {
      await f.env.fleet.stop(stuck);
      pit = await tarpit(stuck.address, stuck.port);
    });

    expect(result.run.state).toBe('failed');
    expect(pit!.accepted.length).toBeGreaterThan(0);
    const failed = result.run.targets.find((t) => t.target === stuck.name);
    expect(failed?.ok).toBe(false);
    expect(failed?.error).toMatch(/no SSH handshake within \d+ ms/);
    expect(result.thread).toContain(stuck.name);
    expect(result.thread).toMatch(/no SSH handshake within \d+ ms/);

    // Its batch mate, started with it, finished while the tarpit was still being waited on: the engine
    // published the mate's result before the tarpit host's, and the mate's change was not undone for
    // any reason but the failed batch (its restore is the rollback's, reported below).
    const finished = f.events
      .filter((e) => e.runId === result.run.runId && e.type === 'target.finished')
      .map((e) =>
        e.type === 'target.finished' ? `${e.result.target} ${e.result.ok ? 'ok' : 'failed'}` : '',
      );
    expect(finished.indexOf('web-002 ok')).toBeGreaterThanOrEqual(0);
    expect(finished.indexOf('web-002 ok')).toBeLessThan(finished.indexOf('web-003 failed'));

    expectReportedEqualsReal(f, result);
  });
});
