import type { Principal } from '../config/marshal-config.js';
import { NotAuthorizedError } from '../slack/auth/not-authorized-error.js';
import { describeFreeze, type Freeze } from './change-freeze.js';
import type { OpsControl } from './ops-control.js';
import { checkTargets } from './target-access.js';

/** A run that may start: during a freeze only by break-glass, which the caller must call out. */
export interface Admission {
  breakGlass?: Freeze;
}

/** What a front end asks about before it starts a run. */
export interface Launch {
  workflow: string;
  params: Record<string, unknown>;
  dryRun: boolean;
}

/** Who asks, and how to tell whether they are among a list of users and groups (AccessControl.among). */
export interface Asker {
  user: string;
  among(principals: readonly Principal[], user: string): Promise<boolean>;
}

const LIST_MAX = 20;

/**
 * The one admission of a run, for every front end (Slack, `marshal run`, retries): before anything
 * starts, the person may touch the run's hosts (per-target access) and changes are not frozen, or they
 * hold break-glass. Refusals name the hosts outside their reach, or the freeze and who may break it.
 * Without fleet controls configured (`control` undefined) everything is admitted.
 */
export async function admitRun(
  control: OpsControl | undefined,
  asker: Asker,
  launch: Launch,
): Promise<Admission> {
  if (!control) return {};
  const { user } = asker;
  const mine = [];
  for (const rule of control.targetRules) if (await asker.among(rule.who, user)) mine.push(rule);
  const limited = mine.filter((r) => !r.workflows || r.workflows.includes(launch.workflow));
  if (limited.length > 0) {
    const targets = control.targetsOf(launch.params);
    const scope = limited.map((r) => `\`${r.selector}\``).join(', ');
    if (!targets)
      throw new NotAuthorizedError(
        `Your access is limited to hosts in ${scope}, and \`${launch.workflow}\` does not say its hosts before it starts (no selector). Nothing was started.`,
        { user, workflow: launch.workflow, action: 'start' },
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
        { user, workflow: launch.workflow, action: 'start' },
      );
    }
  }
  // A dry run changes nothing: a freeze does not hold it back.
  if (launch.dryRun) return {};
  const freeze = await control.freeze.current();
  if (!freeze) return {};
  if (await asker.among(control.ops.breakGlass, user)) return { breakGlass: freeze };
  const who = control.ops.breakGlass.length
    ? control.ops.breakGlass.map((p) => (p.startsWith('S') ? `<!subteam^${p}>` : `<@${p}>`)).join(', ')
    : 'no one (access.ops.breakGlass is empty)';
  throw new NotAuthorizedError(
    `:snowflake: Changes are frozen (${describeFreeze(freeze)}). Nothing was started. Break-glass: ${who}.`,
    { user, workflow: launch.workflow, action: 'start' },
  );
}

/**
 * Records a break-glass start in the audit, with where it was called out (the channel message's link,
 * or the terminal it was started from).
 */
export async function recordBreakGlass(
  control: OpsControl,
  input: { runId: string; user: string; workflow: string; freeze: Freeze; command: string; link?: string },
): Promise<void> {
  await control.audit.append({
    runId: input.runId,
    at: new Date().toISOString(),
    kind: 'ops.break_glass',
    actor: input.user,
    ...(input.link ? { link: input.link } : {}),
    data: { workflow: input.workflow, command: input.command, freeze: describeFreeze(input.freeze) },
  });
}
