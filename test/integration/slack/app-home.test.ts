import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeFreeze } from '../../../src/control/change-freeze.js';
import { MARSHAL_HOME_APPROVE, MARSHAL_HOME_REJECT } from '../../../src/slack/blocks/index.js';
import { appHomeOpenedBody, homeActionBody } from '../../../src/local/slack-standin/signed-requests.js';
import {
  APPROVER,
  CHANNEL,
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

/**
 * The App Home through Bolt's real request path: a signed app_home_opened publishes the tab
 * (views.publish to the stand-in), run events refresh it (coalesced), and its Approve / Reject buttons
 * decide the gate with the card's checks, clicked from the Home view Marshal published.
 */
let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl(), { home: { minIntervalMs: 300, refreshMs: 500 } });
});
afterAll(() => f?.close());

const home = (user: string) => f.standin.home(user);
const text = (user: string) => JSON.stringify(home(user)?.view.blocks ?? []);
const open = (user: string) =>
  f
    .send(appHomeOpenedBody(user), { contentType: 'application/json' })
    .then((r) => expect(r.status).toBe(200));
/** The Home buttons of `user`'s published view, by action id. */
const buttons = (user: string) =>
  (home(user)?.view.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
const viewId = (user: string) => `V${user}`; // the id the stand-in's views.publish answers
let clicks = 0;
const actionTs = () => `1700002000.${String(++clicks).padStart(6, '0')}`;
const click = (user: string, actionId: string, value: string, view = viewId(user)) =>
  f.send(homeActionBody({ actionId, value, user, viewId: view, actionTs: actionTs() }));

async function waitingRun(hosts: string): Promise<string> {
  const runId = await f.engine.start({
    workflow: 'config-push',
    params: { bundle: 'nginx', selector: hosts, soakMs: 0 },
    requester: REQUESTER,
  });
  await f.approvalCard(runId);
  return runId;
}

describe('Slack App Home', () => {
  it('is published when a user opens it, then refreshed when a run waits for them; their own run shows no buttons', async () => {
    await open(APPROVER);
    await open(REQUESTER);
    await until(() => home(APPROVER) !== undefined && home(REQUESTER) !== undefined);
    expect(text(APPROVER)).toContain('Waiting for your approval (0)');

    const runId = await waitingRun('h-1,h-2,h-3');
    // Not opened again: the gate.waiting event refreshes it.
    await until(() => text(APPROVER).includes(runId) && buttons(APPROVER).length === 2);
    expect(text(APPROVER)).toContain('Waiting for your approval (1)');
    expect(buttons(APPROVER).map((b) => b.action_id)).toEqual([MARSHAL_HOME_APPROVE, MARSHAL_HOME_REJECT]);
    const value = JSON.parse(buttons(APPROVER)[0]!.value) as Record<string, string>;
    const gate = (await f.engine.get(runId)).gates[0]!;
    expect(value).toEqual({ runId, gateId: gate.gateId, plan: gate.planHash });
    // The requester sees the run among the active ones, but nothing to approve (four-eyes).
    await until(() => text(REQUESTER).includes(runId));
    expect(text(REQUESTER)).toContain('Waiting for your approval (0)');
    expect(buttons(REQUESTER)).toEqual([]);
  });

  it('approves from the Home tab: the run goes on, the thread’s card says so, the Home drops it; forged clicks change nothing', async () => {
    const runId = await waitingRun('a-1,a-2');
    const card = await f.approvalCard(runId);
    await until(() => buttons(APPROVER).some((b) => b.value.includes(runId)));
    const approve = buttons(APPROVER).find(
      (b) => b.action_id === MARSHAL_HOME_APPROVE && b.value.includes(runId),
    )!;

    // Not from the view Marshal published to the presser: refused, and said on the Home.
    await click(APPROVER, MARSHAL_HOME_APPROVE, approve.value, 'VFORGED');
    await until(() => text(APPROVER).includes('was not on the Home tab Marshal last showed you'));
    // The requester with the approver's button, from their own Home: four-eyes.
    await click(REQUESTER, MARSHAL_HOME_APPROVE, approve.value);
    await until(() => text(REQUESTER).includes('You requested this run'));
    // A plan other than the waiting one: refused.
    const otherPlan = JSON.stringify({ ...JSON.parse(approve.value), plan: 'f'.repeat(64) });
    await click(APPROVER, MARSHAL_HOME_APPROVE, otherPlan);
    await until(() => text(APPROVER).includes('another plan'));
    expect((await f.engine.get(runId)).gates[0]!.state).toBe('waiting');

    await click(APPROVER, MARSHAL_HOME_APPROVE, approve.value);
    await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    const run = await f.engine.get(runId);
    expect(run.gates[0]).toMatchObject({ state: 'approved', decidedBy: APPROVER });
    expect(run.state).toBe('succeeded');
    // The card in the thread shows the decision, as a click on it would.
    await until(() => JSON.stringify(f.standin.message(CHANNEL, card.ts)?.blocks).includes(`<@${APPROVER}>`));
    expect(f.standin.message(CHANNEL, card.ts)!.edits).toBeGreaterThan(0);
    await until(() => !buttons(APPROVER).some((b) => b.value.includes(runId)));
    expect(text(APPROVER)).toContain('You approved `' + runId + '`');
  });

  it('rejects from the Home tab', async () => {
    const runId = await waitingRun('r-1,r-2');
    await until(() => buttons(APPROVER).some((b) => b.value.includes(runId)));
    const reject = buttons(APPROVER).find(
      (b) => b.action_id === MARSHAL_HOME_REJECT && b.value.includes(runId),
    )!;
    await click(APPROVER, MARSHAL_HOME_REJECT, reject.value);
    await until(async () => (await f.engine.get(runId)).gates[0]!.state === 'rejected');
    await until(() => text(APPROVER).includes(`You rejected`));
  });

  it('shows a freeze (refreshed without an event) and publishes far less often than runs emit events', async () => {
    await new ChangeFreeze(f.redis, f.prefix, []).freeze(60_000, 'release day', APPROVER);
    await until(() => text(APPROVER).includes('release day'));
    // Everything so far: three runs' events (task states, host progress, gates) against the publishes.
    const events = f.events.length;
    const publishes = home(APPROVER)!.publishes;
    expect(events).toBeGreaterThan(40);
    expect(publishes).toBeLessThan(events / 3);
    // Nothing changed: the slow refresh publishes nothing new.
    await new Promise((r) => setTimeout(r, 1500));
    expect(home(APPROVER)!.publishes).toBe(publishes);
  });
});
