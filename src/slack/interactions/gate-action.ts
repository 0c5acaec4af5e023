import { FINAL_RUN_STATES } from '../../engine/model/task-state.js';
import type { GateSnapshot, RunSnapshot } from '../../engine/model/run.js';
import type { SlackDeps } from '../app/slack-deps.js';
import type { Freeze } from '../../control/change-freeze.js';
import {
  renderApprovalCard,
  renderDecidedCard,
  renderErrorForUser,
  type GateActionValue,
  type SlackMessage,
} from '../blocks/index.js';

/**
 * `choose`: an option button of a choice gate (the option is in the button's value). `abort` at a
 * rollout's gate rolls the canary back; `abort_keep` keeps it.
 */
export type GateButton = 'approve' | 'reject' | 'choose' | 'hold' | 'abort' | 'abort_keep';

/** Where the button was clicked: the message (and its channel) from Slack's signed payload. */
export interface ClickedOn {
  channel: string | undefined;
  messageTs: string | undefined;
}

/** A message to the presser: plain mrkdwn text, or a rendered message with blocks. */
export type Notice = { text: string; blocks?: SlackMessage['blocks'] };

/** What one press of a gate button comes to: at most a card update and a message to the presser. */
export interface GateActionOutcome {
  /** The card as it should now look (decided), when it changed. */
  card?: SlackMessage;
  /** An ephemeral message to the presser. */
  notice?: Notice;
}

const note = (text: string): Notice => ({ text });

/**
 * Handles a press of Approve, Hold or Abort on an approval card. `user` is the presser from Slack's
 * signed payload; the button's value only says which gate of which run. Every refusal is explained to
 * the presser; only a decision that the engine applied changes the card.
 */
export async function handleGateAction(
  deps: SlackDeps,
  button: GateButton,
  target: GateActionValue,
  user: string,
  clicked: ClickedOn,
): Promise<GateActionOutcome> {
  const { engine, access } = deps;
  // The value names a run and a gate; the message it was clicked on must be that gate's card as
  // Marshal posted it. A value copied onto another message (another run's card) is refused.
  const card = await deps.cards.get(target.runId).catch(() => undefined);
  const cardTs = card?.gateCards[target.gateId];
  if (!card || !cardTs || card.channel !== clicked.channel || cardTs !== clicked.messageTs) {
    deps.logger.warn(
      { runId: target.runId, gateId: target.gateId, user, clicked },
      'gate button refused: not clicked on the card Marshal posted for this gate',
    );
    return {
      notice: note(
        ':no_entry: This button does not belong to the card it was clicked on (or the card was replaced by a newer one); nothing was changed. Decide on the latest card in the run’s thread.',
      ),
    };
  }
  let run: RunSnapshot;
  try {
    run = await engine.get(target.runId);
  } catch (err) {
    return { notice: renderErrorForUser(err, 'This button no longer works') };
  }
  if (FINAL_RUN_STATES.has(run.state)) {
    return {
      notice: note(
        `:information_source: Run \`${run.runId}\` has finished (${run.state}); its buttons no longer do anything.`,
      ),
    };
  }
  const gate = run.gates.find((g) => g.gateId === target.gateId);
  if (!gate || gate.state !== 'waiting') {
    return {
      notice: note(
        `:information_source: ${pastGate(gate, target.gateId)} This button no longer does anything.`,
      ),
    };
  }

  const isRequester = run.requester === user;
  const deciding = button === 'approve' || button === 'choose' || button === 'reject';
  if (deciding && isRequester) {
    return {
      notice: note(
        `:no_entry: You requested this run, so you cannot ${button === 'approve' ? 'approve' : 'decide'} it: another approver has to (four-eyes). Abort stops it.`,
      ),
    };
  }
  if ((button === 'approve' || button === 'choose') && (!target.plan || target.plan !== gate.planHash)) {
    return {
      notice: note(
        ':no_entry: This card shows another plan than the one now waiting for approval; your click approved nothing. Decide on the latest card in the thread.',
      ),
    };
  }
  // Deciding needs the approve right; holding and aborting are also open to the requester (as with /ops).
  if (!(!deciding && isRequester) && !(await access.allows('approve', run.workflow, user))) {
    try {
      await access.require('approve', run.workflow, user);
    } catch (err) {
      return { notice: renderErrorForUser(err, 'Not allowed') };
    }
  }

  switch (button) {
    case 'approve': {
      const result = await engine.decide({
        runId: run.runId,
        gateId: gate.gateId,
        decision: 'approve',
        by: user,
        ...(target.plan ? { planHash: target.plan } : {}),
      });
      if (result.applied) return { card: await decidedCard(deps, run.runId, gate) };
      // A partial approval shows on the card at once: who approved so far.
      const now = result.why === 'awaiting_quorum' ? await engine.get(run.runId) : undefined;
      const partial = now?.gates.find((g) => g.gateId === gate.gateId);
      return {
        ...(now && partial ? { card: renderApprovalCard(now, partial, await freezeNow(deps)) } : {}),
        notice: note(notApplied(result)),
      };
    }
    case 'reject': {
      const result = await engine.decide({
        runId: run.runId,
        gateId: gate.gateId,
        decision: 'reject',
        by: user,
        reason: 'Rejected from Slack',
      });
      if (!result.applied) return { notice: note(notApplied(result)) };
      return { card: await decidedCard(deps, run.runId, gate) };
    }
    case 'choose': {
      const option = gate.options?.find((o) => o.id === target.option);
      if (!option) {
        const known = (gate.options ?? []).map((o) => o.label).join(', ');
        return { notice: note(`:warning: This button names no option of this decision (${known}).`) };
      }
      const result = await engine.decide({
        runId: run.runId,
        gateId: gate.gateId,
        decision: 'approve',
        option: option.id,
        by: user,
        ...(target.plan ? { planHash: target.plan } : {}),
      });
      if (!result.applied) return { notice: note(notApplied(result, gate)) };
      return { card: await decidedCard(deps, run.runId, gate) };
    }
    case 'hold':
      await engine.hold(run.runId, user);
      return {
        notice: note(
          `:double_vertical_bar: Run \`${run.runId}\` will hold before its next batch, even once approved. \`/ops resume ${run.runId}\` continues it.`,
        ),
      };
    case 'abort':
    case 'abort_keep': {
      const keep = button === 'abort_keep';
      const done = await engine.abort(run.runId, user, keep ? { rollback: false } : {});
      const what = done.atGate
        ? done.rollback
          ? 'the canary is rolled back'
          : 'the canary is kept as it is (not rolled back)'
        : done.rollback
          ? 'the changed hosts are rolled back'
          : 'no new hosts start';
      const card = await decidedCard(deps, run.runId, gate, {
        by: user,
        reason: `Run aborted from Slack: ${what}`,
      });
      return {
        card,
        notice: note(`:octagonal_sign: Run \`${run.runId}\` is aborting: ${what}; cleanup runs.`),
      };
    }
  }
}

/** The card after the decision, from the engine's own record of it. */
async function decidedCard(
  deps: SlackDeps,
  runId: string,
  before: GateSnapshot,
  aborted?: { by: string; reason: string },
): Promise<SlackMessage> {
  const run = await deps.engine.get(runId);
  const gate = run.gates.find((g) => g.gateId === before.gateId) ?? before;
  if (aborted && gate.state === 'waiting') {
    // The engine closes the gate as it winds the run down; until then the card shows who aborted.
    return renderDecidedCard(run, {
      ...gate,
      state: 'rejected',
      decidedBy: aborted.by,
      decidedAt: new Date().toISOString(),
      reason: aborted.reason,
    });
  }
  return renderDecidedCard(run, gate);
}

function pastGate(gate: GateSnapshot | undefined, gateId: string): string {
  if (!gate) return `This run has no approval \`${gateId}\`.`;
  if (gate.state === 'pending') return 'This approval is not open yet.';
  if (gate.state === 'timed_out') return 'This approval timed out and was rejected.';
  const by = gate.decidedBy ? ` by <@${gate.decidedBy}>` : '';
  return `This approval was already ${gate.state}${by}${gate.decidedAt ? ` at ${gate.decidedAt}` : ''}.`;
}

function notApplied(
  result: {
    why: string;
    decision?: string;
    option?: string;
    by?: string;
    at?: string;
    approvals?: number;
    quorum?: number;
    repeated?: boolean;
  },
  gate?: GateSnapshot,
): string {
  if (result.why === 'awaiting_quorum') {
    const count = `${result.approvals ?? '?'} of ${result.quorum ?? '?'} approvals`;
    return result.repeated
      ? `:information_source: You have approved already (${count}); another approver is needed.`
      : `:ballot_box_with_check: Your approval is recorded (${count}); the run goes on once enough others approve.`;
  }
  if (result.why === 'stale_plan')
    return ':no_entry: The plan changed since this card was posted; your click approved nothing. A new card with the new plan is in the thread.';
  if (result.why === 'already_decided') {
    const by = result.by ? ` by <@${result.by}>` : '';
    const label = gate?.options?.find((o) => o.id === result.option)?.label;
    const what = label ? `${label} was chosen` : (result.decision ?? 'decided');
    return `:information_source: Already decided (${what}${by}${result.at ? ` at ${result.at}` : ''}); your click changed nothing.`;
  }
  if (result.why === 'finished')
    return ':information_source: The run has finished; your click changed nothing.';
  return ':information_source: This approval is not waiting for a decision; your click changed nothing.';
}

/** The change freeze in force, for a card redrawn here (as the progress thread draws it). */
async function freezeNow(deps: SlackDeps): Promise<{ freeze?: Freeze }> {
  const freeze = await deps.control?.freeze.current().catch(() => undefined);
  return freeze ? { freeze } : {};
}
