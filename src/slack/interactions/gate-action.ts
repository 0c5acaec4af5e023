import { FINAL_RUN_STATES } from '../../engine/model/task-state.js';
import type { GateSnapshot, RunSnapshot } from '../../engine/model/run.js';
import type { SlackDeps } from '../app/slack-deps.js';
import {
  renderDecidedCard,
  renderErrorForUser,
  type GateActionValue,
  type SlackMessage,
} from '../blocks/index.js';

/** `choose`: an option button of a choice gate (the option is in the button's value). */
export type GateButton = 'approve' | 'choose' | 'hold' | 'abort';

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
): Promise<GateActionOutcome> {
  const { engine, access } = deps;
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
  const deciding = button === 'approve' || button === 'choose';
  if (deciding && isRequester) {
    return {
      notice: note(
        `:no_entry: You requested this run, so you cannot ${button === 'choose' ? 'decide' : 'approve'} it: another approver has to (four-eyes).`,
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
    case 'abort': {
      await engine.abort(run.runId, user);
      const card = await decidedCard(deps, run.runId, gate, { by: user, reason: 'Run aborted from Slack' });
      return {
        card,
        notice: note(`:octagonal_sign: Run \`${run.runId}\` is aborting: no new hosts start; cleanup runs.`),
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
