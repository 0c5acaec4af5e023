import type { RunSnapshot } from '../../src/engine/model/run.js';
import type { CommandContext } from './slash-command.js';

/**
 * Hold, resume and abort are for the run's requester and for the workflow's approvers. Returns the run
 * so the caller can say what it acted on.
 */
export async function requireControl(ctx: CommandContext, runId: string): Promise<RunSnapshot> {
  const run = await ctx.deps.engine.get(runId);
  if (run.requester !== ctx.user) await ctx.deps.access.require('approve', run.workflow, ctx.user);
  return run;
}
