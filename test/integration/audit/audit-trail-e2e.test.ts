import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/audit/index.js';
import { MARSHAL_HOLD } from '../../../src/slack/blocks/index.js';
import {
  ConfigPushFixture,
  DEMO_APPROVER,
  DEMO_CHANNEL,
  DEMO_REQUESTER,
  waitUntil,
} from '../../support/config-push-fixture.js';
import { startMarshal } from '../../support/marshal-process.js';
import { testRedisUrl } from '../../support/redis.js';

/** The permalink chat.getPermalink gives for a message of the channel (the stand-in's, Slack's shape). */
const permalinkOf = (ts: string) => new RegExp(`/archives/${DEMO_CHANNEL}/p${ts.replace('.', '')}(\\?|$)`);

/**
 * The audit trail of a real flow, end to end: Marshal's server (Bolt, progress threads, engine, audit
 * trail with Slack permalinks) on an sshd fleet, driven by signed clicks and commands. Every action
 * leaves its record, in the order it happened, linked to its Slack message; `marshal audit verify`
 * finds the chain whole.
 */
describe('the audit trail of a real flow', { timeout: 240_000 }, () => {
  let f: ConfigPushFixture;
  beforeAll(async () => {
    f = await ConfigPushFixture.start({ hosts: 4 });
  });
  afterAll(async () => {
    await f?.close();
  });

  const all = async (): Promise<AuditRecord[]> => {
    const audit = f.server.marshal.audit;
    return audit.range(1, (await audit.head()).seq);
  };
  const ops = async (text: string) => (await f.sendCommand(DEMO_APPROVER, text, '/ops')).text;

  it('start, hold, approval, resume, host results, locks, freeze, stop-all and abort: each audited in order, linked, verified', async () => {
    const push = 'push rate-limiter to role=web --canary 1 --batches 100% --delay 0s';
    // Run 1: held at its approval, approved, resumed, finished.
    const r1 = (await f.sendCommand(DEMO_REQUESTER, push)).runId!;
    const card = await f.waitForApprovalCard(r1);
    await f.press(MARSHAL_HOLD, card, DEMO_APPROVER);
    await f.waitForEvent('the hold', (e) => e.runId === r1 && e.type === 'run.control');
    await f.press('marshal_approve', card, DEMO_APPROVER);
    await f.waitForEvent('the approval', (e) => e.runId === r1 && e.type === 'gate.decided');
    // Approved while a hold was asked: the batches stage parks before its first batch.
    await waitUntil('the batches to hold', async () =>
      (await f.server.marshal.engine.get(r1)).tasks.some((t) => t.state === 'held') ? true : undefined,
    );
    expect(await ops(`resume ${r1}`)).toContain('resumes');
    expect((await f.waitForRun(r1)).state).toBe('succeeded');

    // Fleet-wide: a freeze set and lifted; then run 2 stopped by stop-all at its gate, and aborted.
    expect(await ops('freeze 1h audit drill')).toContain('change freeze until');
    expect(await ops('freeze off')).toContain('lifted');
    const r2 = (await f.sendCommand(DEMO_REQUESTER, push)).runId!;
    await f.waitForApprovalCard(r2);
    expect(await ops('stop-all audit drill')).toContain('Held 1 of 1 active run');
    expect(await ops(`abort ${r2}`)).toContain('aborting');
    expect((await f.waitForRun(r2)).state).toBe('aborted');

    const records = await waitUntil('both runs’ ends in the audit', async () => {
      const got = await all();
      const ends = got.filter((r) => r.kind === 'run.finished').map((r) => r.runId);
      return ends.includes(r1) && ends.includes(r2) ? got : undefined;
    });
    const of = (runId: string) => records.filter((r) => r.runId === runId);
    const first = (rs: AuditRecord[], kind: string, target?: string) =>
      rs.find((r) => r.kind === kind && (target === undefined || r.target === target));
    const seqOf = (r: AuditRecord | undefined, what: string) => {
      expect(r, what).toBeDefined();
      return r!.seq;
    };

    // Run 1, in the order things happened.
    const one = of(r1);
    const [canary, ...rest] = f.webHosts;
    const order = [
      seqOf(first(one, 'run.started'), 'run.started'),
      seqOf(first(one, 'host.changed', canary), 'canary result'),
      seqOf(first(one, 'gate.waiting'), 'gate.waiting'),
      seqOf(first(one, 'run.hold'), 'run.hold'),
      seqOf(first(one, 'gate.approved'), 'gate.approved'),
      seqOf(first(one, 'run.resume'), 'run.resume'),
      // The batch's hosts run at once: their results come in either order, after the resume.
      ...rest.map((h) => seqOf(first(one, 'host.changed', h), `result of ${h}`)).sort((a, b) => a - b),
      seqOf(first(one, 'lock.released'), 'lock.released'),
      seqOf(first(one, 'run.finished'), 'run.finished'),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(seqOf(first(one, 'lock.taken'), 'lock.taken')).toBeLessThan(
      seqOf(first(one, 'host.changed', canary), 'canary result'),
    );
    expect(first(one, 'run.started')).toMatchObject({ actor: DEMO_REQUESTER });
    expect(first(one, 'run.hold')).toMatchObject({ actor: DEMO_APPROVER });
    expect(first(one, 'gate.approved')).toMatchObject({ actor: DEMO_APPROVER });
    expect(first(one, 'run.resume')).toMatchObject({ actor: DEMO_APPROVER });

    // Each record links to its Slack message: the gate's card, or the run's thread.
    const [parent] = await f.thread(r1);
    expect(first(one, 'gate.approved')?.link).toMatch(permalinkOf(card.ts));
    expect(first(one, 'gate.approved')?.link).toMatch(/^https:\/\//);
    for (const kind of ['run.started', 'run.hold', 'run.resume', 'run.finished'])
      expect(first(one, kind)?.link, kind).toMatch(permalinkOf(parent!.ts));

    // Fleet-wide actions, in order, each with the permalink of its note in the channel.
    const freeze = records.find((r) => r.kind === 'ops.freeze');
    const unfreeze = records.find((r) => r.kind === 'ops.unfreeze');
    const stop = records.find((r) => r.kind === 'ops.stop_all');
    expect(freeze).toMatchObject({ actor: DEMO_APPROVER, data: { reason: 'audit drill' } });
    expect(stop).toMatchObject({ actor: DEMO_APPROVER, data: { reason: 'audit drill', held: [r2] } });
    for (const r of [freeze, unfreeze, stop])
      expect(r?.link).toMatch(new RegExp(`/archives/${DEMO_CHANNEL}/p\\d+`));
    const two = of(r2);
    const fleetOrder = [
      seqOf(first(one, 'run.finished'), 'run 1 end'),
      seqOf(freeze, 'ops.freeze'),
      seqOf(unfreeze, 'ops.unfreeze'),
      seqOf(first(two, 'run.started'), 'run 2 start'),
      seqOf(stop, 'ops.stop_all'),
      seqOf(first(two, 'run.abort'), 'run.abort'),
      seqOf(first(two, 'run.finished'), 'run 2 end'),
    ];
    expect(fleetOrder).toEqual([...fleetOrder].sort((a, b) => a - b));
    expect(seqOf(first(two, 'run.hold'), 'stop-all’s hold')).toBeLessThan(
      seqOf(first(two, 'run.abort'), 'abort'),
    );
    expect(first(two, 'run.hold')).toMatchObject({ actor: DEMO_APPROVER });

    // The chain is whole, as an auditor checks it.
    const verify = startMarshal(['audit', 'verify'], {
      REDIS_URL: testRedisUrl(),
      MARSHAL_PREFIX: f.server.marshal.prefix,
      MARSHAL_CONFIG: f.env.configPath,
    });
    const { code } = await verify.exited;
    expect(verify.stderr()).toBe('');
    expect(code).toBe(0);
    expect(verify.stdout()).toMatch(/^audit chain intact: \d+ records/);
  });
});
