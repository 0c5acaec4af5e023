import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRefused } from '../../../src/engine/index.js';
import { HaproxyLoadBalancer } from '../../../src/hosts/blocks/index.js';
import { sh } from '../../../src/hosts/quote.js';
import { FLEET_SERVICE_DIR } from '../../../src/local/fleet/index.js';
import { APPROVER, ExampleWorld, REQUESTER, WWW } from '../../support/example-world.js';
import { testRedisUrl } from '../../support/redis.js';

const WEB = `${FLEET_SERVICE_DIR}/web`;

describe('example workflow app-relocation (examples/workflows), on the real sshd fleet behind HAProxy', () => {
  let world: ExampleWorld;
  let lb: HaproxyLoadBalancer;
  const ctx = { signal: new AbortController().signal };
  const on = (i: number, command: ReturnType<typeof sh>) => world.executor.exec(world.host(i), command, ctx);
  const admin = async (i: number) => (await lb.state({ backend: 'web', server: world.host(i).name })).admin;
  const sums = async (i: number) =>
    (await on(i, sh`cd ${WWW} && find . -type f | sort | xargs sha256sum`)).stdout;

  beforeAll(async () => {
    world = await ExampleWorld.start(testRedisUrl(), {
      hosts: 2,
      vars: () => ({ service_manager: `runit:${FLEET_SERVICE_DIR}` }),
    });
    lb = new HaproxyLoadBalancer({ socket: world.haproxy.socket });
    // The app serves its data from host A; host B is standing by: app stopped, out of the balancer.
    expect(
      (
        await on(
          0,
          sh`mkdir -p ${`${WWW}/assets`} && head -c 200000 /dev/urandom > ${`${WWW}/assets/blob`} && echo ok > ${`${WWW}/health`}`,
        )
      ).exitCode,
    ).toBe(0);
    expect((await on(1, sh`sv -w 30 down ${WEB}`)).exitCode).toBe(0);
    await lb.drain({ backend: 'web', server: world.host(1).name }, ctx, { timeoutMs: 0 });
  });
  afterAll(async () => {
    await world?.close();
  });

  const params = () => ({
    app: 'web',
    from: world.host(0).name,
    to: world.host(1).name,
    data: WWW,
    backend: 'web',
    health: 'http:8080/health',
  });

  it('a dry run validates and says what it would do; it stops, copies and switches nothing', async () => {
    const before = await sums(1);
    const runId = await world.engine.start({
      workflow: 'app-relocation',
      params: params(),
      requester: REQUESTER,
      dryRun: true,
    });
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(run.tasks.find((t) => t.taskId === 'rollback')?.state).toBe('skipped');
    expect((await on(0, sh`sv status ${WEB}`)).stdout).toMatch(/^run:/);
    expect((await on(1, sh`sv status ${WEB}`)).stdout).toMatch(/^down:/);
    expect(await sums(1)).toBe(before);
    expect([await admin(0), await admin(1)]).toEqual(['ready', 'drain']);
  });

  it('moves the app and its data to B after another person approves; B serves, A is drained and stopped', async () => {
    const fromA = await sums(0);
    const runId = await world.engine.start({
      workflow: 'app-relocation',
      params: params(),
      requester: REQUESTER,
    });
    for (;;) {
      const run = await world.engine.get(runId);
      if (run.gates.some((g) => g.state === 'waiting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const gate = (await world.engine.get(runId)).gates.find((g) => g.state === 'waiting')!;
    expect(gate.evidence).toMatchObject({
      app: 'web',
      from: world.host(0).name,
      to: world.host(1).name,
      files: 3,
    });
    await expect(
      world.engine.decide({ runId, gateId: gate.gateId, decision: 'approve', by: REQUESTER }),
    ).rejects.toBeInstanceOf(ApprovalRefused);
    // Nothing moved while the approval waited.
    expect((await on(0, sh`sv status ${WEB}`)).stdout).toMatch(/^run:/);
    await world.approve(runId, APPROVER);
    const run = await world.finished(runId);
    expect(run.state).toBe('succeeded');
    expect(run.tasks.find((t) => t.taskId === 'rollback')?.state).toBe('skipped');
    expect(await sums(1)).toBe(fromA);
    expect((await on(0, sh`sv status ${WEB}`)).stdout).toMatch(/^down:/);
    expect((await on(1, sh`sv status ${WEB}`)).stdout).toMatch(/^run:/);
    expect([await admin(0), await admin(1)]).toEqual(['drain', 'ready']);
    // Traffic through the balancer reaches B, and B serves A's data.
    const res = await fetch(`${world.haproxy.url('web')}/health`);
    expect(await res.text()).toBe('ok\n');
    const log = readFileSync(
      world.fleet.localPath(world.host(1), '/var/lib/marshal-host/access.log'),
      'utf8',
    );
    expect(log).toContain('GET /health');
  });

  it('a move that fails is rolled back: the app back on its first host, healthy and in the balancer', async () => {
    // Move it back from B to A, but A's data directory cannot be written (a file stands where it goes).
    expect((await on(0, sh`mv ${WWW} ${`${WWW}.old`} && touch ${WWW}`)).exitCode).toBe(0);
    const runId = await world.engine.start({
      workflow: 'app-relocation',
      params: { ...params(), from: world.host(1).name, to: world.host(0).name },
      requester: REQUESTER,
    });
    await world.approve(runId, APPROVER);
    const run = await world.finished(runId);
    expect(run.state).toBe('failed');
    const state = (id: string) => run.tasks.find((t) => t.taskId === id)?.state;
    expect(state('copy-data')).toBe('failed');
    expect(state('rollback')).toBe('success');
    expect((await on(1, sh`sv status ${WEB}`)).stdout).toMatch(/^run:/);
    expect((await on(0, sh`sv status ${WEB}`)).stdout).toMatch(/^down:/);
    expect([await admin(0), await admin(1)]).toEqual(['drain', 'ready']);
    expect((await fetch(`${world.haproxy.url('web')}/health`)).status).toBe(200);
  });
});
