import { FINAL_RUN_STATES } from '../../engine/model/task-state.js';
import type { RunSnapshot } from '../../engine/model/run.js';
import type { SlackDeps } from '../app/slack-deps.js';
import { renderErrorForUser, type RunActionValue } from '../blocks/index.js';
import type { ClickedOn, Notice } from './gate-action.js';
import { describeRollback } from '../blocks/rollback-text.js';
import { admitRun, recordBreakGlass } from '../../control/admit-run.js';
import { describeFreeze } from '../../control/change-freeze.js';

/** The run controls on a thread's parent message. */
export type RunButton = 'hold' | 'abort' | 'resume' | 'retry' | 'rollback';

const note = (text: string): Notice => ({ text });

/**
 * A press of Hold, Abort, Resume or Retry on a run's parent message, through the engine's own checks.
 * The message clicked must be the run's thread parent as Marshal posted it. Hold, resume and abort are
 * for the requester and the workflow's approvers (as `/ops`), and so is roll back (after the end; the
 * engine decides it once); retry starts a new run, so it needs the start right. Returns what to tell the presser.
 */
export async function handleRunAction(
  deps: SlackDeps,
  button: RunButton,
  target: RunActionValue,
  user: string,
  clicked: ClickedOn,
): Promise<Notice> {
  const { engine, access } = deps;
  const thread = await deps.cards.get(target.runId).catch(() => undefined);
  if (!thread || thread.channel !== clicked.channel || thread.ts !== clicked.messageTs) {
    deps.logger.warn({ runId: target.runId, user, clicked }, 'run button refused: not on the run’s thread');
    return note(
      ':no_entry: This button does not belong to the message it was clicked on; nothing was changed.',
    );
  }
  let run: RunSnapshot;
  try {
    run = await engine.get(target.runId);
  } catch (err) {
    return renderErrorForUser(err, 'This button no longer works');
  }
  try {
    if (button === 'retry') {
      await access.require('start', run.workflow, user);
      if (!FINAL_RUN_STATES.has(run.state))
        return note(
          `:information_source: Run \`${run.runId}\` is still ${run.state}; retry once it has finished.`,
        );
      // A retry is a new run: admitted as any other (per-target access, the change freeze).
      const admission = await admitRun(
        deps.control,
        { user, among: (p, u) => access.among(p, u) },
        { workflow: run.workflow, params: (run.params ?? {}) as Record<string, unknown>, dryRun: run.dryRun },
      );
      const newRun = await engine.retryFailed(run.runId, user);
      if (admission.breakGlass && deps.control)
        await recordBreakGlass(deps.control, {
          runId: newRun,
          user,
          workflow: run.workflow,
          freeze: admission.breakGlass,
          command: 'Retry failed hosts (button)',
        });
      return note(
        (admission.breakGlass
          ? `:rotating_light: *Break-glass* during the ${describeFreeze(admission.breakGlass)}. `
          : '') +
          `:repeat: Started run \`${newRun}\`: \`${run.workflow}\` again on the failed hosts of \`${run.runId}\`.`,
      );
    }
    if (run.requester !== user) await access.require('approve', run.workflow, user);
    if (button === 'rollback')
      return note(describeRollback(run.runId, await engine.rollback(run.runId, user)));
    if (FINAL_RUN_STATES.has(run.state))
      return note(
        `:information_source: Run \`${run.runId}\` has finished (${run.state}); nothing to ${button}.`,
      );
    switch (button) {
      case 'hold':
        await engine.hold(run.runId, user);
        return note(
          `:double_vertical_bar: Run \`${run.runId}\` will hold after its current batch; Resume continues it.`,
        );
      case 'resume':
        await engine.resume(run.runId, user);
        return note(`:arrow_forward: Run \`${run.runId}\` resumes with its next batch.`);
      case 'abort': {
        const done = await engine.abort(run.runId, user);
        const what = done.atGate
          ? 'at the approval gate: the canary is rolled back'
          : done.rollback
            ? 'the changed hosts are rolled back'
            : 'no new hosts start; in-flight ones finish';
        return note(`:octagonal_sign: Run \`${run.runId}\` is aborting ${what}.`);
      }
    }
  } catch (err) {
    return renderErrorForUser(
      err,
      `Could not ${button === 'rollback' ? 'roll back' : button} run ${run.runId}`,
    );
  }
}
