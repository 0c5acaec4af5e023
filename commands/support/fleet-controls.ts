import { describeFreeze } from '../../src/control/change-freeze.js';
import {
  liftFreeze,
  mayRemoveSchedule,
  mayUseOps,
  opsAllowed,
  removeSchedule,
} from '../../src/control/fleet-actions.js';
import type { OpsControl } from '../../src/control/ops-control.js';
import type { ScheduledRun } from '../../src/control/run-schedules.js';
import { NotAuthorizedError } from '../../src/slack/auth/not-authorized-error.js';
import type { OpsCommand } from '../parse/ops-command.js';
import { parseWorkflowWords } from '../parse/workflow-command.js';
import { admitRun } from './admit-run.js';
import type { CommandContext } from './slash-command.js';

/** `/ops stop-all`, `/ops freeze`, `/ops schedule(s)`: the fleet-wide controls. */
export async function runFleetControl(
  parsed: Extract<OpsCommand, { kind: 'stop-all' | 'freeze' | 'schedule' | 'schedules' }>,
  ctx: CommandContext,
  once: () => Promise<boolean>,
): Promise<void> {
  const control = ctx.deps.control;
  if (!control) return ctx.reply('This Marshal runs without fleet controls (stop-all, freeze, schedules).');
  const now = () => new Date().toISOString();
  switch (parsed.kind) {
    case 'stop-all': {
      await requireOps(ctx, control, 'stopAll');
      if (!(await once())) return;
      const { engine } = ctx.deps;
      const active = await engine.list({ limit: 10_000, active: true });
      // Every hold is asked for at once: each run parks after its in-flight hosts.
      const results = await Promise.allSettled(active.map((r) => engine.hold(r.runId, ctx.user)));
      const held = active.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.runId);
      const failed = active.flatMap((r, i) => {
        const res = results[i]!;
        return res.status === 'rejected'
          ? [{ runId: r.runId, why: res.reason instanceof Error ? res.reason.message : String(res.reason) }]
          : [];
      });
      const link = await ctx.announce(
        `:octagonal_sign: *Stop-all* by <@${ctx.user}>: ${parsed.reason}. ${held.length} run(s) hold after their in-flight hosts${
          held.length ? `: ${held.map((r) => `\`${r}\``).join(', ')}` : ''
        }. \`/ops resume <run>\` continues one.`,
      );
      await control.audit.append({
        at: now(),
        kind: 'ops.stop_all',
        actor: ctx.user,
        ...(link ? { link } : {}),
        data: { reason: parsed.reason, held, failed },
      });
      const notHeld = failed.map((f) => `\n• \`${f.runId}\`: ${f.why}`).join('');
      return ctx.reply(
        `:octagonal_sign: Held ${held.length} of ${active.length} active run(s).${notHeld ? ` Not held:${notHeld}` : ''}`,
      );
    }
    case 'freeze': {
      if (!parsed.set && !parsed.off) {
        const current = await control.freeze.current();
        return ctx.reply(
          current ? `:snowflake: ${describeFreeze(current)}` : 'No change freeze is in force.',
        );
      }
      await requireOps(ctx, control, 'freeze');
      if (!(await once())) return;
      if (parsed.off) {
        const { lifted, left } = await liftFreeze(control, ctx.user, () =>
          ctx.announce(`:sunny: <@${ctx.user}> lifted the change freeze.`),
        );
        return ctx.reply(
          `${lifted ? 'The manual freeze is lifted.' : 'There was no manual freeze.'}${left ? ` Still in force: ${describeFreeze(left)} (declared in the config).` : ''}`,
        );
      }
      const freeze = await control.freeze.freeze(parsed.set!.durationMs, parsed.set!.reason, ctx.user);
      control.onFreezeChange?.();
      const link = await ctx.announce(
        `:snowflake: *Change freeze* by <@${ctx.user}> until ${freeze.source === 'manual' ? freeze.until : ''}: ${parsed.set!.reason}. New runs are refused except break-glass.`,
      );
      await control.audit.append({
        at: now(),
        kind: 'ops.freeze',
        actor: ctx.user,
        ...(link ? { link } : {}),
        data: {
          reason: parsed.set!.reason,
          durationMs: parsed.set!.durationMs,
          ...(freeze.source === 'manual' ? { until: freeze.until } : {}),
        },
      });
      return ctx.reply(`:snowflake: ${describeFreeze(freeze)}`);
    }
    case 'schedules': {
      const schedules = needSchedules(control);
      if (parsed.remove) {
        const listed = (await schedules.list()).find((s) => s.id === parsed.remove);
        if (!listed)
          return ctx.reply(`There is no schedule \`${parsed.remove}\`. \`/ops schedules\` lists them.`);
        if (!(await mayRemoveSchedule(ctx.deps.access, listed, ctx.user)))
          await ctx.deps.access.require('approve', listed.workflow, ctx.user);
        if (!(await once())) return;
        await removeSchedule({ audit: control.audit, schedules }, listed, ctx.user);
        const again =
          listed.source === 'config'
            ? ' It is declared in Marshal’s config and comes back at the next start unless removed there.'
            : '';
        return ctx.reply(`Removed schedule \`${parsed.remove}\`.${again}`);
      }
      const all = await schedules.list();
      if (all.length === 0)
        return ctx.reply('No schedules. `/ops schedule <id> "<cron>" <workflow> <words…>` adds one.');
      return ctx.reply(
        all
          .map(
            (s) =>
              `• \`${s.id}\` \`${s.cron}\` (${s.timeZone}): \`${s.workflow} ${s.words.join(' ')}\` as <@${s.requester}> in <#${s.channel}>${s.next ? `, next ${s.next.toISOString()}` : ''}${s.source === 'config' ? ' (config)' : ''}`,
          )
          .join('\n'),
      );
    }
    case 'schedule': {
      const schedules = needSchedules(control);
      const entry = ctx.deps.workflows.get(parsed.workflow);
      if (!entry)
        return ctx.reply(`This Marshal has no \`${parsed.workflow}\` workflow. Nothing was scheduled.`);
      await ctx.deps.access.require('start', parsed.workflow, ctx.user);
      const words = parseWorkflowWords(
        entry.module,
        parsed.words,
        `/ops schedule ${parsed.id} "${parsed.cron}" ${parsed.workflow}`,
      );
      // Per-target access is checked now, against the hosts the selector picks today; a freeze is
      // checked at each fire instead (a fire during a freeze is skipped).
      await admitRun(ctx, { workflow: parsed.workflow, params: words.params, dryRun: true });
      if (!(await once())) return;
      const run: ScheduledRun = {
        id: parsed.id,
        cron: parsed.cron,
        timeZone: parsed.timeZone,
        workflow: parsed.workflow,
        words: parsed.words,
        params: words.params,
        dryRun: words.dryRun,
        channel: ctx.channel,
        requester: ctx.user,
        source: 'slack',
      };
      await schedules.upsert(run);
      await control.audit.append({ at: now(), kind: 'schedule.set', actor: ctx.user, data: { ...run } });
      return ctx.reply(
        `:alarm_clock: Schedule \`${run.id}\`: \`${run.workflow} ${run.words.join(' ')}\` at \`${run.cron}\` (${run.timeZone}), as you (so someone else approves it), threads in this channel. Each run still waits at its approval gate; fires during a freeze are skipped.`,
      );
    }
  }
}

function needSchedules(control: OpsControl) {
  if (!control.schedules) throw new Error('this Marshal process does not manage schedules');
  return control.schedules;
}

async function requireOps(
  ctx: CommandContext,
  control: OpsControl,
  right: 'stopAll' | 'freeze',
): Promise<void> {
  if (await mayUseOps(control, ctx.deps.access, right, ctx.user)) return;
  throw new NotAuthorizedError(
    `You may not use \`/ops ${right === 'stopAll' ? 'stop-all' : 'freeze'}\`. Allowed: ${opsAllowed(
      control,
      right,
      (p) => (p.startsWith('S') ? `<!subteam^${p}>` : `<@${p}>`),
    )}.`,
    { user: ctx.user, workflow: '*', action: right },
  );
}
