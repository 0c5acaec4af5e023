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
  MARSHAL_APPROVE,
  MARSHAL_CHOOSE,
  MARSHAL_HOLD,
  decodeGateActionValue,
  renderErrorForUser,
} from '../blocks/index.js';
import { handleGateAction, type GateButton, type Notice } from './gate-action.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Registers the Approve, Hold and Abort buttons of approval cards, and the option buttons of choice cards. */
export function registerApprovalActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(MARSHAL_APPROVE, gateButtonListener('approve', deps));
  app.action<BlockAction<ButtonAction>>(MARSHAL_CHOOSE, gateButtonListener('choose', deps));
  app.action<BlockAction<ButtonAction>>(MARSHAL_HOLD, gateButtonListener('hold', deps));
  app.action<BlockAction<ButtonAction>>(MARSHAL_ABORT, gateButtonListener('abort', deps));
}

function gateButtonListener(button: GateButton, deps: SlackDeps): (args: Args) => Promise<void> {
  return async ({ ack, body, action, client, respond }) => {
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
      const target = decodeGateActionValue(action.value ?? '');
      if (!target)
        return await tell({
          text: ':warning: This button carries no run; it is not one of Marshal’s approval buttons.',
        });
      if (!(await deps.replay.firstTime('action', `${action.action_ts}:${user}:${action.action_id}`))) {
        log.warn({ runId: target.runId }, 'replayed button press ignored');
        return;
      }
      const outcome = await handleGateAction(deps, button, target, user);
      if (outcome.card && channel && body.message?.ts) {
        await client.chat.update({ channel, ts: body.message.ts, ...outcome.card });
      }
      if (outcome.notice) await tell(outcome.notice);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'gate button failed');
      await tell(renderErrorForUser(err, 'Your click did not go through')).catch(() => undefined);
    }
  };
}
