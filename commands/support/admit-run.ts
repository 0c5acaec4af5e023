import {
  admitRun as admit,
  recordBreakGlass,
  type Admission,
  type Launch,
} from '../../src/control/admit-run.js';
import { describeFreeze, type Freeze } from '../../src/control/change-freeze.js';
import type { CommandContext } from './slash-command.js';

export type { Admission };

/** The one admission (src/control/admit-run.ts) for a slash command's person. */
export function admitRun(ctx: CommandContext, launch: Launch): Promise<Admission> {
  return admit(ctx.deps.control, { user: ctx.user, among: (p, u) => ctx.deps.access.among(p, u) }, launch);
}

/** Calls a break-glass start out in the channel and records it. */
export async function announceBreakGlass(
  ctx: CommandContext,
  runId: string,
  workflow: string,
  freeze: Freeze,
): Promise<void> {
  const link = await ctx.announce(
    `:rotating_light: *Break-glass*: <@${ctx.user}> started \`${workflow}\` (run \`${runId}\`) during the ${describeFreeze(freeze)}`,
  );
  if (!ctx.deps.control) return;
  await recordBreakGlass(ctx.deps.control, {
    runId,
    user: ctx.user,
    workflow,
    freeze,
    command: ctx.typed,
    ...(link ? { link } : {}),
  });
}
