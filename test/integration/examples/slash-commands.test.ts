import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/hosts/quote.js';
import { FLEET_DISK, FLEET_SERVICE_DIR } from '../../../src/local/fleet/index.js';
import { WEB_TIER_WWW } from '../../../src/local/demo/demo-environment.js';
import { HaproxyLoadBalancer } from '../../../src/hosts/blocks/index.js';
import { MARSHAL_APPROVE } from '../../../src/slack/blocks/index.js';
import { ConfigPushFixture, DEMO_APPROVER, DEMO_REQUESTER } from '../../support/config-push-fixture.js';

/**
 * The three example workflows as a team would run them: loaded by Marshal from examples/workflows (its
 * config's `workflows:`), started with a signed `/marshal run …` from Slack, approved by another user
 * with the card's button, working on the real sshd fleet behind a real HAProxy (the config's load
 * balancer). Each also has a dry run that changes nothing.
 */
describe('example workflows end to end: signed /marshal run, approval by another user, real fleet', () => {
  let f: ConfigPushFixture;
  let lb: HaproxyLoadBalancer;
  const ctx = { signal: new AbortController().signal };
  const examples = ['mass-reboot', 'host-remediation', 'app-relocation'];

  beforeAll(async () => {
    f = await ConfigPushFixture.start({
      hosts: 4,
      environment: {
        webTier: true,
        workflows: [resolve('examples/workflows')],
        access: Object.fromEntries(
          examples.map((w) => [w, { start: ['S0PLATFORM'], approve: ['S0PLATFORM'] }]),
        ),
      },
    });
    lb = new HaproxyLoadBalancer({ socket: f.env.haproxy!.socket });
  });
  afterAll(() => f?.close());

  const host = (i: number) => f.hosts[i]!;
  const on = (i: number, command: ReturnType<typeof sh>) =>
    f.server.marshal.executor.exec(host(i), command, ctx);
  const bootIds = () => f.hosts.map((h) => f.env.fleet.bootId(h));

  /** `/marshal run <text>` from the requester; the run approved by another user from its card. */
  async function runApproved(text: string): Promise<string> {
    const reply = await f.sendCommand(DEMO_REQUESTER, `run ${text}`, '/marshal');
    expect(reply.runId, reply.text).toBeDefined();
    const card = await f.waitForApprovalCard(reply.runId!);
    // The requester's own click is refused (four-eyes); the approver's goes through.
    await f.press(MARSHAL_APPROVE, card, DEMO_REQUESTER);
    expect((await f.server.marshal.engine.get(reply.runId!)).gates.some((g) => g.state === 'waiting')).toBe(
      true,
    );
    await f.press(MARSHAL_APPROVE, card, DEMO_APPROVER);
    return reply.runId!;
  }

  async function dryRun(text: string): Promise<string> {
    const reply = await f.sendCommand(DEMO_REQUESTER, `run ${text} --dry-run`, '/marshal');
    expect(reply.text).toContain('(dry run)');
    return reply.runId!;
  }

  it('mass-reboot: dry run reboots nothing; the run reboots every host onto a new boot, healthy', async () => {
    const before = bootIds();
    const dry = await f.waitForRun(await dryRun('mass-reboot role=web --health http:8080/'));
    expect(dry.state).toBe('succeeded');
    expect(bootIds()).toEqual(before);

    const run = await f.waitForRun(
      await runApproved('mass-reboot role=web --health http:8080/ --canary 1 --batches 100% --delay 0s'),
    );
    expect(run.state).toBe('succeeded');
    const web = f.webHosts;
    expect(run.targets.map((t) => t.target).sort()).toEqual([...web].sort());
    f.hosts.forEach((h, i) =>
      web.includes(h.name)
        ? expect(f.env.fleet.bootId(h)).not.toBe(before[i])
        : expect(f.env.fleet.bootId(h)).toBe(before[i]),
    );
  });

  it('host-remediation: dry run fixes nothing; the run restarts the down unit, skips the healthy hosts', async () => {
    expect((await on(0, sh`sv -w 30 down ${`${FLEET_SERVICE_DIR}/web`}`)).exitCode).toBe(0);
    const words = `host-remediation role=web --unit web --disk ${FLEET_DISK} --backend web --health http:8080/`;
    const dry = await f.waitForRun(await dryRun(words));
    expect(dry.state).toBe('succeeded');
    expect((await on(0, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^down:/);

    const run = await f.waitForRun(await runApproved(`${words} --canary 1 --batches 100% --delay 0s`));
    expect(run.state).toBe('succeeded');
    const result = (i: number) => run.targets.find((t) => t.target === host(i).name);
    expect(result(0)).toMatchObject({ ok: true, changed: true });
    expect(result(1)).toMatchObject({ ok: true, changed: false, summary: 'healthy: skipped' });
    expect((await on(0, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^run:/);
    expect((await lb.state({ backend: 'web', server: host(0).name })).admin).toBe('ready');
  });

  it('app-relocation: dry run moves nothing; the run moves the app and its data, and the balancer with it', async () => {
    // Host 4 stands by for the app of host 1: its copy stopped, out of the balancer.
    expect((await on(3, sh`sv -w 30 down ${`${FLEET_SERVICE_DIR}/web`}`)).exitCode).toBe(0);
    await lb.drain({ backend: 'web', server: host(3).name }, ctx, { timeoutMs: 0 });
    expect((await on(0, sh`echo ok > ${`${WEB_TIER_WWW}/health`}`)).exitCode).toBe(0);
    const words = `app-relocation web from ${host(0).name} to ${host(3).name} --data ${WEB_TIER_WWW} --backend web --health http:8080/health`;
    const dry = await f.waitForRun(await dryRun(words));
    expect(dry.state).toBe('succeeded');
    expect((await on(3, sh`test -e ${`${WEB_TIER_WWW}/health`}`)).exitCode).toBe(1);

    const run = await f.waitForRun(await runApproved(words));
    expect(run.state).toBe('succeeded');
    const sums = async (i: number) =>
      (await on(i, sh`cd ${WEB_TIER_WWW} && sha256sum health index.html`)).stdout;
    expect(await sums(3)).toBe(await sums(0));
    expect((await lb.state({ backend: 'web', server: host(0).name })).admin).toBe('drain');
    expect((await lb.state({ backend: 'web', server: host(3).name })).admin).toBe('ready');
    expect((await on(0, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^down:/);
    expect((await on(3, sh`sv status ${`${FLEET_SERVICE_DIR}/web`}`)).stdout).toMatch(/^run:/);
  });
});
