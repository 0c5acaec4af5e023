import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MARSHAL_ABORT,
  MARSHAL_APPROVE,
  MARSHAL_HOLD,
  encodeGateActionValue,
} from '../../../src/slack/blocks/index.js';
import {
  APPROVER,
  applied,
  OUTSIDER,
  REQUESTER,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl());
});
afterAll(() => f?.close());

async function runWaitingForApproval(hosts: string): Promise<{ runId: string; ts: string; value: string }> {
  const runId = await f.engine.start({
    workflow: 'config-push',
    params: { bundle: 'nginx', selector: hosts },
    requester: REQUESTER,
  });
  const card = await f.approvalCard(runId);
  return {
    runId,
    ts: card.ts,
    value: encodeGateActionValue({ runId, gateId: card.gateId, plan: card.plan }),
  };
}

const decisions = (runId: string) => f.events.filter((e) => e.type === 'gate.decided' && e.runId === runId);

describe('approval buttons over signed HTTP', () => {
  it('refuses the requester’s own approval (four-eyes), and someone not allowed; the gate stays open', async () => {
    const { runId, ts, value } = await runWaitingForApproval('a-1,a-2');
    expect((await f.press({ actionId: MARSHAL_APPROVE, value, user: REQUESTER, messageTs: ts })).status).toBe(
      200,
    );
    await f.ephemeral(REQUESTER, 'You requested this run, so you cannot approve it');
    expect((await f.press({ actionId: MARSHAL_APPROVE, value, user: OUTSIDER, messageTs: ts })).status).toBe(
      200,
    );
    await f.ephemeral(OUTSIDER, 'You may not approve or control runs of `config-push`');
    const run = await f.engine.get(runId);
    expect(run.gates[0]?.state).toBe('waiting');
    expect(decisions(runId)).toHaveLength(0);
    expect(f.standin.accepted('chat.update').filter((c) => c.args.ts === ts)).toHaveLength(0);
  });

  it('a double click makes one decision, the card shows who approved, and the run finishes', async () => {
    const { runId, ts, value } = await runWaitingForApproval('b-1,b-2,b-3');
    const [one, two] = await Promise.all([
      f.press({
        actionId: MARSHAL_APPROVE,
        value,
        user: APPROVER,
        messageTs: ts,
        actionTs: '1700000000.000001',
      }),
      f.press({
        actionId: MARSHAL_APPROVE,
        value,
        user: APPROVER,
        messageTs: ts,
        actionTs: '1700000000.000002',
      }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    await f.ephemeral(APPROVER, 'changed nothing');
    expect(decisions(runId)).toHaveLength(1);
    expect(decisions(runId)[0]).toMatchObject({ decision: 'approve', by: APPROVER });
    expect([...(applied.get(runId) ?? [])].sort()).toEqual(['b-1', 'b-2', 'b-3']);
    await until(() => f.standin.accepted('chat.update').some((c) => c.args.ts === ts));
    const card = f.standin.message('C0MARSHAL', ts)!;
    expect(JSON.stringify(card)).toContain(`Approved by <@${APPROVER}>`);
    expect(JSON.stringify(card)).not.toContain(MARSHAL_APPROVE);
  });

  it('a button of a finished run does nothing but say so', async () => {
    const { runId, ts, value } = await runWaitingForApproval('c-1');
    await f.press({ actionId: MARSHAL_APPROVE, value, user: APPROVER, messageTs: ts });
    await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    // The approval's own card edit may land after the run finished on a busy machine: count after it.
    await until(() => f.standin.accepted('chat.update').some((c) => c.args.ts === ts));
    const updatesBefore = f.standin.accepted('chat.update').length;
    await f.press({ actionId: MARSHAL_ABORT, value, user: APPROVER, messageTs: ts });
    await f.ephemeral(
      APPROVER,
      `Run \`${runId}\` has finished (succeeded); its buttons no longer do anything`,
    );
    expect((await f.engine.get(runId)).state).toBe('succeeded');
    expect(f.standin.accepted('chat.update').length).toBe(updatesBefore);
  });

  it('a replayed click (same action_ts, user and action) is ignored', async () => {
    const { runId, ts, value } = await runWaitingForApproval('d-1,d-2');
    const press = {
      actionId: MARSHAL_HOLD,
      value,
      user: APPROVER,
      messageTs: ts,
      actionTs: '1700000001.000001',
    };
    await f.press(press);
    await f.press(press);
    await f.logged('replayed button press ignored');
    await f.ephemeral(APPROVER, `Run \`${runId}\` will hold before its next batch`);
    expect(f.ephemerals(APPROVER).filter((t) => t.includes(`Run \`${runId}\` will hold`))).toHaveLength(1);
    expect((await f.engine.get(runId)).holdRequested).toBe(true);
    await f.engine.abort(runId, APPROVER);
  });

  it('Abort from the card by an approver aborts the run and closes the card', async () => {
    const { runId, ts, value } = await runWaitingForApproval('e-1,e-2');
    await f.press({ actionId: MARSHAL_ABORT, value, user: APPROVER, messageTs: ts });
    await f.ephemeral(APPROVER, `Run \`${runId}\` is aborting`);
    const finished = await f.event((e) => e.type === 'run.finished' && e.runId === runId);
    expect(finished).toMatchObject({ state: 'aborted' });
    expect(applied.get(runId)).toHaveLength(1); // the canary only
    await until(() => f.standin.accepted('chat.update').some((c) => c.args.ts === ts));
  });
});
