import { admitRun, announceBreakGlass } from './admit-run.js';
import type { CommandContext } from './slash-command.js';

export interface WorkflowLaunch {
  workflow: string;
  params: Record<string, unknown>;
  dryRun: boolean;
}

/**
 * Starts a workflow for a slash command: only if this Marshal has it, only for users the config file
 * allows, and only once per invocation (a replayed request with the same trigger_id starts nothing).
 */
export async function startWorkflow(ctx: CommandContext, launch: WorkflowLaunch): Promise<void> {
  const { deps } = ctx;
  const commandName = ctx.typed.split(' ')[0];
  if (!deps.workflows.has(launch.workflow)) {
    await ctx.reply(
      `:construction: \`${commandName}\` is not available yet: this Marshal has no \`${launch.workflow}\` workflow. Nothing was started.`,
    );
    return;
  }
  await deps.access.require('start', launch.workflow, ctx.user);
  const admission = await admitRun(ctx, launch);
  if (!(await deps.replay.firstTime('command', ctx.triggerId))) {
    deps.logger.warn({ trigger: ctx.triggerId, user: ctx.user }, 'replayed slash command ignored');
    return;
  }
  const runId = await deps.engine.start({
    workflow: launch.workflow,
    params: launch.params,
    requester: ctx.user,
    dryRun: launch.dryRun,
    meta: { channel: ctx.channel, command: ctx.typed },
  });
  if (admission.breakGlass) await announceBreakGlass(ctx, runId, launch.workflow, admission.breakGlass);
  await ctx.reply(
    `:rocket: Started \`${launch.workflow}\`${launch.dryRun ? ' (dry run)' : ''} as run \`${runId}\`. Progress follows in this channel; \`/ops status ${runId}\` shows it any time.`,
  );
}
