import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MARSHAL_ABORT,
  MARSHAL_ABORT_KEEP,
  MARSHAL_APPROVE,
  MARSHAL_HOLD,
  MARSHAL_REJECT,
  MARSHAL_RESUME,
  MARSHAL_RETRY,
  MARSHAL_RUN_ABORT,
  encodeGateActionValue,
  encodeRunActionValue,
} from '../../../src/slack/blocks/index.js';
import {
  APPROVER,
  applied,
  CHANNEL,
  OUTSIDER,
  REQUESTER,
  restored,
  shipped,
  startSlackAppFixture,
  until,
  type SlackAppFixture,
} from '../../support/slack-app-fixture.js';
import { testRedisUrl } from '../../support/redis.js';

/** A third eligible approver: the access config asks config-push for 2 approvals of the 3 eligible. */
const SECOND = 'U0SECOND';

let f: SlackAppFixture;
beforeAll(async () => {
  f = await startSlackAppFixture(testRedisUrl(), {
    quorumFor: (workflow) => (workflow === 'config-push' ? 2 : 1),
    extraApprovers: [SECOND],
  });
});
afterAll(() => f?.close());

async function waitingRun(hosts: string) {
  const runId = await f.engine.start({
    workflow: 'config-push',
    params: { bundle: 'nginx', selector: hosts, soakMs: 0 },
    requester: REQUESTER,
  });
  const card = await f.approvalCard(runId);
  return {
    runId,
    ...card,
    value: encodeGateActionValue({ runId, gateId: card.gateId, plan: card.plan }),
    runValue: encodeRunActionValue({ runId }),
  };
}

let clicks = 0;
const ts = () => `1700001000.${String(++clicks).padStart(6, '0')}`;
const gateOf = async (runId: string) => (await f.engine.get(runId)).gates[0]!;

describe('quorum, plan-bound and card-bound approvals over signed HTTP', () => {
  it('2 of 3: the requester is refused, a double click counts once, the card shows who approved, the second approver passes it', async () => {
    const r = await waitingRun('q-1,q-2');
    const approve = { actionId: MARSHAL_APPROVE, value: r.value, messageTs: r.ts };
    await f.press({ ...approve, user: REQUESTER, actionTs: ts() });
    await f.ephemeral(REQUESTER, 'You requested this run, so you cannot approve it');
    await Promise.all([
      f.press({ ...approve, user: APPROVER, actionTs: ts() }),
      f.press({ ...approve, user: APPROVER, actionTs: ts() }),
    ]);
    await f.ephemeral(APPROVER, 'You have approved already (1 of 2 approvals)');
    expect(await gateOf(r.runId)).toMatchObject({ state: 'waiting', quorum: 2, approvers: [APPROVER] });
    await until(() =>
      JSON.stringify(f.standin.message(CHANNEL, r.ts)).includes(
        `*Approvals:* 1 of 2 needed — <@${APPROVER}>`,
      ),
    );
    await f.press({ ...approve, user: SECOND, actionTs: ts() });
    const end = await f.event((e) => e.type === 'run.finished' && e.runId === r.runId);
    expect(end).toMatchObject({ state: 'succeeded' });
    expect([...(applied.get(r.runId) ?? [])].sort()).toEqual(['q-1', 'q-2']);
    expect(f.events.filter((e) => e.type === 'gate.vote' && e.runId === r.runId)).toHaveLength(1);
  });

  it('a click on a card whose plan changed approves nothing, and the gate asks again with the new plan', async () => {
    const r = await waitingRun('s-1,s-2');
    shipped.release = 'r2';
    try {
      await f.press({
        actionId: MARSHAL_APPROVE,
        value: r.value,
        messageTs: r.ts,
        user: APPROVER,
        actionTs: ts(),
      });
      await f.ephemeral(APPROVER, 'The plan changed since this card was posted');
      const again = await f.event(
        (e) => e.type === 'gate.waiting' && e.runId === r.runId && e.replaces === r.plan,
      );
      if (again.type !== 'gate.waiting') throw new Error('unreachable');
      expect(again.planHash).not.toBe(r.plan);
      const gate = await gateOf(r.runId);
      expect(gate).toMatchObject({ state: 'waiting', planHash: again.planHash });
      expect(gate.approvers ?? []).toEqual([]);
      // The old plan's value is refused even from the gate's card, and the engine refuses it by itself too.
      await f.press({
        actionId: MARSHAL_APPROVE,
        value: r.value,
        messageTs: r.ts,
        user: SECOND,
        actionTs: ts(),
      });
      await f.ephemeral(SECOND, 'This card shows another plan than the one now waiting');
      expect(
        await f.engine.decide({
          runId: r.runId,
          gateId: r.gateId,
          decision: 'approve',
          by: SECOND,
          planHash: r.plan,
        }),
      ).toMatchObject({ applied: false, why: 'stale_plan', planHash: again.planHash });
      expect(await gateOf(r.runId)).toMatchObject({ state: 'waiting' });
      expect(applied.get(r.runId)).toEqual(['s-1']);
    } finally {
      shipped.release = 'r1';
      await f.engine.abort(r.runId, APPROVER);
    }
  });

  it('a button value forged onto another run’s card is refused; neither run changes', async () => {
    const a = await waitingRun('f-1,f-2');
    const b = await waitingRun('g-1,g-2');
    // Run A's value, clicked on run B's card.
    await f.press({
      actionId: MARSHAL_APPROVE,
      value: a.value,
      messageTs: b.ts,
      user: APPROVER,
      actionTs: ts(),
    });
    await f.ephemeral(APPROVER, 'This button does not belong to the card it was clicked on');
    await f.press({ actionId: MARSHAL_ABORT, value: a.value, messageTs: b.ts, user: SECOND, actionTs: ts() });
    await f.ephemeral(SECOND, 'This button does not belong to the card it was clicked on');
    for (const id of [a.runId, b.runId]) {
      const run = await f.engine.get(id);
      expect(run.abortRequested).toBe(false);
      expect(run.gates[0]).toMatchObject({ state: 'waiting' });
      expect(run.gates[0]?.approvers ?? []).toEqual([]);
    }
    await f.engine.abort(a.runId, APPROVER);
    await f.engine.abort(b.runId, APPROVER);
  });
});

describe('run controls: buttons and /ops', () => {
  it('Hold at the gate, approvals, then the parent’s Resume button starts the next batch and the run finishes', async () => {
    const r = await waitingRun('h-1,h-2,h-3');
    await f.press({
      actionId: MARSHAL_HOLD,
      value: r.value,
      messageTs: r.ts,
      user: APPROVER,
      actionTs: ts(),
    });
    await f.ephemeral(APPROVER, `Run \`${r.runId}\` will hold before its next batch`);
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: APPROVER,
      planHash: r.plan,
    });
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: SECOND,
      planHash: r.plan,
    });
    await until(async () => (await f.engine.get(r.runId)).state === 'held');
    expect(applied.get(r.runId)).toEqual(['h-1']);
    // Resume, clicked on the run's thread parent.
    await f.press({
      actionId: MARSHAL_RESUME,
      value: r.runValue,
      messageTs: r.parentTs,
      user: APPROVER,
      actionTs: ts(),
    });
    await f.ephemeral(APPROVER, `Run \`${r.runId}\` resumes with its next batch`);
    await f.event((e) => e.type === 'run.finished' && e.runId === r.runId && e.state === 'succeeded');
    expect([...(applied.get(r.runId) ?? [])].sort()).toEqual(['h-1', 'h-2', 'h-3']);
  });

  it('the parent’s Abort at the gate rolls the canary back; the card’s “Abort, keep canary” keeps it; the thread says which', async () => {
    const back = await waitingRun('k-1,k-2');
    await f.press({
      actionId: MARSHAL_RUN_ABORT,
      value: back.runValue,
      messageTs: back.parentTs,
      user: REQUESTER,
      actionTs: ts(),
    });
    await f.ephemeral(REQUESTER, 'at the approval gate: the canary is rolled back');
    await f.event((e) => e.type === 'run.finished' && e.runId === back.runId);
    expect(restored.get(back.runId)).toEqual(['k-1']);
    expect(f.events.find((e) => e.type === 'run.control' && e.runId === back.runId)).toMatchObject({
      action: 'abort',
      rollback: true,
      atGate: back.gateId,
    });

    const keep = await waitingRun('m-1,m-2');
    await f.press({
      actionId: MARSHAL_ABORT_KEEP,
      value: keep.value,
      messageTs: keep.ts,
      user: APPROVER,
      actionTs: ts(),
    });
    await f.ephemeral(APPROVER, 'the canary is kept as it is (not rolled back)');
    await f.event((e) => e.type === 'run.finished' && e.runId === keep.runId);
    expect(restored.get(keep.runId)).toBeUndefined();
    expect(applied.get(keep.runId)).toEqual(['m-1']);
    expect(f.events.find((e) => e.type === 'run.control' && e.runId === keep.runId)).toMatchObject({
      rollback: false,
      atGate: keep.gateId,
    });
  });

  it('/ops abort at the gate rolls back by default and keeps with --keep', async () => {
    const back = await waitingRun('o-1,o-2');
    await f.command(REQUESTER, '/ops', `abort ${back.runId}`);
    await f.event((e) => e.type === 'run.finished' && e.runId === back.runId);
    expect(restored.get(back.runId)).toEqual(['o-1']);
    const keep = await waitingRun('p-1,p-2');
    await f.command(APPROVER, '/ops', `abort ${keep.runId} --keep`);
    await f.event((e) => e.type === 'run.finished' && e.runId === keep.runId);
    expect(restored.get(keep.runId)).toBeUndefined();
    expect(applied.get(keep.runId)).toEqual(['p-1']);
  });

  it('/ops hold then /ops resume move a run through held to the end', async () => {
    const r = await waitingRun('u-1,u-2');
    await f.command(APPROVER, '/ops', `hold ${r.runId}`);
    await until(async () => (await f.engine.get(r.runId)).holdRequested);
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: APPROVER,
      planHash: r.plan,
    });
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: SECOND,
      planHash: r.plan,
    });
    await until(async () => (await f.engine.get(r.runId)).state === 'held');
    await f.command(APPROVER, '/ops', `resume ${r.runId}`);
    await f.event((e) => e.type === 'run.finished' && e.runId === r.runId && e.state === 'succeeded');
    expect([...(applied.get(r.runId) ?? [])].sort()).toEqual(['u-1', 'u-2']);
  });

  it('Retry failed hosts (button) and /ops retry start runs on exactly the failed hosts', async () => {
    const r = await waitingRun('v-1,bad-1,bad-2');
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: APPROVER,
      planHash: r.plan,
    });
    await f.engine.decide({
      runId: r.runId,
      gateId: r.gateId,
      decision: 'approve',
      by: SECOND,
      planHash: r.plan,
    });
    await f.event((e) => e.type === 'run.finished' && e.runId === r.runId);
    const finished = await f.engine.get(r.runId);
    expect(
      finished.targets
        .filter((t) => !t.ok)
        .map((t) => t.target)
        .sort(),
    ).toEqual(['bad-1', 'bad-2']);

    await f.press({
      actionId: MARSHAL_RETRY,
      value: r.runValue,
      messageTs: r.parentTs,
      user: APPROVER,
      actionTs: ts(),
    });
    const text = await f.ephemeral(APPROVER, 'again on the failed hosts of');
    const viaButton = /Started run `([^`]+)`/.exec(text)?.[1];
    expect(viaButton).toBeDefined();
    const started = await f.engine.get(viaButton!);
    expect(started).toMatchObject({ retryOf: r.runId, requester: APPROVER });

    await f.command(APPROVER, '/ops', `retry ${r.runId} --failed`);
    await until(
      async () => (await f.engine.list({ limit: 50 })).filter((x) => x.retryOf === r.runId).length === 2,
    );
    for (const retry of (await f.engine.list({ limit: 50 })).filter((x) => x.retryOf === r.runId)) {
      // The canary of a retry is one of the failed hosts, never the host that succeeded.
      const canary = await f.event((e) => e.type === 'gate.waiting' && e.runId === retry.runId);
      expect(canary).toBeDefined();
      const snap = await f.engine.get(retry.runId);
      expect(snap.targets.map((t) => t.target).every((t) => t.startsWith('bad-'))).toBe(true);
      await f.engine.abort(retry.runId, APPROVER);
    }
  });
});

describe('roll back after the end: /ops rollback', () => {
  it('an outsider is refused; the approver’s restores exactly the changed host, once', async () => {
    const r = await waitingRun('w-1,bad-3');
    for (const by of [APPROVER, SECOND])
      await f.engine.decide({ runId: r.runId, gateId: r.gateId, decision: 'approve', by, planHash: r.plan });
    await f.event((e) => e.type === 'run.finished' && e.runId === r.runId);
    expect(restored.get(r.runId)).toBeUndefined();

    await f.command(OUTSIDER, '/ops', `rollback ${r.runId}`);
    await f.ephemeral(OUTSIDER, 'approve');
    expect((await f.engine.get(r.runId)).rollback).toBeUndefined();

    await f.command(APPROVER, '/ops', `rollback ${r.runId}`);
    await f.event((e) => e.type === 'run.finished' && e.runId === r.runId && e.rollbackBy === APPROVER);
    expect(restored.get(r.runId)).toEqual(['w-1']);
    await f.command(SECOND, '/ops', `rollback ${r.runId}`);
    await until(() => f.ephemerals(SECOND).some((t) => t.includes('was already rolled back')));
    expect(restored.get(r.runId)).toEqual(['w-1']);
    expect(
      f.events.filter((e) => e.type === 'run.control' && e.runId === r.runId && e.action === 'rollback'),
    ).toHaveLength(1);
  });
});

describe('the Reject button', () => {
  it('the requester cannot reject their own run; an approver’s Reject fails the gate and rolls the canary back', async () => {
    const r = await waitingRun('x-1,x-2');
    const reject = { actionId: MARSHAL_REJECT, value: r.value, messageTs: r.ts };
    await f.press({ ...reject, user: REQUESTER, actionTs: ts() });
    await f.ephemeral(REQUESTER, 'You requested this run, so you cannot decide it');
    expect(await gateOf(r.runId)).toMatchObject({ state: 'waiting' });
    await f.press({ ...reject, user: APPROVER, actionTs: ts() });
    const end = await f.event((e) => e.type === 'run.finished' && e.runId === r.runId);
    expect(end).toMatchObject({ state: 'failed' });
    expect(await gateOf(r.runId)).toMatchObject({ state: 'rejected', decidedBy: APPROVER });
    expect(restored.get(r.runId)).toEqual(['x-1']);
    expect(applied.get(r.runId)).toEqual(['x-1']);
  });
});
