import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaproxyLoadBalancer, type LbAdminState } from '../../../src/hosts/blocks/index.js';
import { sh } from '../../../src/hosts/quote.js';
import { FLEET_DISK, FLEET_SERVICE_DIR } from '../../../src/local/fleet/index.js';
import { drainMarker } from '../../../examples/workflows/host-remediation.js';
import { APPROVER, ExampleWorld, REQUESTER } from '../../support/example-world.js';
import { testRedisUrl } from '../../support/redis.js';

const SPOOL = `${FLEET_DISK}/spool`;

describe('example workflow host-remediation (examples/workflows), on the real sshd fleet behind HAProxy', () => {
  let world: ExampleWorld;
  let lb: HaproxyLoadBalancer;
  const ctx = { signal: new AbortController().signal };
  const run = (i: number, command: ReturnType<typeof sh>) => world.executor.exec(world.host(i), command, ctx);

  beforeAll(async () => {
    world = await ExampleWorld.start(testRedisUrl(), {
      hosts: 4,
      vars: () => ({ service_manager: `runit:${FLEET_SERVICE_DIR}` }),
    });
    lb = new HaproxyLoadBalancer({ socket: world.haproxy.socket });
    // Host 1: its service is down. Host 2: its disk is full of spool files. Hosts 3 and 4 are fine.
    expect((await run(0, sh`sv -w 30 down ${`${FLEET_SERVICE_DIR}/web`}`)).exitCode).toBe(0);
    expect(
      (await run(1, sh`mkdir -p ${SPOOL} && head -c 15000000 /dev/zero > ${`${SPOOL}/old.log`}`)).exitCode,
    ).toBe(0);
  });
  afterAll(async () => {
    await world?.close();
  });

  const params = {
    selector: 'ex-*',
    unit: 'web',
    disk: FLEET_DISK,
    maxDisk: 90,
    clean: SPOOL,
    backend: 'web',
    health: 'http:8080/',
    canary: 1,
    batches: ['100%'],
    concurrency: 4,
    soakMs: 0,
  };

  /** Records every admin state HAProxy shows for each server while `work` runs. */
  async function watchBalancer(work: Promise<unknown>): Promise<Map<string, Set<LbAdminState>>> {
    const seen = new Map(world.inventory.hosts().map((h) => [h.name, new Set<LbAdminState>()]));
    let done = false;
    void work.finally(() => (done = true));
    while (!done) {
      for (const [server, states] of seen) states.add((await lb.state({ backend: 'web', server })).admin);
      await new Promise((r) => setTimeout(r, 50));
    }
    await work;
    return seen;
  }

  it('a dry run detects and says what it would do on each host; nothing changes', async () => {
    const runId = await world.engine.start({
      workflow: 'host-remediation',
      params,
      requester: REQUESTER,
      dryRun: true,
    });
    const seen = await watchBalancer(world.finished(runId));
    const done = await world.engine.get(runId);
    expect(done.state).toBe('succeeded');
    const summary = (i: number) => done.targets.find((t) => t.target === world.host(i).name)?.summary;
    expect(summary(0)).toBe('web is down: would drain, restart web, verify, return');
    expect(summary(1)).toMatch(
      new RegExp(`^${FLEET_DISK} is 9\\d% full: would drain, clear ${SPOOL}, verify, return$`),
    );
    expect(summary(2)).toBe('healthy: would skip');
    expect(summary(3)).toBe('healthy: would skip');
    for (const states of seen.values()) expect([...states]).toEqual(['ready']);
    expect((await run(0, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^down:/);
    expect((await run(1, sh`ls ${SPOOL}`)).stdout.trim()).toBe('old.log');
  });

  it('drains, fixes, verifies and returns the sick hosts; the healthy ones are skipped, never drained', async () => {
    const runId = await world.engine.start({ workflow: 'host-remediation', params, requester: REQUESTER });
    const approved = world.approve(runId, APPROVER);
    const seen = await watchBalancer(world.finished(runId));
    await approved;
    const done = await world.engine.get(runId);
    expect(done.state).toBe('succeeded');
    const result = (i: number) => done.targets.find((t) => t.target === world.host(i).name);
    expect(result(0)).toMatchObject({ ok: true, changed: true });
    expect(result(0)?.summary).toMatch(/^fixed \(web is down\); HTTP 200; back in web$/);
    expect(result(1)).toMatchObject({ ok: true, changed: true });
    expect(result(1)?.summary).toMatch(/^fixed \(.* full\); HTTP 200; back in web$/);
    for (const i of [2, 3])
      expect(result(i)).toMatchObject({ ok: true, changed: false, summary: 'healthy: skipped' });
    // The sick hosts were out of traffic while they were fixed; the healthy ones never left it.
    expect(seen.get(world.host(0).name)).toContain('drain');
    expect(seen.get(world.host(1).name)).toContain('drain');
    expect([...seen.get(world.host(2).name)!]).toEqual(['ready']);
    expect([...seen.get(world.host(3).name)!]).toEqual(['ready']);
    for (const h of world.inventory.hosts())
      expect((await lb.state({ backend: 'web', server: h.name })).admin).toBe('ready');
    expect((await run(0, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^run:/);
    expect((await run(1, sh`ls -A ${SPOOL}`)).stdout.trim()).toBe('');
  });

  it('returns a host that an attempt cut short left drained (its marker on the host), and nothing else', async () => {
    const runId = await world.engine.start({ workflow: 'host-remediation', params, requester: REQUESTER });
    for (;;) {
      const run = await world.engine.get(runId);
      if (run.gates.some((g) => g.state === 'waiting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // What a worker that died between the drain and the return leaves behind on host 4: its marker, and
    // the host drained though healthy. Host 3 was drained by an operator: no marker, so it is left alone.
    expect((await run(3, sh`echo web/${world.host(3).name} > ${drainMarker(runId)}`)).exitCode).toBe(0);
    await lb.drain({ backend: 'web', server: world.host(3).name }, ctx, { timeoutMs: 0 });
    await lb.drain({ backend: 'web', server: world.host(2).name }, ctx, { timeoutMs: 0 });
    await world.approve(runId, APPROVER);
    const done = await world.finished(runId);
    expect(done.state).toBe('succeeded');
    const result = (i: number) => done.targets.find((t) => t.target === world.host(i).name);
    expect(result(3)).toMatchObject({ ok: true, changed: true });
    expect(result(3)?.summary).toBe('fixed (by an attempt cut short); HTTP 200; back in web');
    expect(result(2)).toMatchObject({ ok: true, changed: false, summary: 'healthy: skipped' });
    expect((await lb.state({ backend: 'web', server: world.host(3).name })).admin).toBe('ready');
    expect((await lb.state({ backend: 'web', server: world.host(2).name })).admin).toBe('drain');
    expect((await run(3, sh`test -e ${drainMarker(runId)}`)).exitCode).toBe(1);
    await lb.ready({ backend: 'web', server: world.host(2).name }, ctx);
  });

  it('a host whose fix does not verify stays drained and fails, saying why', async () => {
    const host = world.host(2);
    // Full of a file outside the directory the workflow may clear.
    expect((await run(2, sh`head -c 15000000 /dev/zero > ${`${FLEET_DISK}/keep.db`}`)).exitCode).toBe(0);
    const runId = await world.engine.start({
      workflow: 'host-remediation',
      params: { ...params, selector: host.name, canary: 0 },
      requester: REQUESTER,
    });
    await world.approve(runId, APPROVER);
    const done = await world.finished(runId);
    expect(done.state).toBe('failed');
    expect(done.targets[0]).toMatchObject({ target: host.name, ok: false });
    expect(done.targets[0]?.error).toMatch(/still .* full after the fix: left drained for an operator/);
    expect((await lb.state({ backend: 'web', server: host.name })).admin).toBe('drain');
    expect((await run(2, sh`ls ${FLEET_DISK}`)).stdout).toContain('keep.db');
  });
});
