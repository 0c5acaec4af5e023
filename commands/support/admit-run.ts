import { describeFreeze, type Freeze } from '../../src/control/change-freeze.js';
import { checkTargets } from '../../src/control/target-access.js';
import { NotAuthorizedError } from '../../src/slack/auth/not-authorized-error.js';
import type { CommandContext } from './slash-command.js';

/** A run that may start: during a freeze only by break-glass, which the caller must call out. */
export interface Admission {
  breakGlass?: Freeze;
}

const LIST_MAX = 20;

/**
 * Checks, before anything starts, that the person may touch the run's hosts (per-target access) and
 * that changes are not frozen (or that they hold break-glass). Refusals name the hosts outside their
 * reach, or the freeze and who may break it.
 */
export async function admitRun(
  ctx: CommandContext,
  launch: { workflow: string; params: Record<string, unknown>; dryRun: boolean },
): Promise<Admission> {
  const control = ctx.deps.control;
  if (!control) return {};
  const mine = [];
  for (const rule of control.targetRules)
    if (await ctx.deps.access.among(rule.who, ctx.user)) mine.push(rule);
  const limited = mine.filter((r) => !r.workflows || r.workflows.includes(launch.workflow));
  if (limited.length > 0) {
    const targets = control.targetsOf(launch.params);
    const scope = limited.map((r) => `\`${r.selector}\``).join(', ');
    if (!targets)
      throw new NotAuthorizedError(
        `Your access is limited to hosts in ${scope}, and \`${launch.workflow}\` does not say its hosts before it starts (no selector). Nothing was started.`,
        { user: ctx.user, workflow: launch.workflow, action: 'start' },
      );
    const verdict = checkTargets(limited, launch.workflow, targets, (selector) => control.reach(selector));
    if (verdict.outside.length > 0) {
      const shown = verdict.outside
        .slice(0, LIST_MAX)
        .map((h) => `\`${h}\``)
        .join(', ');
      const more = verdict.outside.length > LIST_MAX ? ` and ${verdict.outside.length - LIST_MAX} more` : '';
      throw new NotAuthorizedError(
        `You may start \`${launch.workflow}\` only on hosts in ${scope}. Outside it: ${shown}${more} (${verdict.outside.length} of ${targets.length} hosts). Nothing was started.`,
        { user: ctx.user, workflow: launch.workflow, action: 'start' },
      );
    }
  }
  // A dry run changes nothing: a freeze does not hold it back.
  if (launch.dryRun) return {};
  const freeze = await control.freeze.current();
  if (!freeze) return {};
  if (await ctx.deps.access.among(control.ops.breakGlass, ctx.user)) return { breakGlass: freeze };
  const who = control.ops.breakGlass.length
    ? control.ops.breakGlass.map((p) => (p.startsWith('S') ? `<!subteam^${p}>` : `<@${p}>`)).join(', ')
    : 'no one (access.ops.breakGlass is empty)';
  throw new NotAuthorizedError(
    `:snowflake: Changes are frozen (${describeFreeze(freeze)}). Nothing was started. Break-glass: ${who}.`,
    { user: ctx.user, workflow: launch.workflow, action: 'start' },
  );
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
  await ctx.deps.control?.audit.append({
    runId,
    at: new Date().toISOString(),
    kind: 'ops.break_glass',
    actor: ctx.user,
    ...(link ? { link } : {}),
    data: { workflow, command: ctx.typed, freeze: describeFreeze(freeze) },
  });
}
