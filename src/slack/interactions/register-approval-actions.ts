import type {
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  AllMiddlewareArgs,
} from '@slack/bolt';
import type { SlackDeps } from '../app/slack-deps.js';
import {
  MARSHAL_ABORT,
  MARSHAL_ABORT_KEEP,
  MARSHAL_APPROVE,
  MARSHAL_CHOOSE,
  MARSHAL_HOLD,
  MARSHAL_REJECT,
  MARSHAL_RESUME,
  MARSHAL_RETRY,
  MARSHAL_ROLLBACK,
  MARSHAL_RUN_ABORT,
  MARSHAL_RUN_HOLD,
  decodeGateActionValue,
  decodeRunActionValue,
  renderErrorForUser,
} from '../blocks/index.js';
import { handleGateAction, type ClickedOn, type GateButton, type Notice } from './gate-action.js';
import { handleRunAction, type RunButton } from './run-action.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * Registers the buttons of approval cards (Approve, Reject, Hold, Abort, Abort-keep-canary, a choice's
 * options) and the run controls of a thread's parent message (Hold, Abort, Resume, Retry, Roll back).
 */
export function registerApprovalActions(app: App, deps: SlackDeps): void {
  const gate: [string | RegExp, GateButton][] = [
    [MARSHAL_APPROVE, 'approve'],
    [MARSHAL_REJECT, 'reject'],
    [MARSHAL_CHOOSE, 'choose'],
    [MARSHAL_HOLD, 'hold'],
    [MARSHAL_ABORT, 'abort'],
    [MARSHAL_ABORT_KEEP, 'abort_keep'],
  ];
  for (const [id, button] of gate)
    app.action<BlockAction<ButtonAction>>(id, gateButtonListener(button, deps));
  const run: [string, RunButton][] = [
    [MARSHAL_RUN_HOLD, 'hold'],
    [MARSHAL_RUN_ABORT, 'abort'],
    [MARSHAL_RESUME, 'resume'],
    [MARSHAL_RETRY, 'retry'],
    [MARSHAL_ROLLBACK, 'rollback'],
  ];
  for (const [id, button] of run) app.action<BlockAction<ButtonAction>>(id, runButtonListener(button, deps));
}

/** Acks, takes the presser from the signed payload, ignores a replay, and tells the presser the outcome. */
function buttonListener(
  deps: SlackDeps,
  act: (args: Args, user: string, clicked: ClickedOn, tell: (m: Notice) => Promise<void>) => Promise<void>,
): (args: Args) => Promise<void> {
  return async (args) => {
    const { ack, body, action, client, respond } = args;
    await ack();
    // Identity from the signed payload, never from the button.
    const user = body.user.id;
    const channel = body.channel?.id;
    const log = deps.logger.child({ action: action.action_id, user });
    const tell = async (message: Notice): Promise<void> => {
      try {
        if (!channel) throw new Error('no channel in the payload');
        await client.chat.postEphemeral({ channel, user, ...message });
      } catch {
        await respond({ response_type: 'ephemeral', replace_original: false, ...message });
      }
    };
    try {
      if (!(await deps.replay.firstTime('action', `${action.action_ts}:${user}:${action.action_id}`))) {
        log.warn('replayed button press ignored');
        return;
      }
      await act(args, user, { channel, messageTs: body.message?.ts }, tell);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'button failed');
      await tell(renderErrorForUser(err, 'Your click did not go through')).catch(() => undefined);
    }
  };
}

function gateButtonListener(button: GateButton, deps: SlackDeps): (args: Args) => Promise<void> {
  return buttonListener(deps, async ({ action, client }, user, clicked, tell) => {
    const target = decodeGateActionValue(action.value ?? '');
    if (!target)
      return tell({
        text: ':warning: This button carries no run; it is not one of Marshal’s approval buttons.',
      });
    const outcome = await handleGateAction(deps, button, target, user, clicked);
    if (outcome.card && clicked.channel && clicked.messageTs) {
      await client.chat.update({ channel: clicked.channel, ts: clicked.messageTs, ...outcome.card });
    }
    if (outcome.notice) await tell(outcome.notice);
  });
}

function runButtonListener(button: RunButton, deps: SlackDeps): (args: Args) => Promise<void> {
  return buttonListener(deps, async ({ action }, user, clicked, tell) => {
    const target = decodeRunActionValue(action.value ?? '');
    if (!target) return tell({ text: ':warning: This button carries no run; it is not one of Marshal’s.' });
    await tell(await handleRunAction(deps, button, target, user, clicked));
  });
}
