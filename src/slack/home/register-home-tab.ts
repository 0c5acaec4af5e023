import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackDeps } from '../app/slack-deps.js';
import {
  MARSHAL_HOME_APPROVE,
  MARSHAL_HOME_REJECT,
  decodeGateActionValue,
  renderErrorForUser,
} from '../blocks/index.js';
import { handleGateAction, type GateButton } from '../interactions/gate-action.js';
import type { HomeTab } from './home-tab.js';

/**
 * The App Home: published when a user opens it; its Approve and Reject buttons decide the gate as the
 * card's do (the same checks: four-eyes, the approve right, the plan shown), and update the card in
 * the run's thread. A click counts only from the Home view Marshal published to the presser.
 */
export function registerHomeTab(app: App, deps: SlackDeps, home: HomeTab): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await home.opened(event.user);
  });
  const buttons: [string, GateButton][] = [
    [MARSHAL_HOME_APPROVE, 'approve'],
    [MARSHAL_HOME_REJECT, 'reject'],
  ];
  for (const [id, button] of buttons)
    app.action<BlockAction<ButtonAction>>(id, async ({ ack, body, action, client }) => {
      await ack();
      // Identity from the signed payload, never from the button.
      const user = body.user.id;
      const log = deps.logger.child({ action: action.action_id, user, from: 'home' });
      try {
        if (!(await deps.replay.firstTime('action', `${action.action_ts}:${user}:${action.action_id}`))) {
          log.warn('replayed button press ignored');
          return;
        }
        const target = decodeGateActionValue(action.value ?? '');
        if (!target)
          return await home.tell(user, ':warning: This button carries no run; it is not one of Marshal’s.');
        const view = body.view as { id?: string; type?: string } | undefined;
        if (view?.type !== 'home' || !view.id || view.id !== (await home.viewId(user))) {
          log.warn(
            { runId: target.runId, view: view?.id },
            'Home button refused: not on the view Marshal published',
          );
          return await home.tell(
            user,
            ':no_entry: That button was not on the Home tab Marshal last showed you; nothing was changed. Decide on this one.',
          );
        }
        // The decision is the card's: clicked "on" the gate's card, as Marshal posted it.
        const card = await deps.cards.get(target.runId).catch(() => undefined);
        const clicked = { channel: card?.channel, messageTs: card?.gateCards[target.gateId] };
        const outcome = await handleGateAction(deps, button, target, user, clicked);
        if (outcome.card && clicked.channel && clicked.messageTs)
          await client.chat.update({ channel: clicked.channel, ts: clicked.messageTs, ...outcome.card });
        const said =
          outcome.notice?.text ??
          (button === 'approve'
            ? `:white_check_mark: You approved \`${target.runId}\` (${target.gateId}); the run goes on.`
            : `:x: You rejected \`${target.runId}\` (${target.gateId}).`);
        await home.tell(user, said);
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'Home button failed');
        await home
          .tell(user, renderErrorForUser(err, 'Your click did not go through').text)
          .catch(() => undefined);
      }
    });
}
