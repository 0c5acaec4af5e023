import type { RunEventOf } from '../../engine/model/events.js';
import type { RunSnapshot, StageProgress, TargetResult } from '../../engine/model/run.js';
import { mrkdwn, plain, type Block, type SlackMessage } from './block-kit.js';
import { fitMessage, summariseList } from './limits.js';
import { escapeMrkdwn, outputExcerpt, slackDate, who } from './mrkdwn.js';
import {
  formatCount,
  formatDuration,
  runFacts,
  stageLabel,
  STATE_EMOJI,
  type RenderContext,
} from './run-facts.js';

/** How many failed hosts get their own output excerpt; the rest are named in one summarised line. */
const MAX_EXCERPTS = 5;

/** Thread reply when a stage (canary or one batch) has finished all its targets. */
export function renderStageDone(run: RunSnapshot, stage: StageProgress, ctx: RenderContext): SlackMessage {
  const results = run.targets.filter((t) => t.stage === stage.stage && t.batchIndex === stage.batchIndex);
  const failures = results.filter((t) => !t.ok);
  const label = stageLabel(stage);
  const emoji = stage.failed > 0 ? ':warning:' : ':white_check_mark:';
  const title = `${emoji} ${capitalise(label)} done: ${formatCount(stage.done)} ok, ${formatCount(stage.failed)} failed of ${formatCount(stage.total)}`;
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(`*${title}*`) }];
  const changed = results.filter((t) => t.ok && t.changed).map((t) => t.target);
  if (changed.length)
    blocks.push({ type: 'context', elements: [mrkdwn(`Changed: ${escapeMrkdwn(summariseList(changed))}`)] });
  blocks.push(...failureBlocks(failures));
  const f = runFacts(run, ctx);
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `Elapsed ${formatDuration(f.elapsedMs)}${f.remainingMs !== undefined ? ` · about ${formatDuration(f.remainingMs)} left` : ''}`,
      ),
    ],
  });
  return fitMessage({ text: `${run.workflow}: ${title}`, blocks });
}

/** Thread reply for hold, resume and abort requests. */
export function renderRunControl(run: RunSnapshot, event: RunEventOf<'run.control'>): SlackMessage {
  const what = {
    hold: ':double_vertical_bar: Hold requested: the run pauses after the current batch',
    resume: ':arrow_forward: Resumed: the next batch starts',
    abort: event.rollback
      ? ':octagonal_sign: Abort requested, with rollback of the changed hosts'
      : ':octagonal_sign: Abort requested: no new hosts are started',
  }[event.action];
  const text = `${what} — by ${who(event.by)} ${slackDate(event.at, '{time}')}`;
  return fitMessage({
    text: `${run.workflow}: ${event.action} by ${event.by}`,
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  });
}

/** The closing reply: what changed, where, how long, who approved, and where the audit record is. */
export function renderFinalSummary(run: RunSnapshot, ctx: RenderContext): SlackMessage {
  const f = runFacts(run, ctx);
  const changed = run.targets.filter((t) => t.ok && t.changed).map((t) => t.target);
  const unchanged = run.targets.filter((t) => t.ok && !t.changed).length;
  const failures = run.targets.filter((t) => !t.ok);
  const approvals = run.gates
    .filter((g) => g.decidedBy !== undefined)
    .map(
      (g) =>
        `${g.state === 'approved' ? 'approved' : g.state.replace('_', ' ')} by ${who(g.decidedBy!)}${g.decidedAt ? ` ${slackDate(g.decidedAt, '{time}')}` : ''}`,
    );
  const timedOut = run.gates.filter((g) => g.state === 'timed_out').length;

  const blocks: Block[] = [
    {
      type: 'header',
      text: plain(
        `${STATE_EMOJI[run.state]} ${run.workflow}${run.dryRun ? ' [DRY RUN]' : ''} ${run.state} in ${formatDuration(f.elapsedMs)}`,
      ),
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*${run.dryRun ? 'Would change' : 'Changed'}*\n${formatCount(changed.length)} hosts`),
        mrkdwn(`*Already as wanted*\n${formatCount(unchanged)} hosts`),
        mrkdwn(`*Failed*\n${formatCount(failures.length)} hosts`),
        mrkdwn(
          `*Approval*\n${approvals.length ? approvals.join('\n') : timedOut ? 'timed out (rejected)' : 'none needed'}`,
        ),
        mrkdwn(`*Requested by*\n${who(run.requester)}`),
        mrkdwn(`*Audit*\n\`${escapeMrkdwn(ctx.auditRef ?? run.runId)}\``),
      ],
    },
  ];
  if (changed.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Where:* ${escapeMrkdwn(summariseList(changed, { maxItems: 20, maxChars: 600 }))}`),
    });
  blocks.push(...failureBlocks(failures));
  const text = `${run.workflow} ${run.state}: ${changed.length} changed, ${failures.length} failed in ${formatDuration(f.elapsedMs)} (audit ${ctx.auditRef ?? run.runId})`;
  return fitMessage({ text, blocks });
}

function failureBlocks(failures: readonly TargetResult[]): Block[] {
  if (failures.length === 0) return [];
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwn(
        `*Failed (${formatCount(failures.length)}):* ${escapeMrkdwn(summariseList(failures.map((t) => t.target)))}`,
      ),
    },
  ];
  for (const failure of failures.slice(0, MAX_EXCERPTS)) {
    const output = failure.error ?? failure.summary ?? '';
    blocks.push({
      type: 'section',
      text: mrkdwn(`\`${escapeMrkdwn(failure.target)}\`\n${outputExcerpt(output)}`),
    });
  }
  if (failures.length > MAX_EXCERPTS) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Output of the other ${formatCount(failures.length - MAX_EXCERPTS)} failed hosts is in the audit record.`,
        ),
      ],
    });
  }
  return blocks;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
