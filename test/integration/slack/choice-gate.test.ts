import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARSHAL_CHOOSE_PREFIX, encodeGateActionValue } from '../../../src/slack/blocks/index.js';
import {
  APPROVER,
  CHANNEL,
  chosen,
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';
import { assertValidMessage } from '../../support/slack/block-kit-schema.js';

let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl());
});
afterAll(() => f?.close());

describe('a choice gate in Slack, over signed HTTP', () => {
  it('shows one button per option; the requester cannot pick; another user’s pick is read downstream and shown on the card', async () => {
    const runId = await f.engine.start({ workflow: 'dr-choice', params: {}, requester: REQUESTER });
    const card = await f.approvalCard(runId);
    const message = f.standin.message(CHANNEL, card.ts);
    assertValidMessage({ text: message?.text, blocks: message?.blocks });
    const posted = JSON.stringify(message);
    expect(posted).toContain('The service runs on DR. What now?');
    for (const [id, label] of [
      ['failback', 'Fail back now'],
      ['stay', 'Stay on DR'],
    ]) {
      expect(posted).toContain(`"action_id":"${MARSHAL_CHOOSE_PREFIX}${id}"`);
      expect(posted).toContain(label);
    }
    const failback = {
      actionId: `${MARSHAL_CHOOSE_PREFIX}failback`,
      value: encodeGateActionValue({ runId, gateId: 'next', option: 'failback', plan: card.plan }),
      messageTs: card.ts,
    };

    expect((await f.press({ ...failback, user: REQUESTER })).status).toBe(200);
    await f.ephemeral(REQUESTER, 'You requested this run, so you cannot decide it');
    expect((await f.engine.get(runId)).gates[0]?.state).toBe('waiting');

    expect((await f.press({ ...failback, user: APPROVER, actionTs: '1700000001.000001' })).status).toBe(200);
    const end = await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    expect(end).toMatchObject({ state: 'succeeded' });
    expect(chosen.get(runId)).toBe('failback');
    expect(f.events.find((e) => e.type === 'gate.decided' && e.runId === runId)).toMatchObject({
      decision: 'approve',
      option: 'failback',
      by: APPROVER,
    });
    await until(() => f.standin.accepted('chat.update').some((c) => c.args.ts === card.ts));
    expect(JSON.stringify(f.standin.message(CHANNEL, card.ts))).toContain(
      `*Fail back now* chosen by <@${APPROVER}>`,
    );

    // A late click on the other option changes nothing and says what was chosen.
    const stay = {
      actionId: `${MARSHAL_CHOOSE_PREFIX}stay`,
      value: encodeGateActionValue({ runId, gateId: 'next', option: 'stay', plan: card.plan }),
      messageTs: card.ts,
      user: APPROVER,
      actionTs: '1700000001.000002',
    };
    expect((await f.press(stay)).status).toBe(200);
    await f.ephemeral(APPROVER, 'no longer do anything');
    expect(chosen.get(runId)).toBe('failback');
  });
});
