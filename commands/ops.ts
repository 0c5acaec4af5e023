import type { WorkflowCatalog } from '../src/kit/catalog.js';
import { escapeMrkdwn } from '../src/slack/blocks/index.js';
import { OPS_USAGES, parseOpsCommand, type OpsCommand } from './parse/ops-command.js';
import { claimedUsage, MARSHAL_USAGE, marshalRunUsage } from './parse/marshal-command.js';
import { formatLocks, formatRunLine, formatRunStatus } from './support/format-run.js';
import { requireControl } from './support/require-control.js';
import type { CommandContext, SlashCommand } from './support/slash-command.js';
import { admitRun, announceBreakGlass } from './support/admit-run.js';
import { runFleetControl } from './support/fleet-controls.js';
import { describeRollback } from '../src/slack/blocks/rollback-text.js';

/** Every command this Marshal answers: its workflows' (generic and claimed), then /ops. */
function help(catalog: WorkflowCatalog): string {
  const usages = [
    MARSHAL_USAGE,
    ...catalog
      .list()
      .flatMap((w) => [marshalRunUsage(w), ...(w.module.slashCommand ? [claimedUsage(w)] : [])]),
    ...Object.values(OPS_USAGES),
  ];
  // `<placeholders>` would read as Slack links: escaped.
  return ['*Marshal commands*', ...usages.map((u) => `• \`${escapeMrkdwn(u)}\``)].join('\n');
}

/** A mutating /ops command acts once per invocation, even if its signed request is sent again. */
async function once(ctx: CommandContext): Promise<boolean> {
  if (await ctx.deps.replay.firstTime('command', ctx.triggerId)) return true;
  ctx.deps.logger.warn({ trigger: ctx.triggerId, user: ctx.user }, 'replayed /ops command ignored');
  return false;
}

/** `/ops runs|status|hold|resume|abort|retry|rollback|locks|help`: look at and steer runs. */
export const opsCommand: SlashCommand<OpsCommand> = {
  name: '/ops',
  parse: parseOpsCommand,
  async run(parsed, ctx) {
    const { engine } = ctx.deps;
    switch (parsed.kind) {
      case 'help':
        return ctx.reply(help(ctx.deps.workflows));
      case 'stop-all':
      case 'freeze':
      case 'schedule':
      case 'schedules':
        return runFleetControl(parsed, ctx, () => once(ctx));
      case 'runs': {
        const runs = await engine.list({ limit: 20, active: !parsed.all });
        const none = parsed.all
          ? 'No runs yet.'
          : 'No active runs. `/ops runs --all` shows finished ones too.';
        return ctx.reply(runs.length ? runs.map(formatRunLine).join('\n') : none);
      }
      case 'locks':
        return ctx.reply(formatLocks(await engine.locks()));
      case 'status':
        return ctx.reply(formatRunStatus(await engine.get(parsed.runId, { targets: 'notable' })));
      case 'hold': {
        await requireControl(ctx, parsed.runId);
        if (!(await once(ctx))) return;
        await engine.hold(parsed.runId, ctx.user);
        return ctx.reply(
          `:double_vertical_bar: Run \`${parsed.runId}\` will hold after its current batch. \`/ops resume ${parsed.runId}\` continues it.`,
        );
      }
      case 'resume': {
        await requireControl(ctx, parsed.runId);
        if (!(await once(ctx))) return;
        await engine.resume(parsed.runId, ctx.user);
        return ctx.reply(`:arrow_forward: Run \`${parsed.runId}\` resumes with its next batch.`);
      }
      case 'abort': {
        await requireControl(ctx, parsed.runId);
        if (!(await once(ctx))) return;
        const done = await engine.abort(
          parsed.runId,
          ctx.user,
          parsed.rollback === undefined ? {} : { rollback: parsed.rollback },
        );
        const what = done.atGate
          ? done.rollback
            ? 'at the approval gate: the canary is rolled back (`--keep` keeps it)'
            : 'at the approval gate: the canary is kept as it is, not rolled back'
          : done.rollback
            ? 'no new targets start; in-flight ones finish, then the changed targets are rolled back'
            : 'no new targets start; in-flight ones finish';
        return ctx.reply(`:octagonal_sign: Run \`${parsed.runId}\` is aborting ${what}.`);
      }
      case 'rollback': {
        await requireControl(ctx, parsed.runId);
        if (!(await once(ctx))) return;
        return ctx.reply(describeRollback(parsed.runId, await engine.rollback(parsed.runId, ctx.user)));
      }
      case 'retry': {
        const run = await engine.get(parsed.runId);
        await ctx.deps.access.require('start', run.workflow, ctx.user);
        const admission = await admitRun(ctx, {
          workflow: run.workflow,
          params: (run.params ?? {}) as Record<string, unknown>,
          dryRun: run.dryRun,
        });
        if (!(await once(ctx))) return;
        const newRun = await engine.retryFailed(parsed.runId, ctx.user);
        if (admission.breakGlass) await announceBreakGlass(ctx, newRun, run.workflow, admission.breakGlass);
        return ctx.reply(
          `:repeat: Started run \`${newRun}\`: \`${run.workflow}\` again on the failed targets of \`${parsed.runId}\`.`,
        );
      }
    }
  },
};
