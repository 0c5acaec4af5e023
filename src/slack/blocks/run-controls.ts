import { hostCountsOf, type RunSnapshot } from '../../engine/model/run.js';
import { FINAL_RUN_STATES } from '../../engine/model/task-state.js';
import { rollbackOffered, unrestoredCount } from '../../engine/model/rollback-offer.js';
import {
  MARSHAL_RESUME,
  MARSHAL_RETRY,
  MARSHAL_ROLLBACK,
  MARSHAL_RUN_ABORT,
  MARSHAL_RUN_HOLD,
  RUN_ACTIONS_BLOCK_ID,
  encodeRunActionValue,
} from './action-ids.js';
import { mrkdwn, plain, type Block, type Button } from './block-kit.js';

/**
 * The buttons of the run's parent message, for the state it is in: Hold and Abort while it runs,
 * Resume (and Abort) when held, Retry failed hosts and Roll back once it finished with failures. A waiting gate's
 * own card carries Approve / Reject. None once nothing can be done.
 */
export function runControlButtons(run: RunSnapshot): Block | undefined {
  const value = encodeRunActionValue({ runId: run.runId });
  const buttons: Button[] = [];
  if (FINAL_RUN_STATES.has(run.state)) {
    if (hostCountsOf(run).failed > 0 && !run.dryRun)
      buttons.push({ type: 'button', text: plain('Retry failed hosts'), action_id: MARSHAL_RETRY, value });
    if (rollbackOffered(run))
      buttons.push({
        type: 'button',
        text: plain('Roll back'),
        action_id: MARSHAL_ROLLBACK,
        value,
        style: 'danger',
        confirm: {
          title: plain('Roll back this run?'),
          text: mrkdwn(
            `The ${unrestoredCount(run) === 1 ? 'host' : `${unrestoredCount(run)} hosts`} this run changed and did not restore go back to what they had, through the workflow's own rollback. This is done once.`,
          ),
          confirm: plain('Roll back'),
          deny: plain('Back'),
          style: 'danger',
        },
      });
  } else if (!run.abortRequested) {
    const held = run.state === 'held' || run.tasks.some((t) => t.state === 'held');
    if (held) {
      buttons.push({
        type: 'button',
        text: plain('Resume'),
        action_id: MARSHAL_RESUME,
        value,
        style: 'primary',
      });
    } else if (!run.holdRequested) {
      buttons.push({ type: 'button', text: plain('Hold'), action_id: MARSHAL_RUN_HOLD, value });
    }
    buttons.push({
      type: 'button',
      text: plain('Abort'),
      action_id: MARSHAL_RUN_ABORT,
      value,
      style: 'danger',
      confirm: {
        title: plain('Abort this run?'),
        text: mrkdwn(
          'No new hosts are started; hosts in flight finish, then cleanup runs. At an approval gate the canary is rolled back.',
        ),
        confirm: plain('Abort'),
        deny: plain('Keep running'),
        style: 'danger',
      },
    });
  }
  return buttons.length ? { type: 'actions', block_id: RUN_ACTIONS_BLOCK_ID, elements: buttons } : undefined;
}
